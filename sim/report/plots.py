"""The report's pictures, drawn with matplotlib's object API on the Agg backend.

Each function takes the report's variants (`sim.report.data`) and returns a `Figure`, or
None when the data for it is missing. No pyplot and no global figure state: a `Figure` is
made, drawn and saved, so plots are reproducible and thread-safe. Every plot has a title and
axis labels with units; times are in minutes (a log axis marks hours and days as well);
money is in the scenario's currency.

Every point can be told apart: variants are numbered in report order (`point_keys`), the
number is drawn beside each point, and a key beside the plot (or, for many points, the
report's table) gives each number's full label, never cut. When there are more variants than
a plot can show (`MAX_LINES`, `MAX_PANELS`), `chosen` keeps the baseline (the first) and the
Pareto front of cost against service, and the plot's note says so.

- `resolution_cdf`: the share of matters settled within t (calls closed, without a matters
  table), per variant, with 24 h marked.
- `demand_and_staff`: calls per hour of day (bars) against units on duty by role.
- `utilisation_heatmap`: busy share of time on duty (overtime counted), station x role.
- `cost_and_service`: staff cost against service, Pareto front highlighted.
"""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.analysis.labels import UTILISATION_DEFINITION, currency, kpi_label, words
from sim.config.rosters import on_duty_minutes, station_on_duty
from sim.report.data import Variant

MIN_PER_HOUR = 60.0
MIN_PER_DAY = 1440.0
MAX_LINES = 6
MAX_PANELS = 4
MAX_KEY = 24  # points listed in a key beside the plot; more: see the report's table
KEY_WIDTH = 44  # characters a key line wraps at (wrapped, never cut)
TIME_TICKS_MIN = [(10, "10 min"), (60, "1 h"), (480, "8 h"), (1440, "1 day"), (10080, "1 week")]


def point_keys(variants: list[Variant]) -> list[str]:
    """The number each variant is drawn with: its place in the report, from 1."""
    return [str(i) for i in range(1, len(variants) + 1)]


def chosen(variants: list[Variant], limit: int) -> tuple[list[int], str]:
    """At most `limit` variant indices: all if they fit, else the baseline (first), then the
    Pareto front of staff cost against same-day settlement, then the next fronts (the front of
    what is left), cheapest first; and a note saying which and why."""
    if len(variants) <= limit:
        return list(range(len(variants))), ""
    cost = np.array([v.kpi("staff_cost")[0] for v in variants])
    share = np.array([v.kpi("settled_same_day_share")[0] for v in variants])
    keep, left = [0], np.arange(1, len(variants))
    first_front: list[int] = []
    while len(keep) < limit and len(left):
        front = left[pareto_front(cost[left], share[left], lower_better=False)]
        if not len(front):
            break
        front = front[np.argsort(cost[front], kind="stable")]
        first_front = first_front or [int(i) for i in front]
        keep += [int(i) for i in front][: limit - len(keep)]
        left = np.setdiff1d(left, front)
    note = (
        f"{len(keep)} of {len(variants)} configurations shown ({_numbers(keep)}): the baseline "
        f"(1), the cheapest for their same-day share (Pareto front: {_numbers(first_front)}) "
        "and then the next-best; all are in the tables."
    )
    return keep, note


def _numbers(indices: list[int]) -> str:
    return ", ".join(str(i + 1) for i in indices)


def add_key(figure: Figure, axes: Axes, lines: list[str]) -> None:
    """A key beside `axes`: one wrapped line per numbered point."""
    text = "\n".join(textwrap.fill(line, KEY_WIDTH, subsequent_indent="    ") for line in lines)
    axes.text(
        1.02,
        1.0,
        text,
        transform=axes.transAxes,
        va="top",
        ha="left",
        fontsize=7,
        family="monospace",
        bbox={"boxstyle": "round", "fc": "#f7f9fb", "ec": "#c8d6e5"},
    )


def key_lines(variants: list[Variant], indices: list[int]) -> list[str]:
    """`3  fcjd.police=2, fcjd.grid_worker=1` for each shown variant; or one line pointing to
    the table when there are too many to list."""
    if len(indices) > MAX_KEY:
        return ["numbers: the point column", "of the report's tables"]
    return [f"{i + 1:>2}  {variants[i].shown}" for i in indices]


def settlement_times(variant: Variant) -> tuple[np.ndarray, int, bool]:
    """Sorted times to settlement of the variant's matters (minutes), how many matters there
    were (open ones count as not settled), and whether they came from the matters table; a
    run without one falls back to the calls' close times."""
    matters = getattr(variant, "matters", None)
    if matters is not None and "settle_min" in matters and len(matters):
        return np.sort(matters["settle_min"].dropna().to_numpy()), len(matters), True
    minutes = np.sort(variant.incidents["call_close_min"].dropna().to_numpy())
    return minutes, len(minutes), False


def resolution_cdf(variants: list[Variant]) -> tuple[Figure, str] | None:
    """Share of matters settled within a time, per variant (numbered); 24 hours marked."""
    usable = [i for i, v in enumerate(variants) if v.incidents is not None and len(v.incidents)]
    if not usable:
        return None
    picked, note = chosen([variants[i] for i in usable], MAX_LINES)
    shown = [usable[i] for i in picked]
    if note:
        note = note.replace(f"({_numbers(picked)})", f"({_numbers(shown)})")
    figure = Figure(figsize=(11, 5), layout="constrained")
    axes = figure.add_subplot()
    short_names = all(len(variants[i].shown) <= KEY_WIDTH for i in shown)
    for index in shown:
        variant = variants[index]
        minutes, n_total, from_matters = settlement_times(variant)
        share = np.arange(1, len(minutes) + 1) / max(n_total, 1)
        same_day = variant.kpi(
            "settled_same_day_share" if from_matters else "call_closed_same_day_share"
        )[0]
        name = f" {variant.shown}" if short_names else ""
        axes.step(
            minutes,
            share,
            where="post",
            linewidth=1.6,
            label=f"{index + 1}{name}: same day {same_day:.0%}",
        )
    axes.axvline(MIN_PER_DAY, color="black", linestyle="--", linewidth=1)
    axes.set_xscale("log")
    axes.set_xticks([t for t, _ in TIME_TICKS_MIN], [f"{t:,}\n({w})" for t, w in TIME_TICKS_MIN])
    what = "matters settled" if from_matters else "calls closed (no matters table)"
    axes.set_xlabel(
        "Time to settlement of a matter, first call until settled (minutes, log scale)"
        if from_matters
        else "Call close time, from the call until the units leave (minutes, log scale)"
    )
    axes.set_ylabel(f"Share of {what} within that time (%)")
    axes.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axes.set_ylim(0, 1)
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(fontsize=8, loc="lower right", title="point (dashed: 24 hours)", title_fontsize=8)
    axes.set_title(
        "How long matters take to settle (open ones count as not settled)"
        if from_matters
        else "How long calls take to close"
    )
    if not short_names:
        add_key(figure, axes, key_lines(variants, shown))
    return figure, note


def demand_and_staff(variants: list[Variant]) -> tuple[Figure, str] | None:
    """Calls per hour of day above the staff on duty by role (stacked), per variant."""
    usable = [i for i, v in enumerate(variants) if v.incidents is not None]
    if not usable:
        return None
    picked, note = chosen([variants[i] for i in usable], MAX_PANELS)
    shown = [usable[i] for i in picked]
    if note:
        note = note.replace(f"({_numbers(picked)})", f"({_numbers(shown)})")
    figure = Figure(figsize=(11, 5.2 * len(shown)), layout="constrained")
    for row, index in enumerate(shown):
        variant = variants[index]
        calls_axes = figure.add_subplot(2 * len(shown), 1, 2 * row + 1)
        calls_axes.bar(range(24), _calls_per_hour_of_day(variant), color="#8395a7")
        calls_axes.set_ylabel("Calls per hour (mean)")
        calls_axes.set_xlabel("Hour of the day (h)")
        title = textwrap.shorten(variant.shown, 200)
        calls_axes.set_title(
            textwrap.fill(f"{index + 1}: {title}: demand by hour of day against staff on duty", 90)
        )
        staff_axes = figure.add_subplot(2 * len(shown), 1, 2 * row + 2, sharex=calls_axes)
        bottom = np.zeros(24)
        for role, units in _units_on_duty_by_hour(variant).items():
            staff_axes.bar(range(24), units, bottom=bottom, label=words(role))
            bottom += units
        staff_axes.set_ylabel("Staff on duty (units)")
        staff_axes.set_xlabel("Hour of the day (h)")
        staff_axes.set_title(f"{index + 1}: staff on duty by role (week's mean)")
        staff_axes.set_xticks(range(0, 24, 2))
        staff_axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return figure, note


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
    """Busy share of time on duty in the window (`UTILISATION_DEFINITION`), rows station (per
    variant), columns role. Overtime per station is not stored in a run directory: a role's
    overtime (the `overtime_min_<role>` KPI) is shared among its stations by their busy
    minutes, so a role's stations together match its utilisation KPI."""
    rows: dict[str, dict[str, float]] = {}
    for number, variant in enumerate(variants, start=1):
        if variant.busy is None:
            continue
        t_from, t_to = variant.window_min
        busy = variant.busy
        n_replications = max(busy["replication"].nunique(), 1)
        clipped = busy["t_end"].clip(t_from, t_to) - busy["t_start"].clip(t_from, t_to)
        busy_min = clipped.groupby([busy["station"], busy["role"]], observed=True).sum()
        role_busy = busy_min.groupby(level=1, observed=True).sum()
        days = (t_to - t_from) / MIN_PER_DAY * n_replications
        for name, station in variant.job.scenario.stations.items():
            tag = variant.shown if len(variant.shown) <= 24 else str(number)
            label = name if len(variants) == 1 else f"{tag}: {name}"
            row = rows.setdefault(words(label), {})
            for role, entry in station.staff.items():
                paid = on_duty_minutes(entry, t_from, t_to) * n_replications
                mine = float(busy_min.get((name, role), 0.0))
                overtime = variant.kpi(f"overtime_min_{role}")[0] * days
                if overtime == overtime and role_busy.get(role, 0.0) > 0:
                    paid += overtime * mine / float(role_busy[role])
                if paid > 0:
                    row[words(role)] = mine / paid
    return pd.DataFrame.from_dict(rows, orient="index")


def utilisation_heatmap(table: pd.DataFrame, title: str) -> Figure | None:
    """A heat map of a utilisation table (rows x roles), each cell labelled in percent."""
    if table.empty:
        return None
    values = table.to_numpy(dtype=float)
    label_width = max(len(str(i)) for i in table.index) * 0.075
    figure = Figure(
        figsize=(3.2 + label_width + 1.2 * table.shape[1], 2.2 + 0.5 * table.shape[0]),
        layout="constrained",
    )
    axes = figure.add_subplot()
    image = axes.imshow(np.ma.masked_invalid(values), cmap="YlOrRd", vmin=0, vmax=1, aspect="auto")
    axes.set_xticks(range(table.shape[1]), [str(c) for c in table.columns], rotation=30, ha="right")
    axes.set_yticks(range(table.shape[0]), [str(i) for i in table.index])
    for (row, column), value in np.ndenumerate(values):
        text = "no staff" if np.isnan(value) else f"{value:.0%}"
        colour = "white" if value > 0.6 else "black"
        axes.text(column, row, text, ha="center", va="center", fontsize=8, color=colour)
    colorbar = figure.colorbar(image, ax=axes, label="Utilisation (%)")
    colorbar.ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axes.set_xlabel("Role")
    axes.set_ylabel(title.split(" by ")[-1].split(" and ")[0].capitalize())
    axes.set_title(f"{title}\nutilisation = {UTILISATION_DEFINITION}")
    return figure


def cost_and_service(variants: list[Variant]) -> Figure | None:
    """Staff cost against response (lower is better) and same-day share (higher is better);
    every point numbered, 95 % CI bars, the Pareto front joined."""
    if len(variants) < 2:
        return None
    money = currency(variants[0].job.scenario)
    figure = Figure(figsize=(13, 5), layout="constrained")
    panels = figure.subplots(1, 2)
    cost = np.array([v.kpi("staff_cost")[0] for v in variants])
    for axes, (metric, lower_better) in zip(
        panels, [("response_min_p90", True), ("settled_same_day_share", False)], strict=True
    ):
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
            elinewidth=3,
            capsize=3,
            label="configuration, 95 % CI bar",
        )
        front = pareto_front(cost, service, lower_better)
        order = front[np.argsort(cost[front])]
        axes.plot(
            cost[order],
            service[order],
            "-o",
            color="#e74c3c",
            markersize=8,
            zorder=3,
            label="Pareto front (cheapest for its service)",
        )
        _number_points(axes, cost, service)
        axes.set_ylabel(kpi_label(metric) + (" (%)" if scale == 100.0 else ""))
        axes.set_xlabel(kpi_label("staff_cost", money))
        better = "lower is better" if lower_better else "higher is better"
        what = "response time" if lower_better else "same-day settlement"
        axes.set_title(f"Staff cost against {what}\n({better})")
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize=7, loc="best")
    add_key(figure, panels[1], key_lines(variants, list(range(len(variants)))))
    return figure


def _number_points(axes: Axes, x: np.ndarray, y: np.ndarray) -> None:
    """Each point's number beside it, nudged apart where points coincide."""
    seen: dict[tuple[float, float], int] = {}
    for index, (px, py) in enumerate(zip(x, y, strict=True)):
        if not (np.isfinite(px) and np.isfinite(py)):
            continue
        spot = (round(float(px), 6), round(float(py), 6))
        nth = seen.get(spot, 0)
        seen[spot] = nth + 1
        axes.annotate(
            str(index + 1),
            (px, py),
            xytext=(5 + 9 * nth, 5),
            textcoords="offset points",
            fontsize=8,
            fontweight="bold",
        )


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
