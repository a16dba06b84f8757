"""Rosters: how many units of a role a station has on duty, hour by hour, shift by shift.

A station's staff entry is either a plain count (that many units on duty around the clock,
with no shift changes: the core model) or a `RosterConfig`: named patterns (`3x8`, `2x12`,
`day`) or custom shifts, each shift a start hour, a length, a count and its weekdays. A roster
is laid on a weekly timeline of 168 hours: shifts of one roster may not overlap, and unless
`cover_24h` is false they must leave no gap. Over a run, each shift on each day becomes a
`ShiftInstance`: a group of units that comes on duty at its start and goes off at its end.
`station_on_duty` and `rostered_by_hour` give the units on duty in each hour of the first
week, as the planner and the report plot them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from sim.config.scenario import (
    ALL_DAYS,
    N_DAYS_PER_WEEK,
    N_HOURS_PER_DAY,
    RosterConfig,
    ScenarioConfig,
    ShiftConfig,
)
from sim.config.schema import ConfigError

HOURS_PER_WEEK = 168.0
N_HOURS_PER_WEEK = N_HOURS_PER_DAY * N_DAYS_PER_WEEK  # hours of the week laid out as an array
MAX_UNITS = 100_000
MIN_PER_HOUR = 60.0
PATTERNS: dict[str, tuple[tuple[float, ...], float]] = {
    "3x8": ((0.0, 8.0, 16.0), 8.0),
    "2x12": ((8.0, 20.0), 12.0),
    "day": ((8.0,), 10.0),
}


class ShiftInstance(NamedTuple):
    """One shift on one day: `count` units on duty from `t_start_min` to `t_end_min` (a named
    tuple: one is made per shift of every roster, and a frozen dataclass is slower to make)."""

    t_start_min: float
    t_end_min: float
    count: int


def roster_shifts(roster: RosterConfig, key: str = "roster") -> tuple[ShiftConfig, ...]:
    """The shifts a roster stands for (named patterns expanded)."""
    if roster.pattern == "custom":
        if not roster.shifts:
            raise ConfigError(f"{key}.shifts", [], "must list shifts when pattern=custom")
        return roster.shifts
    starts, hours = PATTERNS[roster.pattern]
    counts = _pattern_counts(roster, len(starts), key)
    return tuple(
        ShiftConfig(start, hours, n, ALL_DAYS) for start, n in zip(starts, counts, strict=True)
    )


def must_cover_24h(roster: RosterConfig) -> bool:
    return roster.cover_24h if roster.cover_24h is not None else roster.pattern != "day"


def max_on_duty(entry: int | RosterConfig) -> int:
    """The most units ever on duty at once (the staff a station can field at best)."""
    if isinstance(entry, int):
        return entry
    return max((shift.count for shift in roster_shifts(entry)), default=0)


def check_roster(roster: RosterConfig, key: str) -> None:
    """Shifts must not overlap, days must be weekdays 0-6, and 24 h cover where required."""
    shifts = roster_shifts(roster, key)
    for index, shift in enumerate(shifts):
        bad_days = [d for d in shift.days if d not in ALL_DAYS]
        if bad_days or not shift.days:
            raise ConfigError(
                f"{key}.shifts.{index}.days", list(shift.days), "must be weekdays 0-6"
            )
    intervals = sorted(_weekly_intervals(shifts))
    for (_start_a, end_a), (start_b, _) in itertools.pairwise(intervals):
        if start_b < end_a - 1e-9:
            raise ConfigError(key, _hour(start_b), "shifts overlap at this hour of the week")
    if must_cover_24h(roster):
        gap = _first_gap(intervals)
        if gap is not None:
            raise ConfigError(
                key, _hour(gap), "leaves this hour of the week uncovered; set cover_24h: false"
            )


def iter_shift_instances(roster: RosterConfig) -> Iterator[ShiftInstance]:
    """The roster's shifts day after day, for ever, in order of start (from t = 0)."""
    shifts = sorted(roster_shifts(roster), key=lambda shift: shift.start_hour)
    if not any(shift.count > 0 and shift.days for shift in shifts):
        return  # nobody is ever on duty (every count 0): no instance, not an endless search
    for day in itertools.count(-1):  # day -1: a night shift still running at t = 0
        for shift in shifts:
            start = (day * 24 + shift.start_hour) * MIN_PER_HOUR
            end = start + shift.hours * MIN_PER_HOUR
            if day % 7 in shift.days and end > 0 and shift.count > 0:
                yield ShiftInstance(max(start, 0.0), end, shift.count)


def shift_instances(roster: RosterConfig, t_end_min: float) -> list[ShiftInstance]:
    """Every shift of the roster that starts before `t_end_min`, in order of start."""
    return list(
        itertools.takewhile(lambda s: s.t_start_min < t_end_min, iter_shift_instances(roster))
    )


def on_duty_minutes(entry: int | RosterConfig, t_from_min: float, t_to_min: float) -> float:
    """Unit-minutes on duty (by the roster, without overtime) between two times."""
    if isinstance(entry, int):
        return entry * (t_to_min - t_from_min)
    return sum(
        s.count * max(0.0, min(s.t_end_min, t_to_min) - max(s.t_start_min, t_from_min))
        for s in shift_instances(entry, t_to_min)
    )


def rostered_by_hour(scenario: ScenarioConfig, role: str) -> np.ndarray:
    """Units of a role on duty (all stations, by the roster) in each hour of the first week."""
    return np.sum(
        [station_on_duty(s.staff.get(role, 0)) for s in scenario.stations.values()], axis=0
    )


def station_on_duty(entry: int | RosterConfig) -> np.ndarray:
    """Units of one staff entry on duty in each hour of the first week (mean over the hour)."""
    week_min = N_HOURS_PER_WEEK * MIN_PER_HOUR
    on_duty = np.zeros(N_HOURS_PER_WEEK)
    if isinstance(entry, int):
        return on_duty + entry
    for shift in shift_instances(entry, week_min):
        for hour in range(int(shift.t_start_min // MIN_PER_HOUR), N_HOURS_PER_WEEK):
            t0 = hour * MIN_PER_HOUR
            if t0 >= shift.t_end_min:
                break
            overlap = min(shift.t_end_min, t0 + MIN_PER_HOUR) - max(shift.t_start_min, t0)
            on_duty[hour] += shift.count * max(0.0, overlap) / MIN_PER_HOUR
    return on_duty


def _pattern_counts(roster: RosterConfig, n_shifts: int, key: str) -> tuple[int, ...]:
    if roster.counts is not None:
        if len(roster.counts) != n_shifts or not all(0 <= n <= MAX_UNITS for n in roster.counts):
            raise ConfigError(
                f"{key}.counts",
                list(roster.counts),
                f"must list {n_shifts} counts from 0 to {MAX_UNITS}",
            )
        return roster.counts
    if roster.count is None:
        raise ConfigError(
            f"{key}.count", None, f"is required (or counts) for pattern {roster.pattern}"
        )
    return (roster.count,) * n_shifts


def _weekly_intervals(shifts: tuple[ShiftConfig, ...]) -> list[tuple[float, float]]:
    intervals = []
    for shift in shifts:
        for day in shift.days:
            start = day * 24 + shift.start_hour
            end = start + shift.hours
            if end <= HOURS_PER_WEEK:
                intervals.append((start, end))
            else:  # wraps from Sunday night into Monday
                intervals += [(start, HOURS_PER_WEEK), (0.0, end - HOURS_PER_WEEK)]
    return intervals


def _first_gap(intervals: list[tuple[float, float]]) -> float | None:
    covered_to = 0.0
    for start, end in intervals:
        if start > covered_to + 1e-9:
            return covered_to
        covered_to = max(covered_to, end)
    return covered_to if covered_to < HOURS_PER_WEEK - 1e-9 else None


def _hour(hour_of_week: float) -> str:
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    day, hour = divmod(hour_of_week, 24)
    return f"{days[int(day) % 7]} {hour:05.2f} h"
