"""The analytic first answer, as text and tables (`jointduty estimate`, `sim.cli.estimate`).

The command prints, in a fixed layout under 100 columns, for each role and hour of the day
the offered load (mean units busy if no job waited, work still running from earlier hours
included), the units needed to meet the wait target (`sim.planner.staffing`) and the units
the scenario's roster puts on duty, `!` marking an hour whose need is above the roster (roles
in blocks that fit the width); then per role the jobs a day, busy minutes per job, the
staff-hours needed and rostered and the utilisation the load implies. It ends with where the
roster falls short (`shortfall_lines`): per station and role (a station's units serve the
calls nearest to it, as the dispatcher sends them), the hours of the week short and by how
many units, the missing unit-hours a week, and what closing the gap costs a week at the
role's `cost_per_hour` in the scenario's currency. It takes well under a second after the
config is composed. With `--simulate` it also runs the scenario's replications and prints the
simulated mean units busy by hour, utilisation and share of calls that waited, so that the
gaps of the analytic answer (teammates waiting for each other, travel, follow-ups, dispatch
between stations) show. `--out DIR` writes `estimate.csv` (one row per role and hour of the
week), `estimate_stations.csv` (one row per station, role and hour of the week, with the
shortfall) and, with `--simulate`, `estimate_simulated.csv`.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config.scenario import JobConfig, ScenarioConfig
from sim.planner.simulated_load import SimulatedFigures, simulate_figures
from sim.planner.staffing import StaffingTarget, by_hour_of_day, role_summary
from sim.planner.staffing_levers import WEEKDAYS, currency

MAX_COLUMNS = 99  # every printed line is narrower than this
HOUR_WIDTH = 7  # "08-09  "
CELL_WIDTH = 20  # "   0.53     1/0!    "
SIM_WIDTH = 6


def run_simulation(job: JobConfig) -> SimulatedFigures:
    from sim.experiment.progress import progress_printer

    return simulate_figures(job, progress_printer("replication"))


def format_estimate(
    job: JobConfig,
    target: StaffingTarget,
    table: pd.DataFrame,
    p_wait: float,
    simulated: SimulatedFigures | None = None,
    stations: pd.DataFrame | None = None,
) -> str:
    """The estimate as text (under 100 columns): the hour-of-day table, the role summary,
    the wait shares, and where the roster falls short (`shortfall_lines`, from `stations`,
    `sim.planner.staffing.station_estimate`)."""
    roles = [
        r for r, t in table.groupby("role", sort=False) if t[["needed", "rostered"]].any().any()
    ]
    lines = [
        f"Analytic staffing estimate for {job.scenario.name} "
        "(Erlang C on the time-varying offered load)",
        f"target: a job waits at most {target.wait_min:g} min for a free unit of each role, "
        f"{target.service_level:.0%} of the time",
        "load = mean units busy if no job waited, work still running from earlier hours",
        "included (average day); need = units asked for (most on any weekday);",
        "roster = units on duty (fewest on any weekday); ! = need above roster",
        *(["sim = simulated mean units busy (average day)"] if simulated else []),
        "",
        *_hour_table(by_hour_of_day(table), roles, simulated),
        "",
        *_summary_lines(role_summary(table), roles, simulated),
        "",
        f"share of calls whose first response waits for a unit: analytic {p_wait:.1%}"
        + (f", simulated {_ci_text(simulated.p_wait, '{:.1%}')}" if simulated else ""),
    ]
    if stations is not None:
        lines += ["", *shortfall_lines(job.scenario, stations)]
    return "\n".join(lines)


def _hour_table(
    folded: pd.DataFrame, roles: list[str], simulated: SimulatedFigures | None
) -> list[str]:
    """Hours down, roles across, each cell `load [sim] need/roster`; roles in blocks that
    keep every line under `MAX_COLUMNS`."""
    cell = CELL_WIDTH + (SIM_WIDTH if simulated else 0)
    per_block = max(1, (MAX_COLUMNS - HOUR_WIDTH) // cell)
    sub = f" {'load':>6s}" + (f"{'sim':>{SIM_WIDTH}s}" if simulated else "") + "  need/roster"
    lines: list[str] = []
    for first in range(0, len(roles), per_block):
        block = roles[first : first + per_block]
        if lines:
            lines.append("")
        lines.append(" " * HOUR_WIDTH + "".join(f"{_fit(r, cell):^{cell}s}" for r in block))
        lines.append(f"{'hour':<{HOUR_WIDTH}s}" + "".join(f"{sub:<{cell}s}" for _ in block))
        for hour in range(24):
            cells = []
            for role in block:
                row = folded[(folded["role"] == role) & (folded["hour"] == hour)].iloc[0]
                text = f" {row.offered_load:6.2f}"
                if simulated:
                    text += f"{simulated.busy_mean(role, hour):{SIM_WIDTH}.2f}"
                need, roster = int(row.needed), float(row.rostered)
                mark = "!" if need > roster + 1e-9 else ""
                text += f" {need:5d}/{f'{roster:g}{mark}':<6s}"
                cells.append(f"{text:<{cell}s}")
            lines.append((f"{hour:02d}-{hour + 1:02d}".ljust(HOUR_WIDTH) + "".join(cells)).rstrip())
    return lines


def _fit(name: str, width: int) -> str:
    """A role name that fits a cell (cut with a dot only if longer than the cell)."""
    room = width - 1
    return name if len(name) <= room else name[: room - 1] + "."


def _summary_lines(
    summary: pd.DataFrame, roles: list[str], simulated: SimulatedFigures | None
) -> list[str]:
    width = max([len("role"), *(len(r) for r in roles)]) + 2
    header = (
        f"{'role':{width}s}{'jobs/day':>9s}{'busy min/job':>13s}{'needed h/day':>13s}"
        f"{'rostered h/day':>15s}{'utilisation':>12s}"
    )
    lines = [header]
    for row in summary[summary["role"].isin(roles)].itertuples(index=False):
        busy = "-" if pd.isna(row.busy_min_per_job) else f"{row.busy_min_per_job:.1f}"
        utilisation = "-" if pd.isna(row.utilisation) else f"{row.utilisation:.1%}"
        lines.append(
            f"{row.role:{width}s}{row.jobs_per_day:9.1f}{busy:>13s}"
            f"{row.needed_hours_per_day:13.1f}{row.rostered_hours_per_day:15.1f}"
            f"{utilisation:>12s}"
        )
    if simulated:
        lines += ["", f"{'role':{width}s}simulated utilisation [95% CI]"]
        lines += [
            f"{role:{width}s}{_ci_text(simulated.utilisation(role), '{:.1%}')}" for role in roles
        ]
    return lines


@dataclass(frozen=True)
class Shortfall:
    """Where and when one station's roster of one role falls short, and what closing it costs."""

    station: str
    role: str
    most_units: int  # the largest shortfall in any hour
    unit_hours_per_week: float
    cost_per_week: float
    when: str  # e.g. "daily 18-20 +1; Sa,Su 09-17 +2"


def shortfalls(scenario: ScenarioConfig, stations: pd.DataFrame) -> list[Shortfall]:
    """Each station and role whose roster falls short in some hour of the week, largest
    cost first; the cost is the missing unit-hours times the role's `cost_per_hour`."""
    found = []
    for (station, role), rows in stations.groupby(["station", "role"], sort=False):
        short = rows.sort_values("hour_of_week")["short"].to_numpy(dtype=int)
        if not short.any():
            continue
        hours = float(short.sum())
        found.append(
            Shortfall(
                str(station),
                str(role),
                int(short.max()),
                hours,
                hours * scenario.roles[str(role)].cost_per_hour,
                when_text(short),
            )
        )
    return sorted(found, key=lambda s: (-s.cost_per_week, -s.unit_hours_per_week))


def when_text(short: np.ndarray) -> str:
    """The hours of a week with a shortfall, as weekday groups with clock ranges and units,
    e.g. `daily 17-19 +1` or `Mo-Fr 09-17 +2, 17-18 +1; Sa,Su 09-17 +1`."""
    by_day = [_runs(short[day * 24 : (day + 1) * 24]) for day in range(7)]
    groups: dict[tuple[tuple[int, int, int], ...], list[int]] = {}
    for day, runs in enumerate(by_day):
        if runs:
            groups.setdefault(runs, []).append(day)
    parts = []
    for runs, days in groups.items():
        clock = ", ".join(f"{a:02d}-{b:02d} +{n}" for a, b, n in runs)
        parts.append(f"{_days_text(days)} {clock}")
    return "; ".join(parts)


def _runs(day: np.ndarray) -> tuple[tuple[int, int, int], ...]:
    """(start hour, end hour, units) for each stretch of one day with the same shortfall."""
    runs: list[tuple[int, int, int]] = []
    for hour, units in enumerate(int(u) for u in day):
        if units and runs and runs[-1][1] == hour and runs[-1][2] == units:
            runs[-1] = (runs[-1][0], hour + 1, units)
        elif units:
            runs.append((hour, hour + 1, units))
    return tuple(runs)


def _days_text(days: list[int]) -> str:
    if len(days) == 7:
        return "daily"
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{WEEKDAYS[days[0]]}-{WEEKDAYS[days[-1]]}"
    return ",".join(WEEKDAYS[d] for d in days)


def shortfall_lines(scenario: ScenarioConfig, stations: pd.DataFrame) -> list[str]:
    """The closing list: where and when the roster falls short, by how many, at what cost."""
    money = currency(scenario)
    found = shortfalls(scenario, stations)
    lines = [
        "Where the roster falls short (per station: its units serve the calls nearest to it;",
        "need as above, shortfall = need - units on duty; hours of the week, Mo = day 0):",
    ]
    if not found:
        return [*lines, "  nowhere: every station's roster covers the need in every hour."]
    for item in found:
        lines.append(
            f"  {item.station}.{item.role}: up to +{item.most_units}, "
            f"{item.unit_hours_per_week:,.0f} unit-hours/week, "
            f"{item.cost_per_week:,.0f} {money}/week"
        )
        lines += textwrap.wrap(
            item.when, MAX_COLUMNS - 1, initial_indent="      ", subsequent_indent="      "
        )
    hours = sum(item.unit_hours_per_week for item in found)
    cost = sum(item.cost_per_week for item in found)
    lines.append(
        f"closing every gap: {hours:,.0f} unit-hours a week, {cost:,.0f} {money} a week "
        "(each role's cost_per_hour)"
    )
    return lines


def _ci_text(values: tuple[float, float, float], fmt: str) -> str:
    mean, low, high = values
    if pd.isna(mean):
        return "-"
    return f"{fmt.format(mean)} [{fmt.format(low)}, {fmt.format(high)}]"


def write_estimate(
    out_dir: Path,
    table: pd.DataFrame,
    simulated: SimulatedFigures | None,
    stations: pd.DataFrame | None = None,
) -> None:
    from sim.results.files import write_csv

    write_csv(table, out_dir / "estimate.csv")
    if stations is not None:
        write_csv(stations, out_dir / "estimate_stations.csv")
    if simulated is not None:
        write_csv(simulated.busy_by_hour, out_dir / "estimate_simulated.csv")
