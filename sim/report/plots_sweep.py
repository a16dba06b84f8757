"""Pictures of a sweep: service against staffing, every job a numbered point.

Staffing is measured the same way for every job whatever was swept (officers at one station,
placed stations' staff, rosters): the staff on duty in person-hours per day, read from the
job's own validated scenario. Colours group the jobs by station count and by any other swept
key that is not about staff (a dispatch policy, say); a group's points are joined only where
each staffing level has one job (otherwise a line would zig-zag between different mixes).
Bars are the 95 % CIs. Each point carries its number (`point`), which the key beside the
plot and the report's table of jobs give as the job's swept values.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.labels import words
from sim.config.rosters import station_on_duty
from sim.report.data import ReportData, Variant, swept_keys
from sim.report.plots import MAX_KEY, add_key, key_lines
from sim.results.jobstatus import short_key

STAFF_KEY = re.compile(r"(^|\.)staff(\.|$)")


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
            "point": len(rows) + 1,
            "label": variant.shown,
            "job": variant.name,
            "staff_hours_per_day": staff_hours_per_day(variant),
            "n_stations": sum(  # police and joint-duty stations, not the agencies' offices
                s.kind != "agency_office" for s in variant.job.scenario.stations.values()
            ),
        }
        parts = [_stations_text(int(row["n_stations"]), _placed(per_job, variant.name))]
        parts += [f"{short_key(k)}={_value(per_job.loc[variant.name, k])}" for k in keys]
        row["line"] = ", ".join(parts)
        for metric in (
            "response_min_p90",
            "settle_min_p90",
            "settled_same_day_share",
            "call_close_min_p90",
            "call_closed_same_day_share",
            "staff_cost",
        ):
            mean, low, high = variant.kpi(metric)
            row.update({metric: mean, f"{metric}_low": low, f"{metric}_high": high})
        rows.append(row)
    return pd.DataFrame(rows)


def _grouping_keys(sweep: pd.DataFrame) -> list[str]:
    """Swept keys a line holds fixed: those not about staff, station count or run length, and
    every staff key but the one with the most values (which the line runs along)."""
    per_job = sweep.drop_duplicates("job")
    swept = [k for k in swept_keys(sweep) if not k.lstrip("+~").startswith(("run.", "hydra"))]
    staff = [k for k in swept if STAFF_KEY.search(k)]
    along = max(staff, key=lambda k: per_job[k].astype(str).nunique(), default=None)
    return [k for k in swept if k != along and k.lstrip("+~") != "placement.n_stations"]


def _placed(per_job: pd.DataFrame, job: str) -> int | None:
    """The swept `placement.n_stations` of a job, if the sweep set it."""
    for key in per_job.columns:
        if str(key).lstrip("+~") == "placement.n_stations" and pd.notna(per_job.loc[job, key]):
            return int(per_job.loc[job, key])
    return None


def _stations_text(n_total: int, n_placed: int | None) -> str:
    """`3 stations`, or `n_stations=2 (3 stations)` where placement kept other stations."""
    total = f"{n_total} station{'s' if n_total != 1 else ''}"
    if n_placed is None or n_placed == n_total:
        return total
    return f"n_stations={n_placed} ({total} in all)"


def _value(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def service_against_staffing(jobs: pd.DataFrame) -> Figure | None:
    """p90 time to settlement of a matter and p90 response time (minutes) against staff on
    duty, numbered points with 95 % CI bars, coloured by station count (and other swept keys
    not about staff)."""
    if len(jobs) < 2:
        return None
    figure = Figure(figsize=(13, 5), layout="constrained")
    panels = figure.subplots(1, 2)
    metrics = [
        ("settle_min_p90", "Time to settlement of a matter, 90th percentile (minutes)"),
        ("response_min_p90", "Response time, 90th percentile (minutes)"),
    ]
    for axes, (metric, label) in zip(panels, metrics, strict=True):
        for line, rows in jobs.groupby("line", sort=True):
            rows = rows.sort_values("staff_hours_per_day")
            x, y = rows["staff_hours_per_day"].to_numpy(), rows[metric].to_numpy()
            error = [y - rows[f"{metric}_low"].to_numpy(), rows[f"{metric}_high"].to_numpy() - y]
            joined = "-o" if rows["staff_hours_per_day"].is_unique else "o"
            axes.errorbar(x, y, yerr=error, fmt=joined, capsize=3, label=f"{line}, 95 % CI bar")
            for point, px, py in zip(rows["point"], x, y, strict=True):
                axes.annotate(
                    str(point),
                    (px, py),
                    xytext=(5, 5),
                    textcoords="offset points",
                    fontsize=8,
                    fontweight="bold",
                )
        axes.set_xlabel("Staff on duty (person-hours per day)")
        axes.set_ylabel(label)
        top = float(np.nanmax(jobs[[metric, f"{metric}_high"]].to_numpy()))
        axes.set_ylim(0, top * 1.15 if np.isfinite(top) and top > 0 else 1)
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize=7, loc="lower left")
        axes.set_title(label.split(" (")[0] + "\nagainst staffing (lower is better)")
    lines = [f"{p:>2}  {lab}" for p, lab in zip(jobs["point"], jobs["label"], strict=True)]
    add_key(figure, panels[1], lines if len(lines) <= MAX_KEY else key_lines([], [0] * len(lines)))
    return figure


def utilisation_by_job(data: ReportData) -> pd.DataFrame:
    """Utilisation per role (KPI means), one row per job."""
    rows: dict[str, dict[str, float]] = {}
    for point, variant in enumerate(data.variants, start=1):
        summary = variant.summary
        of_roles = summary[summary["metric"].str.startswith("utilisation_")]
        rows[f"{point}: {variant.shown}"] = {
            words(m.removeprefix("utilisation_")): float(v)
            for m, v in zip(of_roles["metric"], of_roles["mean"], strict=True)
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    return table.dropna(axis=1, how="all").astype(float).replace({np.inf: np.nan})
