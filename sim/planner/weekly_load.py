"""Offered load over a week: the M_t/M/infinity mean number busy, and the roster beside it.

The offered load m(t) of a stream of jobs is the mean number of units busy if no job ever
waited (Eick, Massey & Whitt 1993). For a rate that is constant within each hour of a
periodic week and exponential busy times of mean s it obeys m'(t) = lambda(t) - m(t)/s and
is solved exactly hour by hour (`weekly_offered_load`); with a flat week it equals
`sim.validation.theory.mt_infinite_mean_busy`. The sum over streams of different means is the
offered
load of their mixture. `rostered_by_hour` is the roster's side: units on duty per hour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.config.rosters import shift_instances
from sim.config.scenario import RosterConfig, ScenarioConfig

HOURS_PER_WEEK = 168
MIN_PER_HOUR = 60.0


@dataclass(frozen=True)
class OfferedLoad:
    """Mean units busy without queueing, per hour of week: hour average and peak in the hour."""

    mean: np.ndarray  # (168,)
    peak: np.ndarray  # (168,)
    at_start: np.ndarray  # (168,) m at the start of each hour


def weekly_offered_load(jobs_per_min: np.ndarray, service_mean_min: float) -> OfferedLoad:
    """The periodic M_t/M/infinity mean number busy for an hourly rate over a week.

    Within an hour of constant rate lambda, m moves exponentially towards lambda*s:
    m(t + u) = lambda*s + (m(t) - lambda*s) exp(-u/s). Running that map over one week from
    m = 0 gives m_end = A m_0 + B with A = exp(-week/s), so the periodic start is B / (1 - A).
    """
    rates = np.asarray(jobs_per_min, dtype=float)
    s = service_mean_min
    decay = math.exp(-MIN_PER_HOUR / s)
    starts = np.empty(HOURS_PER_WEEK + 1)
    starts[0] = 0.0
    for hour, rate in enumerate(rates):
        starts[hour + 1] = rate * s + (starts[hour] - rate * s) * decay
    starts[:-1] += (
        starts[-1]
        / -math.expm1(-HOURS_PER_WEEK * MIN_PER_HOUR / s)
        * np.exp(-np.arange(HOURS_PER_WEEK) * MIN_PER_HOUR / s)
    )
    m_start, target = starts[:-1], rates * s
    m_end = target + (m_start - target) * decay
    mean = target + (m_start - target) * s * (1.0 - decay) / MIN_PER_HOUR
    return OfferedLoad(mean=mean, peak=np.maximum(m_start, m_end), at_start=m_start)


def total_offered_load(loads: Sequence[OfferedLoad]) -> OfferedLoad:
    """The offered load of several streams together (zero for none)."""
    if not loads:
        zero = np.zeros(HOURS_PER_WEEK)
        return OfferedLoad(zero, zero, zero)
    return OfferedLoad(
        mean=np.sum([x.mean for x in loads], axis=0),
        peak=np.sum([x.peak for x in loads], axis=0),
        at_start=np.sum([x.at_start for x in loads], axis=0),
    )


def rostered_by_hour(scenario: ScenarioConfig, role: str) -> np.ndarray:
    """Units of a role on duty (all stations, by the roster) in each hour of the first week."""
    return np.sum(
        [station_on_duty(s.staff.get(role, 0)) for s in scenario.stations.values()], axis=0
    )


def station_on_duty(entry: int | RosterConfig) -> np.ndarray:
    """Units of one staff entry on duty in each hour of the first week (mean over the hour)."""
    week_min = HOURS_PER_WEEK * MIN_PER_HOUR
    on_duty = np.zeros(HOURS_PER_WEEK)
    if isinstance(entry, int):
        return on_duty + entry
    for shift in shift_instances(entry, week_min):
        for hour in range(int(shift.t_start_min // MIN_PER_HOUR), HOURS_PER_WEEK):
            t0 = hour * MIN_PER_HOUR
            if t0 >= shift.t_end_min:
                break
            overlap = min(shift.t_end_min, t0 + MIN_PER_HOUR) - max(shift.t_start_min, t0)
            on_duty[hour] += shift.count * max(0.0, overlap) / MIN_PER_HOUR
    return on_duty
