"""The report's tables as text: KPIs with CIs, paired differences, a sweep's jobs.

Every number carries its 95 % confidence interval and every KPI its plain-words label
(`sim.analysis.labels`) beside its column name.
"""

from __future__ import annotations

import pandas as pd

from sim.analysis.labels import DEFAULT_CURRENCY, currency, format_value, kpi_label, words
from sim.config.rosters import roster_shifts
from sim.report.data import ReportData, Variant

SWEEP_KPIS = (
    "settle_min_p90",
    "settled_same_day_share",
    "response_min_p90",
    "call_close_min_p90",
    "staff_cost",
)


def ci_text(metric: str, mean: float, low: float, high: float) -> str:
    if mean != mean:
        return "-"
    if low != low or high != high:
        return format_value(metric, mean)
    return (
        f"{format_value(metric, mean)} [{format_value(metric, low)}, {format_value(metric, high)}]"
    )


def kpi_table(variant: Variant) -> pd.DataFrame:
    """One row per KPI: label, name, mean with 95 % CI, replications."""
    rows = [
        (
            kpi_label(r.metric, currency(variant.job.scenario)),
            r.metric,
            ci_text(r.metric, r.mean, r.ci_low, r.ci_high),
            r.n,
        )
        for r in variant.summary.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=["KPI", "name", "mean [95% CI]", "replications"])


def comparison_tables(data: ReportData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each scenario's KPI with CI side by side, and the paired differences to the baseline."""
    table = data.comparison
    assert table is not None
    names = list(dict.fromkeys(table["scenario"]))
    money = currency(data.variants[0].job.scenario)
    side, diffs = [], []
    for metric, rows in table.groupby("metric", sort=False):
        by_name = rows.set_index("scenario")
        side.append(
            [kpi_label(metric, money), metric]
            + [ci_text(metric, *by_name.loc[n, ["mean", "ci_low", "ci_high"]]) for n in names]
        )
        for name in names[1:]:
            row = by_name.loc[name]
            diff = ci_text(metric, row["diff_mean"], row["diff_ci_low"], row["diff_ci_high"])
            diff = diff if not metric.endswith("share") else _points(row)
            p_holm = "-" if pd.isna(row["p_holm"]) else f"{row['p_holm']:.3g}"
            diffs.append([kpi_label(metric, money), name, diff, p_holm])
    columns = ["KPI", "name", *[f"{n} mean [95% CI]" for n in names]]
    baseline = names[0]
    diff_columns = ["KPI", "scenario", f"difference to {baseline} [95% CI]", "p (Holm)"]
    return pd.DataFrame(side, columns=columns), pd.DataFrame(diffs, columns=diff_columns)


def _points(row: pd.Series) -> str:
    """A difference of shares in percentage points."""
    if pd.isna(row["diff_mean"]):
        return "-"
    return (
        f"{row['diff_mean'] * 100:+.1f} pp [{row['diff_ci_low'] * 100:+.1f}, "
        f"{row['diff_ci_high'] * 100:+.1f}]"
    )


def sweep_table(jobs: pd.DataFrame, money: str = DEFAULT_CURRENCY) -> pd.DataFrame:
    """One row per job: its point number, swept values, group, staffing and the main KPIs
    with CIs, and the job's folder."""
    rows = []
    for job in jobs.sort_values("point").itertuples(index=False):
        row = [job.point, job.label, job.line, f"{job.staff_hours_per_day:,.0f}"]
        for metric in SWEEP_KPIS:
            values = (
                getattr(job, metric),
                getattr(job, f"{metric}_low"),
                getattr(job, f"{metric}_high"),
            )
            row.append(ci_text(metric, *values))
        rows.append([*row, job.job])
    columns = ["point", "swept values", "group", "staff on duty (person-hours/day)"]
    columns += [kpi_label(m, money) for m in SWEEP_KPIS] + ["job folder"]
    return pd.DataFrame(rows, columns=columns)


def staff_table(variant: Variant) -> pd.DataFrame:
    """Stations and their staff entries as configured."""
    rows = []
    for name, station in variant.job.scenario.stations.items():
        for role, entry in station.staff.items():
            rows.append([words(name), words(station.kind), words(role), _entry_text(entry)])
    return pd.DataFrame(rows, columns=["station", "kind", "role", "on duty"])


def _entry_text(entry: object) -> str:
    if isinstance(entry, int):
        return f"{entry} around the clock"
    shifts = roster_shifts(entry)  # type: ignore[arg-type]
    return f"{entry.pattern}: " + ", ".join(  # type: ignore[attr-defined]
        f"{s.count} from {s.start_hour:g} h for {s.hours:g} h" for s in shifts
    )
