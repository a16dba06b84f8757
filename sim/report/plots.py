"""The report's pictures, drawn with matplotlib's object API on the Agg backend.

Each function takes the report's variants (`sim.report.data`) and returns a `Figure`, or
None when the data for it is missing. No pyplot and no global figure state: a `Figure` is
made, drawn and saved, so plots are reproducible and thread-safe. Axes say what they show in
plain words with units.

- `resolution_cdf`: the share of incidents resolved within t, per variant, with 24 h marked.
- `demand_and_staff`: calls per hour of day (bars) against units on duty by role (lines).
- `utilisation_heatmap`: busy share of paid time, station x role.
- `cost_and_service`: staff cost against service, Pareto front highlighted.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.labels import kpi_label, words
from sim.config.rosters import on_duty_minutes, station_on_duty
from sim.report.data import Variant

MIN_PER_HOUR = 60.0
MIN_PER_DAY = 1440.0
MAX_LINES = 8
MAX_PANELS = 4


def resolution_cdf(variants: list[Variant]) -> Figure | None:
    """Share of incidents resolved within a time, per variant; 24 hours marked."""
    shown = [v for v in variants if v.incidents is not None and len(v.incidents)][:MAX_LINES]
    if not shown:
        return None
    figure = Figure(figsize=(8, 4.8))
    axes = figure.add_subplot()
    for variant in shown:
        hours = np.sort(variant.incidents["call_close_min"].dropna().to_numpy()) / MIN_PER_HOUR
        share = np.arange(1, len(hours) + 1) / len(hours)
        same_day = variant.kpi("call_closed_same_day_share")[0]
        axes.step(hours, share, where="post", label=f"{variant.shown} (same day: {same_day:.0%})")
    axes.axvline(24.0, color="black", linestyle="--", linewidth=1)
    axes.text(24.0, 0.5, "24 hours ", rotation=90, va="center", ha="right", fontsize=8)
    axes.set_xscale("log")
    axes.set_xlabel("Resolution time, from the call until settled (hours, log scale)")
    axes.set_ylabel("Share of incidents resolved within that time")
    axes.set_ylim(0, 1)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8, loc="upper left")
    axes.set_title("How long incidents take to resolve")
    figure.tight_layout()
    return figure


def demand_and_staff(variants: list[Variant]) -> Figure | None:
    """Calls per hour of day above the staff on duty by role (stacked), per variant."""
    shown = [v for v in variants if v.incidents is not None][:MAX_PANELS]
    if not shown:
        return None
    figure = Figure(figsize=(10, 5.2 * len(shown)))
    for index, variant in enumerate(shown):
        calls_axes = figure.add_subplot(2 * len(shown), 1, 2 * index + 1)
        calls_axes.bar(range(24), _calls_per_hour_of_day(variant), color="#8395a7")
        calls_axes.set_ylabel("Calls per hour (mean)")
        calls_axes.set_title(f"{variant.shown}: demand by hour of day against staff on duty")
        staff_axes = figure.add_subplot(2 * len(shown), 1, 2 * index + 2, sharex=calls_axes)
        bottom = np.zeros(24)
        for role, units in _units_on_duty_by_hour(variant).items():
            staff_axes.bar(range(24), units, bottom=bottom, label=words(role))
            bottom += units
        staff_axes.set_ylabel("Staff on duty (units)")
        staff_axes.set_xlabel("Hour of the day")
        staff_axes.set_xticks(range(0, 24, 2))
        staff_axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.tight_layout()
    return figure


def _calls_per_hour_of_day(variant: Variant) -> np.ndarray:
    incidents = variant.incidents
    assert incidents is not None
    n_replications = max(incidents["replication"].nunique(), 1)
    days = variant.job.run.horizon_days * n_replications
    hours = (incidents["t_arrival"] % MIN_PER_DAY // MIN_PER_HOUR).astype(int)
    return np.bincount(hours, minlength=24)[:24] / days


def _units_on_duty_by_hour(variant: Variant) -> dict[str, np.ndarray]:
    """Units on duty per role by hour of day, averaged over the week (all stations)."""
    units: dict[str, np.ndarray] = {}
    for station in variant.job.scenario.stations.values():
        for role, entry in station.staff.items():
            weekly = station_on_duty(entry).reshape(7, 24).mean(axis=0)
            units[role] = units.get(role, np.zeros(24)) + weekly
    return {role: u for role, u in units.items() if u.any()}


def utilisation_table(variants: list[Variant]) -> pd.DataFrame:
    """Busy share of rostered time in the window, rows station (per variant), columns role."""
    rows: dict[str, dict[str, float]] = {}
    for variant in variants:
        if variant.busy is None:
            continue
        t_from, t_to = variant.window_min
        busy = variant.busy
        n_replications = max(busy["replication"].nunique(), 1)
        clipped = busy["t_end"].clip(t_from, t_to) - busy["t_start"].clip(t_from, t_to)
        busy_min = clipped.groupby([busy["station"], busy["role"]]).sum()
        for name, station in variant.job.scenario.stations.items():
            label = name if len(variants) == 1 else f"{variant.name}: {name}"
            row = rows.setdefault(words(label), {})
            for role, entry in station.staff.items():
                paid = on_duty_minutes(entry, t_from, t_to) * n_replications
                if paid > 0:
                    row[words(role)] = float(busy_min.get((name, role), 0.0)) / paid
    return pd.DataFrame.from_dict(rows, orient="index")


def utilisation_heatmap(table: pd.DataFrame, title: str) -> Figure | None:
    """A heat map of a utilisation table (rows x roles), each cell labelled in percent."""
    if table.empty:
        return None
    values = table.to_numpy(dtype=float)
    label_width = max(len(str(i)) for i in table.index) * 0.075
    figure = Figure(figsize=(2.6 + label_width + 1.2 * table.shape[1], 1.6 + 0.5 * table.shape[0]))
    axes = figure.add_subplot()
    image = axes.imshow(np.ma.masked_invalid(values), cmap="YlOrRd", vmin=0, vmax=1, aspect="auto")
    axes.set_xticks(range(table.shape[1]), [str(c) for c in table.columns], rotation=30, ha="right")
    axes.set_yticks(range(table.shape[0]), [str(i) for i in table.index])
    for (row, column), value in np.ndenumerate(values):
        text = "no staff" if np.isnan(value) else f"{value:.0%}"
        colour = "white" if value > 0.6 else "black"
        axes.text(column, row, text, ha="center", va="center", fontsize=8, color=colour)
    figure.colorbar(image, ax=axes, label="Utilisation")
    axes.set_title(title)
    figure.tight_layout()
    return figure


def cost_and_service(variants: list[Variant]) -> Figure | None:
    """Staff cost against response (lower is better) and same-day share (higher is better)."""
    if len(variants) < 2:
        return None
    figure = Figure(figsize=(11, 4.6))
    for index, (metric, lower_better) in enumerate(
        [("response_min_p90", True), ("call_closed_same_day_share", False)], start=1
    ):
        axes = figure.add_subplot(1, 2, index)
        cost = np.array([v.kpi("staff_cost")[0] for v in variants])
        stats = np.array([v.kpi(metric) for v in variants])
        scale = 100.0 if metric.endswith("share") else 1.0
        service, low, high = stats[:, 0] * scale, stats[:, 1] * scale, stats[:, 2] * scale
        axes.errorbar(
            cost,
            service,
            yerr=[service - low, high - service],
            fmt="o",
            color="#8395a7",
            ecolor="#c8d6e5",
            label="configurations (95 % CI)",
        )
        front = pareto_front(cost, service, lower_better)
        order = front[np.argsort(cost[front])]
        axes.plot(
            cost[order],
            service[order],
            "-o",
            color="#e74c3c",
            markersize=9,
            zorder=3,
            label="Pareto front (cheapest for its service)",
        )
        for position in order:
            axes.annotate(
                _short(variants[position].shown),
                (cost[position], service[position]),
                fontsize=7,
                xytext=(4, 4),
                textcoords="offset points",
            )
        unit = " (%)" if scale == 100.0 else ""
        axes.set_ylabel(kpi_label(metric).replace(" (minutes)", " (minutes)") + unit)
        axes.set_xlabel("Staff cost per day (currency)")
        better = "lower is better" if lower_better else "higher is better"
        what = "response time" if lower_better else "same-day resolution"
        axes.set_title(f"Staff cost against {what} ({better})")
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize=7)
    figure.tight_layout()
    return figure


def pareto_front(cost: np.ndarray, service: np.ndarray, lower_better: bool) -> np.ndarray:
    """Indices of the configurations no other is at least as cheap and as good as (and
    better in one)."""
    goodness = -service if lower_better else service
    front = []
    for i in range(len(cost)):
        dominated = np.any(
            (cost <= cost[i])
            & (goodness >= goodness[i])
            & ((cost < cost[i]) | (goodness > goodness[i]))
        )
        if not dominated and np.isfinite(cost[i]) and np.isfinite(goodness[i]):
            front.append(i)
    return np.array(front, dtype=int)


def _short(name: str, width: int = 28) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"
