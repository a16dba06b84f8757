"""The headline of a comparison: the key figures first, each with its unit and direction.

A planner asks first whether citizens' matters are settled sooner, so the headline leads with
the time to settlement of a matter (Kaplan-Meier median and 90th percentile, open matters
censored), the share settled the same day and within a week, calls per matter and repeat
calls, then response and staff cost. Each figure shows every scenario's mean with its 95 %
CI and the paired difference to the first scenario with its CI, read as better or worse only
when that CI excludes 0, and a one-line verdict counts them. The per-call times follow under
names that say they are not settlement. A quantile the Kaplan-Meier curve never reaches is
"not reached", never extrapolated; where some replications reach it and others do not, the
mean is over those that do and says how many.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

MULTIPLICITY_NOTE = (
    "CIs are 95 % per KPI, not adjusted for multiplicity; the p-values (--all, comparison.csv) "
    "are Holm-adjusted over all KPIs."
)


@dataclass(frozen=True)
class KeyFigure:
    """A KPI as the headline shows it: label, unit, scale from the KPI's unit, direction."""

    metric: str
    label: str
    unit: str  # "h", "%", or a plain unit
    scale: float = 1.0  # multiplies the KPI into the unit shown
    lower_is_better: bool = True


KEY_FIGURES: tuple[KeyFigure, ...] = (
    KeyFigure("settle_min_median", "time to settlement of a matter, median", "h", 1 / 60),
    KeyFigure("settle_min_p90", "time to settlement of a matter, p90", "h", 1 / 60),
    KeyFigure("settled_same_day_share", "matters settled the same day", "%", 100, False),
    KeyFigure("settled_within_7d_share", "matters settled within 7 days", "%", 100, False),
    KeyFigure("calls_per_matter", "calls per matter", "calls"),
    KeyFigure("repeat_calls_per_day", "repeat calls", "a day"),
    KeyFigure("response_min_p90", "response time, p90", "min"),
    KeyFigure("staff_cost", "staff cost, agencies' staff included", "CNY a day"),
)
PER_CALL_FIGURES: tuple[KeyFigure, ...] = (
    KeyFigure("call_close_min_median", "call close time, median", "min"),
    KeyFigure("call_closed_same_day_share", "calls closed the same day", "%", 100, False),
)


def format_headline(table: pd.DataFrame, names: tuple[str, ...], n_replications: int) -> str:
    """The key figures, the per-call figures and the verdict, as text."""
    base = names[0]
    label_width = max(len(_label(f)) for f in KEY_FIGURES + PER_CALL_FIGURES) + 2
    header = f"{'key figures':{label_width}s}" + "".join(f"{n:>26s}" for n in names)
    header += "".join(f"{'change vs ' + base:>30s}" for _ in names[1:])
    lines = [header]
    readings: dict[str, list[tuple[str, str]]] = {name: [] for name in names[1:]}
    for figure in KEY_FIGURES:
        line, figure_readings = _figure_line(table, figure, names, n_replications, label_width)
        lines.append(line)
        for name, reading in figure_readings.items():
            readings[name].append((figure.label, reading))
    lines += ["", f"{'per call (not settlement)':{label_width}s}"]
    for figure in PER_CALL_FIGURES:
        lines.append(_figure_line(table, figure, names, n_replications, label_width)[0])
    lines.append("")
    lines += [verdict(name, base, readings[name]) for name in names[1:]]
    return "\n".join(lines)


def verdict(name: str, base: str, readings: list[tuple[str, str]]) -> str:
    """One line: on how many key figures `name` is better and worse than `base`."""
    better = [label for label, reading in readings if reading == "better"]
    worse = [label for label, reading in readings if reading == "worse"]
    unclear = len(readings) - len(better) - len(worse)
    text = f"verdict: {name} vs {base}: better on {len(better)} of {len(readings)} key figures"
    if better:
        text += f" ({', '.join(better)})"
    text += f"; worse on {len(worse)}"
    if worse:
        text += f" ({', '.join(worse)})"
    return text + f"; no clear difference on {unclear}."


def reading(figure: KeyFigure, diff_low: float, diff_high: float, diff_mean: float) -> str:
    """`better`, `worse` or `no clear difference`, from the difference's CI."""
    if pd.isna(diff_mean):
        return "not comparable"
    if pd.isna(diff_low):  # an exact difference (no spread): its sign decides
        low = high = diff_mean
    else:
        low, high = diff_low, diff_high
    if low > 0 or high < 0:
        lower = high < 0
        return "better" if lower == figure.lower_is_better else "worse"
    return "no clear difference"


def _figure_line(
    table: pd.DataFrame,
    figure: KeyFigure,
    names: tuple[str, ...],
    n_replications: int,
    label_width: int,
) -> tuple[str, dict[str, str]]:
    rows = table[table["metric"] == figure.metric].set_index("scenario")
    line = f"{_label(figure):{label_width}s}"
    readings: dict[str, str] = {}
    if rows.empty:
        return line + "(not in this run)", readings
    for name in names:
        row = rows.loc[name]
        line += f"{_level(figure, row, n_replications):>26s}"
    for name in names[1:]:
        row = rows.loc[name]
        word = reading(figure, row["diff_ci_low"], row["diff_ci_high"], row["diff_mean"])
        readings[name] = word
        change = _change(figure, row)
        line += f"{change + ' ' + _short(word):>30s}"
    return line, readings


def _label(figure: KeyFigure) -> str:
    return f"{figure.label} ({figure.unit})"


def _level(figure: KeyFigure, row: pd.Series, n_replications: int) -> str:
    if row["n"] == 0:
        return "not reached"
    text = f"{_num(row['mean'] * figure.scale)} {_ci(row, 'ci_low', 'ci_high', figure)}"
    if row["n"] < n_replications:
        text += f" ({row['n']}/{n_replications} reached)"
    return text


def _change(figure: KeyFigure, row: pd.Series) -> str:
    if pd.isna(row["diff_mean"]):
        return "-"
    mean = _num(row["diff_mean"] * figure.scale, signed=True)
    return f"{mean} {_ci(row, 'diff_ci_low', 'diff_ci_high', figure, signed=True)}"


def _ci(row: pd.Series, low: str, high: str, figure: KeyFigure, signed: bool = False) -> str:
    if pd.isna(row[low]):
        return ""
    return f"[{_num(row[low] * figure.scale, signed)}, {_num(row[high] * figure.scale, signed)}]"


def _short(word: str) -> str:
    return {"no clear difference": "unclear", "not comparable": "n/a"}.get(word, word)


def _num(value: float, signed: bool = False) -> str:
    sign = "+" if signed else ""
    if abs(value) >= 1000:
        return f"{value:{sign},.0f}"
    if abs(value) >= 100:
        return f"{value:{sign}.0f}"
    return f"{value:{sign}.1f}" if abs(value) >= 10 else f"{value:{sign}.2f}"
