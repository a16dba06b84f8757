"""The comparison's headline: key figures with units, better or worse, and the verdict."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.experiment.headline import KEY_FIGURES, format_headline, reading

NAMES = ("before", "after")


def _table(diffs: dict[str, tuple[float, float, float]], n: int = 5) -> pd.DataFrame:
    """A comparison table: every key figure at 100 before; `diffs` (mean, low, high) after."""
    rows = []
    for figure in KEY_FIGURES:
        diff, low, high = diffs.get(figure.metric, (0.0, -1.0, 1.0))
        base = dict(metric=figure.metric, mean=100.0, ci_low=90.0, ci_high=110.0, n=n)
        rows.append({**base, "scenario": "before", "diff_mean": np.nan,
                     "diff_ci_low": np.nan, "diff_ci_high": np.nan})  # fmt: skip
        rows.append({**base, "scenario": "after", "mean": 100.0 + diff, "diff_mean": diff,
                     "diff_ci_low": low, "diff_ci_high": high})  # fmt: skip
    return pd.DataFrame(rows)


def test_a_lower_time_is_better_and_a_lower_share_is_worse():
    time, share = KEY_FIGURES[0], KEY_FIGURES[2]
    assert reading(time, -5.0, -1.0, -3.0) == "better"
    assert reading(share, -5.0, -1.0, -3.0) == "worse"
    assert reading(time, -5.0, 1.0, -2.0) == "no clear difference"


def test_the_verdict_counts_what_the_lines_say():
    table = _table(
        {
            "settle_min_p90": (-600.0, -700.0, -500.0),
            "settled_same_day_share": (0.1, 0.05, 0.15),
            "staff_cost": (50.0, 40.0, 60.0),
        }
    )
    text = format_headline(table, NAMES, 5)
    verdict = text.splitlines()[-1]
    assert verdict.startswith("verdict: after vs before: better on 2 of 8 key figures")
    assert "worse on 1 (staff cost" in verdict and "no clear difference on 5" in verdict
    p90_line = next(line for line in text.splitlines() if "p90 (h)" in line)
    assert "-10.0 [-11.7, -8.33] better" in p90_line  # minutes shown as hours


def test_a_quantile_reached_by_no_replication_says_not_reached():
    table = _table({})
    table.loc[table["metric"] == "settle_min_p90", "n"] = 0
    text = format_headline(table, NAMES, 5)
    p90_line = next(line for line in text.splitlines() if "p90 (h)" in line)
    assert "not reached" in p90_line
