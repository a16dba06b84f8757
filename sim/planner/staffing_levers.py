"""Staffing levers: the counts an optimiser may change, one per station, role and shift.

A station's staff entry is a count (on duty around the clock: one lever) or a roster: a
named pattern (`3x8`, `2x12`, `day`: one lever per shift, written back as `counts`) or custom
shifts (one lever per shift). A lever is labelled `station.role`, with the shift in brackets
where the roster has several (`taozhu_police_station.police[08-16]`); `default_minimums` keeps
at least one police officer on duty at every police station in every shift. A *staffing* is
a tuple of counts, one per lever; `apply` puts it into a scenario, `staff_cost_per_day`
prices it (rostered hours times the role's cost per hour, averaged over a week),
`as_overrides` writes it as command-line overrides that reproduce it (`jointduty run
<overrides>`), and `analytic_start` reads a first guess off the Erlang C estimate
(`sim.planner.staffing`), never below the minimums.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config.rosters import roster_shifts, station_on_duty
from sim.config.scenario import RosterConfig, ScenarioConfig, ShiftConfig
from sim.planner.workload import HOURS_PER_WEEK

Staffing = tuple[int, ...]
POLICE_ROLE = "police"
DEFAULT_CURRENCY = "CNY"
WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MIN_PER_WEEK = HOURS_PER_WEEK * 60.0


@dataclass(frozen=True)
class Lever:
    """One count: units of `role` at `station` (in shift `shift` of its roster, if any)."""

    station: str
    role: str
    shift: int | None  # None: a plain 24 h count
    label: str  # e.g. "taozhu_police_station.police[08-16]" (no [...] for a single shift)
    hours_of_week: tuple[int, ...]  # the hours this lever's units are on duty

    @property
    def unit(self) -> str:
        """`station.role`: the staff entry the lever belongs to."""
        return f"{self.station}.{self.role}"


def levers_of(scenario: ScenarioConfig, roles: set[str] | None = None) -> list[Lever]:
    """Every lever of the scenario's stations (only those of `roles`, if given)."""
    levers = []
    for station_name, station in scenario.stations.items():
        for role, entry in station.staff.items():
            if roles is not None and role not in roles:
                continue
            unit = f"{station_name}.{role}"
            if isinstance(entry, int):
                levers.append(Lever(station_name, role, None, unit, tuple(range(168))))
                continue
            shifts = roster_shifts(entry)
            for index, shift in enumerate(shifts):
                label = unit if len(shifts) == 1 else f"{unit}[{shift_name(shift)}]"
                levers.append(Lever(station_name, role, index, label, _shift_hours(shift)))
    return levers


def default_minimums(scenario: ScenarioConfig, levers: list[Lever]) -> Staffing:
    """At least one police officer on duty at every police station in every shift; else 0."""
    return tuple(
        int(lever.role == POLICE_ROLE and scenario.stations[lever.station].kind == "police_station")
        for lever in levers
    )


def current_staffing(scenario: ScenarioConfig, levers: list[Lever]) -> Staffing:
    """The counts the scenario has now."""
    counts = []
    for lever in levers:
        entry = scenario.stations[lever.station].staff[lever.role]
        if lever.shift is None:
            assert isinstance(entry, int)
            counts.append(entry)
        else:
            assert isinstance(entry, RosterConfig)
            counts.append(roster_shifts(entry)[lever.shift].count)
    return tuple(counts)


def apply(scenario: ScenarioConfig, levers: list[Lever], staffing: Staffing) -> ScenarioConfig:
    """The scenario with the levers set to `staffing` (not yet checked: see sim.config.checks)."""
    stations = {name: dict(s.staff) for name, s in scenario.stations.items()}
    for lever, count in zip(levers, staffing, strict=True):
        staff = stations[lever.station]
        entry = staff[lever.role]
        if lever.shift is None:
            staff[lever.role] = count
        else:
            assert isinstance(entry, RosterConfig)
            staff[lever.role] = _with_shift_count(entry, lever.shift, count)
    new_stations = {
        name: dataclasses.replace(station, staff=stations[name])
        for name, station in scenario.stations.items()
    }
    return dataclasses.replace(scenario, stations=new_stations)


def _with_shift_count(roster: RosterConfig, index: int, count: int) -> RosterConfig:
    if roster.pattern == "custom":
        shifts = list(roster.shifts)
        shifts[index] = dataclasses.replace(shifts[index], count=count)
        return dataclasses.replace(roster, shifts=tuple(shifts))
    counts = [s.count for s in roster_shifts(roster)]
    counts[index] = count
    return dataclasses.replace(roster, count=None, counts=tuple(counts))


def currency(scenario: ScenarioConfig) -> str:
    """The currency of the scenario's `cost_per_hour` fields: its `currency` if the config
    names one, else CNY (the shipped scenarios are priced in CNY)."""
    return str(getattr(scenario, "currency", None) or DEFAULT_CURRENCY)


def staff_cost_per_day(scenario: ScenarioConfig) -> float:
    """Rostered staff cost per day (`currency`), averaged over a week, overtime not included."""
    total = 0.0
    for station in scenario.stations.values():
        for role, entry in station.staff.items():
            hours = float(station_on_duty(entry).sum())
            total += hours * scenario.roles[role].cost_per_hour
    return total / 7.0


def as_overrides(scenario: ScenarioConfig, levers: list[Lever]) -> list[str]:
    """Overrides that set every staff entry a lever touches, as in `scenario`.

    A count is set in place; a roster is removed and added anew (`~key`, `+key={...}`), so
    that no key of the old roster (a `count` beside new `counts`, say) survives the merge.
    """
    touched = dict.fromkeys((lever.station, lever.role) for lever in levers)
    overrides = []
    for station, role in touched:
        entry = scenario.stations[station].staff[role]
        key = f"stations.{station}.staff.{role}"
        if isinstance(entry, int):
            overrides.append(f"{key}={entry}")
        else:
            overrides += [f"~{key}", f"+{key}={_entry_text(entry)}"]
    return overrides


def _entry_text(entry: int | RosterConfig) -> str:
    if isinstance(entry, int):
        return str(entry)
    if entry.pattern != "custom":
        counts = ",".join(str(s.count) for s in roster_shifts(entry))
        return f"{{pattern:{entry.pattern},counts:[{counts}]}}"
    shifts = ",".join(
        f"{{start_hour:{s.start_hour:g},hours:{s.hours:g},count:{s.count},"
        f"days:[{','.join(str(d) for d in s.days)}]}}"
        for s in entry.shifts
    )
    cover = "" if entry.cover_24h is None else f",cover_24h:{str(entry.cover_24h).lower()}"
    return f"{{pattern:custom{cover},shifts:[{shifts}]}}"


def analytic_start(
    scenario: ScenarioConfig,
    levers: list[Lever],
    estimate_table: pd.DataFrame,
    lower: Staffing | None = None,
) -> Staffing:
    """Counts from the Erlang C estimate: each lever gets the most units its role needs in
    the hours it is on duty, times its station's share of the role's roster in that hour, and
    never fewer than its minimum in `lower` (default: `default_minimums`)."""
    lower = default_minimums(scenario, levers) if lower is None else lower
    needed = estimate_table.pivot(index="hour_of_week", columns="role", values="needed")
    counts = []
    for lever in levers:
        share = _station_share(scenario, lever)
        role_needed = needed[lever.role].to_numpy(dtype=float)
        hours = list(lever.hours_of_week)
        counts.append(math.ceil(float(np.max(role_needed[hours] * share[hours])) - 1e-9))
    return tuple(max(c, lo) for c, lo in zip(counts, lower, strict=True))


def _station_share(scenario: ScenarioConfig, lever: Lever) -> np.ndarray:
    """The lever's station's share of its role's rostered units, hour by hour."""
    on_duty = {
        name: station_on_duty(s.staff.get(lever.role, 0)) for name, s in scenario.stations.items()
    }
    total = np.sum(list(on_duty.values()), axis=0)
    staffed = [name for name, units in on_duty.items() if units.any()]
    even = 1.0 / max(len(staffed), 1)
    mine = on_duty[lever.station]
    return np.where(total > 0, mine / np.where(total > 0, total, 1.0), even)


def _shift_hours(shift: ShiftConfig) -> tuple[int, ...]:
    hours = set()
    for day in shift.days:
        start = day * 24 + shift.start_hour
        for hour in range(math.floor(start), math.ceil(start + shift.hours)):
            hours.add(hour % HOURS_PER_WEEK)
    return tuple(sorted(hours))


def shift_name(shift: ShiftConfig) -> str:
    """A shift's short name: its clock hours, and its weekdays unless every day, e.g.
    `08-16`, `20-08`, `Sa,Su 09-17`, `18:30-22:30`."""
    end = (shift.start_hour + shift.hours) % 24
    end = 24.0 if end == 0 and shift.start_hour + shift.hours == 24 else end
    days = "" if len(set(shift.days)) == 7 else ",".join(WEEKDAYS[d] for d in shift.days) + " "
    return f"{days}{_clock(shift.start_hour)}-{_clock(end)}"


def _clock(hour: float) -> str:
    minutes = round((hour % 1) * 60)
    return f"{int(hour):02d}" if minutes == 0 else f"{int(hour):02d}:{minutes:02d}"
