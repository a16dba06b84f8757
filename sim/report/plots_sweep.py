"""Pictures of a sweep: service against staffing, one line per station count.

Staffing is measured the same way for every job whatever was swept (officers at one station,
placed stations' staff, rosters): the staff on duty in person-hours per day, read from the
job's own validated scenario. Lines group the jobs by station count and by any other swept
key that is not about staff (a dispatch policy, say); bands are the 95 % CIs.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.labels import words
from sim.config.rosters import station_on_duty
from sim.report.data import ReportData, Variant

STAFF_KEY = re.compile(r"(^|\.)staff(\.|$)")
MIN_PER_HOUR = 60.0


def staff_hours_per_day(variant: Variant) -> float:
    """Person-hours on duty per day over all stations and roles (a week's mean)."""
    scenario = variant.job.scenario
    hours = sum(
        float(station_on_duty(entry).sum())
        for station in scenario.stations.values()
        for entry in station.staff.values()
    )
    return hours / 7.0


def sweep_jobs(data: ReportData) -> pd.DataFrame:
    """One row per job: staffing, station count, the line it belongs to, and KPI stats."""
    assert data.sweep is not None
    keys = _grouping_keys(data.sweep)
    per_job = data.sweep.drop_duplicates("job").set_index("job")
    rows = []
    for variant in data.variants:
        row: dict[str, object] = {
            "job": variant.name,
            "staff_hours_per_day": staff_hours_per_day(variant),
            "n_stations": sum(  # police and joint-duty stations, not the agencies' offices
                s.kind != "agency_office" for s in variant.job.scenario.stations.values()
            ),
        }
        parts = [f"{row['n_stations']} station{'s' if row['n_stations'] != 1 else ''}"]
        parts += [f"{words(k.split('.')[-1])} {per_job.loc[variant.name, k]}" for k in keys]
        row["line"] = ", ".join(parts)
        for metric in (
            "response_min_p90",
            "call_close_min_p90",
            "call_closed_same_day_share",
            "staff_cost",
        ):
            mean, low, high = variant.kpi(metric)
            row.update({metric: mean, f"{metric}_low": low, f"{metric}_high": high})
        rows.append(row)
    return pd.DataFrame(rows)


def _grouping_keys(sweep: pd.DataFrame) -> list[str]:
    """Swept keys that vary and are not about staff, station count or run length."""
    columns = list(sweep.columns)
    swept = columns[columns.index("status") + 1 : columns.index("metric")]
    return [
        key
        for key in swept
        if not STAFF_KEY.search(key)
        and key != "placement.n_stations"
        and not key.startswith(("run.", "hydra"))
        and sweep.drop_duplicates("job")[key].nunique() > 1
    ]


def service_against_staffing(jobs: pd.DataFrame) -> Figure | None:
    """p90 resolution and response time against staff on duty, a line per station count."""
    if len(jobs) < 2:
        return None
    figure = Figure(figsize=(11, 4.6))
    panels = [
        ("call_close_min_p90", MIN_PER_HOUR, "Resolution time, 90th percentile (hours)"),
        ("response_min_p90", 1.0, "Response time, 90th percentile (minutes)"),
    ]
    for index, (metric, divisor, label) in enumerate(panels, start=1):
        axes = figure.add_subplot(1, 2, index)
        for line, rows in jobs.groupby("line", sort=True):
            rows = rows.sort_values("staff_hours_per_day")
            x = rows["staff_hours_per_day"].to_numpy()
            axes.plot(x, rows[metric] / divisor, "-o", label=str(line))
            low, high = rows[f"{metric}_low"] / divisor, rows[f"{metric}_high"] / divisor
            axes.fill_between(x, low.to_numpy(), high.to_numpy(), alpha=0.2)
        axes.set_xlabel("Staff on duty (person-hours per day)")
        axes.set_ylabel(label)
        axes.set_ylim(bottom=0)
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize=7, title="line (95 % CI band)", title_fontsize=7)
        axes.set_title(label.split(" (")[0] + " against staffing")
    figure.tight_layout()
    return figure


def utilisation_by_job(data: ReportData) -> pd.DataFrame:
    """Utilisation per role (KPI means), one row per job."""
    rows: dict[str, dict[str, float]] = {}
    for variant in data.variants:
        summary = variant.summary
        of_roles = summary[summary["metric"].str.startswith("utilisation_")]
        rows[variant.shown] = {
            words(m.removeprefix("utilisation_")): float(v)
            for m, v in zip(of_roles["metric"], of_roles["mean"], strict=True)
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    return table.dropna(axis=1, how="all").astype(float).replace({np.inf: np.nan})
