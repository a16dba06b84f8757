"""Paired comparison of scenarios run on common random numbers.

Replication `r` of every scenario runs on the same streams `Streams(seed, r)`, so it sees
the same incidents: the KPI differences `B_r - A_r` are independent across `r` and much
less variable than the difference of two independent runs. Each scenario's own mean of a
KPI gets its Student-t 95 % interval clipped to the KPI's range (`sim.analysis.kpis.level_ci`);
the differences' mean, sd and 95 % Student-t interval, not clipped since a difference can
have either sign, measure the effect of going from A to B; a paired t-test gives each
difference a p-value, and Holm's step-down method (Holm 1979) adjusts those p-values for the
number of KPIs (and scenarios) tested together, controlling the family-wise error rate. A
difference that is the same in every replication (a staff cost; a count that CRN makes
identical) is exact, not a test: its p-value is 0 or 1 and it is left out of Holm's family.

`variance_ratio` measures what common random numbers buy: the variance of the paired
differences under CRN over their variance with independent seeds, with an F-interval (the
two designs use disjoint seeds, so the two variances are independent estimates).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.kpis import level_ci, mean_ci

COMPARISON_COLUMNS: tuple[str, ...] = (
    "metric",
    "scenario",
    "mean",
    "sd",
    "ci_low",
    "ci_high",
    "n",
    "baseline",
    "diff_mean",
    "diff_sd",
    "diff_ci_low",
    "diff_ci_high",
    "diff_n",
    "p_value",
    "p_holm",
)


def paired_differences(a: pd.DataFrame, b: pd.DataFrame, metric: str) -> np.ndarray:
    """`b - a` for `metric`, replication by replication (only replications both have)."""
    joined = a[["replication", metric]].merge(
        b[["replication", metric]], on="replication", suffixes=("_a", "_b")
    )
    return (joined[f"{metric}_b"] - joined[f"{metric}_a"]).to_numpy(dtype=float)


def paired_p_value(differences: np.ndarray) -> float:
    """Two-sided paired t-test of mean difference 0 (NaN with fewer than two pairs).

    A difference that is the same in every replication (a staff cost, say) is exact: its
    p-value is 0 if it is not zero and 1 if it is.
    """
    finite = differences[np.isfinite(differences)]
    if len(finite) < 2:
        return float("nan")
    sd = finite.std(ddof=1)
    if sd == 0:
        return 0.0 if finite.mean() != 0 else 1.0
    t = finite.mean() / (sd / np.sqrt(len(finite)))
    return float(2 * stats.t.sf(abs(t), len(finite) - 1))


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm-adjusted p-values; NaN stays NaN and is not counted in the family."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p, np.nan)
    finite = np.flatnonzero(np.isfinite(p))
    order = finite[np.argsort(p[finite], kind="stable")]
    n_tests = len(order)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (n_tests - rank) * p[index]))
        adjusted[index] = running
    return adjusted


def comparison_table(names: Sequence[str], tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Every KPI of every scenario with its CI (clipped to the KPI's range), and its paired
    difference to the first (its CI not clipped)."""
    metrics = [c for c in tables[0].columns if c != "replication"]
    rows = []
    for metric in metrics:
        rows.append(_baseline_row(metric, names[0], tables[0]))
        for name, table in zip(names[1:], tables[1:], strict=True):
            rows.append(_row(metric, name, names[0], tables[0], table))
    table = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    tested = table["p_value"].notna() & (table["diff_sd"] > 0)
    table["p_holm"] = table["p_value"]  # exact differences (sd 0) keep their 0 or 1
    table.loc[tested, "p_holm"] = holm(table.loc[tested, "p_value"].to_numpy(dtype=float))
    return table


def _baseline_row(metric: str, name: str, table: pd.DataFrame) -> tuple[object, ...]:
    mean, ci_low, ci_high, sd, n = level_ci(metric, table[metric].to_numpy(dtype=float))
    return (metric, name, mean, sd, ci_low, ci_high, n, name) + (np.nan,) * 7


def _row(
    metric: str, name: str, baseline: str, first: pd.DataFrame, table: pd.DataFrame
) -> tuple[object, ...]:
    values = table[metric].to_numpy(dtype=float) if metric in table else np.array([np.nan])
    mean, ci_low, ci_high, sd, n = level_ci(metric, values)
    diffs = paired_differences(first, table, metric) if metric in table else np.array([np.nan])
    d_mean, d_half, d_sd, d_n = mean_ci(diffs)  # a difference: signed, so not clipped
    return (
        metric, name, mean, sd, ci_low, ci_high, n, baseline,
        d_mean, d_sd, d_mean - d_half, d_mean + d_half, d_n, paired_p_value(diffs), np.nan,
    )  # fmt: skip


def variance_ratio(
    crn_differences: np.ndarray, independent_differences: np.ndarray, confidence: float = 0.95
) -> tuple[float, float, float]:
    """(ratio, ci_low, ci_high) of var(CRN differences) / var(independent differences)."""
    a = crn_differences[np.isfinite(crn_differences)]
    b = independent_differences[np.isfinite(independent_differences)]
    if len(a) < 2 or len(b) < 2 or b.var(ddof=1) == 0:
        return (float("nan"),) * 3
    ratio = float(a.var(ddof=1) / b.var(ddof=1))
    upper_q = stats.f.ppf(0.5 + confidence / 2, len(a) - 1, len(b) - 1)
    lower_q = stats.f.ppf(0.5 - confidence / 2, len(a) - 1, len(b) - 1)
    return ratio, float(ratio / upper_q), float(ratio / lower_q)
