"""The analytic staffing estimate: Erlang C on the time-varying offered load, in a blink.

For each role and hour of the week, `sim.planner.workload` gives the offered load m(t) (mean units
busy if no job waited) and the mean busy time per job s. The *modified offered load*
approach (Jennings, Mandelbaum, Massey & Whitt 1996) then treats each hour as a stationary
M/M/c queue with arrival rate m/s, using the peak of m(t) within the hour: the staff
*needed* is the fewest units c > m for which Erlang C gives P(wait > target wait) at most
1 - service level (`sim.analysis.erlang.mmc_wait_exceeds_probability`). The offered load
counts work in progress: jobs that started in earlier hours and still run (arrivals times mean
time in system, spread over the hours the work lasts). So an hour in which no new job starts
still needs the units that carry the running work: the fewest c with P(N <= c) at least the
service level, N ~ Poisson(m) being the number of units busy in an M_t/G/infinity system
(`units_for_running_work`); an hour with load 0.53 needs 1, not 0.
The same formula with the units actually rostered gives the probability that a job waits for
a unit of the role.

`estimate(scenario, target)` returns one row per role and hour of the week; the command
`jointduty estimate` (`sim.planner.estimate`) prints it beside the roster, and beside simulated
figures with `--simulate`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import poisson

from sim.analysis.erlang import erlang_c_wait_probability, mmc_wait_exceeds_probability
from sim.config.rosters import rostered_by_hour, station_on_duty
from sim.config.scenario import ScenarioConfig
from sim.planner.workload import (
    HOURS_PER_WEEK,
    MIN_PER_HOUR,
    WorkStream,
    mean_busy_min,
    role_offered_load,
    work_streams,
)

MAX_STAFF = 10_000
ESTIMATE_COLUMNS = (
    "role",
    "hour_of_week",
    "day",
    "hour",
    "jobs_per_hour",
    "busy_min_per_job",
    "offered_load",
    "offered_load_peak",
    "needed",
    "rostered",
    "p_wait_rostered",
)


@dataclass(frozen=True)
class StaffingTarget:
    """A job should wait at most `wait_min` for a unit with probability `service_level`."""

    wait_min: float = 5.0
    service_level: float = 0.9


def staff_needed(offered_load: float, busy_min: float, target: StaffingTarget) -> int:
    """The fewest units c > load with P(wait > target.wait_min) <= 1 - service level."""
    if offered_load <= 0:
        return 0
    arrival_per_min = offered_load / busy_min
    allowed = 1.0 - target.service_level
    for n_units in range(math.floor(offered_load) + 1, MAX_STAFF):
        tail = mmc_wait_exceeds_probability(arrival_per_min, busy_min, n_units, target.wait_min)
        if tail <= allowed:
            return n_units
    return MAX_STAFF


def units_for_running_work(offered_load: float, service_level: float) -> int:
    """The fewest units c with P(N <= c) >= service level, N ~ Poisson(offered load): the
    units that carry the work still running when no new job starts."""
    if offered_load <= 0:
        return 0
    return int(poisson.ppf(service_level, offered_load))


def needed_units(peak_load: float, busy_min: float, new_jobs: bool, target: StaffingTarget) -> int:
    """Units needed in one hour: Erlang C on the peak offered load when jobs start in it,
    at least the units the running work occupies (`units_for_running_work`) in any case."""
    running = units_for_running_work(peak_load, target.service_level)
    if not new_jobs or not busy_min > 0:
        return running
    return max(staff_needed(peak_load, busy_min, target), running)


def p_wait(offered_load: float, busy_min: float, n_units: float) -> float:
    """Erlang C probability that a job waits, with `n_units` on duty (1 if overloaded)."""
    if offered_load <= 0:
        return 0.0
    units = math.floor(n_units + 1e-9)
    if units <= offered_load:
        return 1.0
    return erlang_c_wait_probability(offered_load / busy_min, busy_min, units)


def estimate(
    scenario: ScenarioConfig, target: StaffingTarget, streams: list[WorkStream] | None = None
) -> pd.DataFrame:
    """One row per role and hour of the week: load, staff needed, staff rostered."""
    streams = work_streams(scenario) if streams is None else streams
    hours = np.arange(HOURS_PER_WEEK)
    frames = []
    for role in scenario.roles:
        load = role_offered_load(streams, role)
        busy_min = mean_busy_min(streams, role)
        rostered = rostered_by_hour(scenario, role)
        jobs = sum((s.jobs_per_min for s in streams if s.role == role), np.zeros(len(hours)))
        needed = [
            needed_units(peak, busy_min, n_jobs > 0, target)
            for peak, n_jobs in zip(load.peak, jobs, strict=True)
        ]
        waits = [p_wait(m, busy_min, n) for m, n in zip(load.mean, rostered, strict=True)]
        frames.append(
            pd.DataFrame(
                {
                    "role": role,
                    "hour_of_week": hours,
                    "day": hours // 24,
                    "hour": hours % 24,
                    "jobs_per_hour": jobs * MIN_PER_HOUR,
                    "busy_min_per_job": busy_min,
                    "offered_load": load.mean,
                    "offered_load_peak": load.peak,
                    "needed": needed,
                    "rostered": rostered,
                    "p_wait_rostered": waits,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)[list(ESTIMATE_COLUMNS)]


def by_hour_of_day(table: pd.DataFrame) -> pd.DataFrame:
    """The week folded onto 24 hours: mean load, the most needed and fewest rostered units."""
    grouped = table.groupby(["role", "hour"], sort=False)
    return grouped.agg(
        offered_load=("offered_load", "mean"),
        needed=("needed", "max"),
        rostered=("rostered", "min"),
    ).reset_index()


def role_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per role: jobs a day, busy minutes per job, staff-hours a day needed and rostered,
    and the utilisation the offered load implies on the roster."""
    rows = []
    n_days = HOURS_PER_WEEK / 24
    for role, of_role in table.groupby("role", sort=False):
        rostered_hours = float(of_role["rostered"].sum())
        load_hours = float(of_role["offered_load"].sum())
        rows.append(
            {
                "role": role,
                "jobs_per_day": float(of_role["jobs_per_hour"].sum()) / n_days,
                "busy_min_per_job": float(of_role["busy_min_per_job"].iloc[0]),
                "needed_hours_per_day": float(of_role["needed"].sum()) / n_days,
                "rostered_hours_per_day": rostered_hours / n_days,
                "utilisation": load_hours / rostered_hours if rostered_hours else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def response_p_wait(streams: list[WorkStream], table: pd.DataFrame) -> float:
    """The share of calls whose first response waits for some unit, by the roster.

    A call waits unless every role of its team has a unit free: 1 - prod_r (1 - C_r(h)),
    averaged over the hours of the week weighted by calls (roles taken as independent).
    """
    waits = table.pivot(index="hour_of_week", columns="role", values="p_wait_rostered")
    sources = sorted({s.source for s in streams if s.source.endswith(" response")})
    weighted, total = 0.0, 0.0
    for source in sources:
        by_role: dict[str, np.ndarray] = {}
        for stream in streams:
            if stream.source == source:
                by_role[stream.role] = by_role.get(stream.role, 0.0) + stream.jobs_per_min
        calls = np.max(list(by_role.values()), axis=0)
        free = np.ones(HOURS_PER_WEEK)
        for role, rate in by_role.items():
            free *= np.where(rate > 0, 1.0 - waits[role].to_numpy(), 1.0)
        weighted += float(calls @ (1.0 - free))
        total += float(calls.sum())
    return weighted / total if total else float("nan")


def station_estimate(
    scenario: ScenarioConfig, target: StaffingTarget, streams: list[WorkStream] | None = None
) -> pd.DataFrame:
    """One row per station, role and hour of the week: the offered load of the calls that
    station's units serve (the nearest that can field the team, as the dispatcher sends
    them), the units needed for it (`needed_units`), the units rostered there, and the
    shortfall (needed - rostered, at least 0)."""
    streams = work_streams(scenario) if streams is None else streams
    frames = []
    for name, station in scenario.stations.items():
        roles = list(
            dict.fromkeys([*station.staff, *(s.role for s in streams if s.station == name)])
        )
        for role in roles:
            load = role_offered_load(streams, role, name)
            busy_min = mean_busy_min(streams, role, name)
            jobs = sum(
                (x.jobs_per_min for x in streams if x.role == role and x.station == name),
                np.zeros(HOURS_PER_WEEK),
            )
            needed = np.array(
                [
                    needed_units(peak, busy_min, n > 0, target)
                    for peak, n in zip(load.peak, jobs, strict=True)
                ]
            )
            rostered = station_on_duty(station.staff.get(role, 0))
            frames.append(
                pd.DataFrame(
                    {
                        "station": name,
                        "role": role,
                        "hour_of_week": np.arange(HOURS_PER_WEEK),
                        "offered_load": load.mean,
                        "needed": needed,
                        "rostered": rostered,
                        "short": np.maximum(needed - rostered, 0),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)
