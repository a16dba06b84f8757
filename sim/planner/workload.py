"""Workload: how many jobs each role gets, hour by hour of the week, and how long each takes.

The analytic side of the planner outputs. A scenario's calls become *work streams*, one per
source (an incident type's response, or one of its later stages) and role: unit-jobs per
minute in each of the 168 hours of a week (day 0 a Monday, as in `sim.model.incidents`), the
station whose units serve them, and the mean time one unit is tied up per job:

    busy per job = call-out delay + turnout + drive out + handling + drive back.

- **Calls.** The call profile times the type's share, times the share of candidate calls
  that visible presence leaves (`sim.model.deterrence`), times the calls a matter makes: a matter
  not settled at its root calls again, up to `max_repeats` times, and whether it is settled
  depends on the roles its teams brought, so each combination of needed stages is a branch
  with its own repeat calls (a repeat follows its original's stage draws, as in the model).
- **Who goes.** As the dispatcher does, in each hour a call goes to the nearest station
  (on the demand surface of `sim.experiment.placement`, by the scenario's road metric)
  whose units on
  duty can field the whole team; a slot is served there by its role, or by the first
  substitute on duty. The drive is the mean road distance of the calls a role serves.
- **Later stages** (follow-ups, referrals) are spread evenly over their office hours.

The offered load of the streams is what Erlang C staffs against: m(t), the mean number of
units busy if no job ever waited (Eick, Massey & Whitt 1993), for a rate constant within each
hour of a periodic week and exponential busy times of mean s, obeys m'(t) = lambda(t) - m(t)/s
and is solved exactly hour by hour (`weekly_offered_load`); with a flat week it equals
`sim.validation.theory.mt_infinite_mean_busy`. The sum over streams of different means is the
offered load of their mixture. Left out, and measured by `--simulate`: teammates waiting for
each other, calls sent farther when the nearest units are busy, queues, the bunching of
follow-ups at opening time.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.config.rosters import station_on_duty
from sim.config.scenario import IncidentTypeConfig, ScenarioConfig, SlotConfig, StageConfig
from sim.config.teams import team_slots
from sim.experiment.placement import demand_surface, road_distances
from sim.model.deterrence import rate_factor
from sim.model.distributions import make_distribution
from sim.model.geography import return_min, travel_min
from sim.model.incidents import hourly_rate_per_min

CELL_KM = 0.25
HOURS_PER_WEEK = 168
MIN_PER_HOUR = 60.0


@dataclass(frozen=True)
class WorkStream:
    """Jobs of one role from one source: rate by hour of week and busy minutes per job."""

    role: str
    source: str  # e.g. "dispute response", "dispute followup"
    jobs_per_min: np.ndarray  # (168,) unit-jobs per minute (team count included)
    busy_min: float  # mean minutes one unit is tied up per job
    travel_min: float  # of which driving (turnout, out and back)
    station: str | None = None  # whose units serve it (None: no station has the role on duty)


@dataclass(frozen=True)
class Branch:
    """One way a matter goes: its probability, the calls it makes, the stages it needs."""

    p: float
    calls: float
    stages: tuple[int, ...]


@dataclass(frozen=True)
class _Geometry:
    """The demand surface, distances to stations, and who is on duty where and when."""

    mass: np.ndarray  # (cells,) probabilities
    distance_km: np.ndarray  # (cells, stations)
    on_duty: list[dict[str, np.ndarray]]  # per station: role -> (168,) units on duty


def work_streams(scenario: ScenarioConfig) -> list[WorkStream]:
    """Every work stream of the scenario, in type order, response before stages."""
    geometry = _geometry(scenario)
    calls_per_min = hourly_rate_per_min(scenario.demand, HOURS_PER_WEEK)
    shares = np.array([t.share for t in scenario.incident_types.values()], dtype=float)
    shares = shares / shares.sum()
    streams: list[WorkStream] = []
    for (name, kind), share in zip(scenario.incident_types.items(), shares, strict=True):
        matters = calls_per_min * share * _deterrence_factor(scenario, geometry, name)
        branches = matter_branches(kind)
        calls = matters * sum(b.p * b.calls for b in branches)
        handling = make_distribution(kind.handling).mean_min
        streams += _team_streams(scenario, geometry, f"{name} response", kind.team, calls, handling)
        for index, stage in enumerate(kind.stages):
            stage_calls = matters * sum(b.p * b.calls for b in branches if index in b.stages)
            if stage.only_if_unsettled and kind.root_cause is not None:  # what was not settled
                stage_calls = stage_calls * (1.0 - kind.root_cause.p_settled_without)
            rate = _stage_rate(stage, stage_calls)
            stage_handling = make_distribution(stage.handling).mean_min
            source = f"{name} {stage.kind}"
            streams += _team_streams(scenario, geometry, source, stage.team, rate, stage_handling)
    return streams


def matter_branches(kind: IncidentTypeConfig) -> list[Branch]:
    """Each combination of needed stages, with its probability and expected calls."""
    branches = []
    response_roles = set(team_slots(kind.team))
    for needed in itertools.product((False, True), repeat=len(kind.stages)):
        p = math.prod(s.p if n else 1.0 - s.p for s, n in zip(kind.stages, needed, strict=True))
        stages = tuple(i for i, n in enumerate(needed) if n)
        roles = response_roles.union(*(team_slots(kind.stages[i].team) for i in stages))
        branches.append(Branch(p, _calls_per_matter(kind, roles), stages))
    return branches


def _calls_per_matter(kind: IncidentTypeConfig, roles_seen: set[str]) -> float:
    root = kind.root_cause
    if root is None:
        return 1.0
    with_roots = set(root.roles) <= roles_seen
    p_settled = root.p_settled_with if with_roots else root.p_settled_without
    return sum((1.0 - p_settled) ** generation for generation in range(root.max_repeats + 1))


def _team_streams(
    scenario: ScenarioConfig,
    geometry: _Geometry,
    source: str,
    team: dict[str, int | SlotConfig],
    jobs_per_min: np.ndarray,
    handling_min: float,
) -> list[WorkStream]:
    """One stream per role that serves a slot of the team, hour by hour."""
    slots = team_slots(team)
    names = list(scenario.stations)
    rate: dict[tuple[str, int], np.ndarray] = {}  # (role, station index or -1) -> jobs/min
    km_jobs: dict[tuple[str, int], float] = {}  # sum of rate x distance, for the mean distance
    for hour in range(HOURS_PER_WEEK):
        if jobs_per_min[hour] == 0:
            continue
        capable = _stations_fielding(geometry, slots, hour)
        for role, slot in slots.items():
            for owner, station, share, d_km in _slot_service(geometry, role, slot, hour, capable):
                jobs = jobs_per_min[hour] * share * slot.count
                key = (owner, station)
                rate.setdefault(key, np.zeros(HOURS_PER_WEEK))[hour] += jobs
                km_jobs[key] = km_jobs.get(key, 0.0) + jobs * d_km
    streams = []
    for (owner, station), owner_rate in rate.items():
        config = scenario.roles[owner]
        d_km = km_jobs[owner, station] / owner_rate.sum()
        drive = travel_min(config, d_km) + return_min(config, d_km)
        delay = make_distribution(config.callout_delay).mean_min if config.callout_delay else 0.0
        busy = delay + drive + handling_min
        where = names[station] if station >= 0 else None
        streams.append(WorkStream(owner, source, owner_rate, busy, drive, where))
    return streams


def _stations_fielding(geometry: _Geometry, slots: dict[str, SlotConfig], hour: int) -> list[int]:
    """Stations whose units on duty in this hour can field the whole team."""
    return [
        index
        for index, on_duty in enumerate(geometry.on_duty)
        if all(
            sum(on_duty[r][hour] for r in (role, *slot.substitutes) if r in on_duty) >= slot.count
            for role, slot in slots.items()
        )
    ]


def _slot_service(
    geometry: _Geometry, role: str, slot: SlotConfig, hour: int, capable: list[int]
) -> list[tuple[str, int, float, float]]:
    """(serving role, station index (-1: none), share of the slot's jobs, mean distance km)
    in this hour. With nobody of the slot's roles on duty anywhere, the jobs wait for the
    nearest station that has one of them on its roster at some hour (none: index -1)."""
    choices = (role, *slot.substitutes)
    on = _on
    stations = capable or [
        i for i, duty in enumerate(geometry.on_duty) if any(on(duty, r, hour) for r in choices)
    ]
    if not stations:
        on = _ever_on
        stations = [
            i for i, duty in enumerate(geometry.on_duty) if any(on(duty, r, hour) for r in choices)
        ]
    if not stations:
        return [(role, -1, 1.0, 0.0)]
    distance = geometry.distance_km[:, stations]
    nearest = np.argmin(distance, axis=1)
    served = []
    for position, station in enumerate(stations):
        mask = nearest == position
        share = float(geometry.mass[mask].sum())
        if share > 0:
            owner = next((r for r in choices if on(geometry.on_duty[station], r, hour)), role)
            mean_km = float(geometry.mass[mask] @ distance[mask, position]) / share
            served.append((owner, station, share, mean_km))
    return served


def _ever_on(on_duty: dict[str, np.ndarray], role: str, hour: int) -> bool:
    """The role is on the station's roster at some hour of the week (`hour` is ignored)."""
    return role in on_duty and bool(on_duty[role].any())


def _on(on_duty: dict[str, np.ndarray], role: str, hour: int) -> bool:
    return role in on_duty and on_duty[role][hour] > 0


def _geometry(scenario: ScenarioConfig) -> _Geometry:
    x_km, y_km, mass = demand_surface(scenario.region, CELL_KM)
    cells = np.column_stack([x_km, y_km])
    sites = np.array([(s.x_km, s.y_km) for s in scenario.stations.values()], dtype=float)
    on_duty = [
        {role: station_on_duty(entry) for role, entry in s.staff.items()}
        for s in scenario.stations.values()
    ]
    return _Geometry(mass / mass.sum(), road_distances(scenario.travel, cells, sites), on_duty)


def _deterrence_factor(scenario: ScenarioConfig, geometry: _Geometry, type_name: str) -> float:
    """The share of a deterrable type's candidate calls that visible presence leaves."""
    if not scenario.incident_types[type_name].deterrable or not scenario.deterrence:
        return 1.0
    x_km, y_km, _mass = demand_surface(scenario.region, CELL_KM)
    return float(geometry.mass @ rate_factor(scenario, x_km, y_km))


def _stage_rate(stage: StageConfig, calls_per_min: np.ndarray) -> np.ndarray:
    """Stage jobs per minute by hour of week: the weekly count spread over its office hours."""
    if stage.office_hours is None:
        return calls_per_min * stage.sessions
    office = stage.office_hours
    jobs_per_week = float(calls_per_min.sum()) * MIN_PER_HOUR * stage.sessions
    open_min = np.zeros(HOURS_PER_WEEK)
    for hour in range(HOURS_PER_WEEK):
        day, hour_of_day = divmod(hour, 24)
        if day in office.days:
            overlap = min(hour_of_day + 1, office.end_hour) - max(hour_of_day, office.start_hour)
            open_min[hour] = max(0.0, overlap) * MIN_PER_HOUR
    return jobs_per_week * open_min / open_min.sum() / MIN_PER_HOUR


def role_offered_load(
    streams: list[WorkStream], role: str, station: str | None = None
) -> OfferedLoad:
    """The offered load of a role: the sum over its streams (of one station, if given)."""
    return total_offered_load(
        [
            weekly_offered_load(s.jobs_per_min, s.busy_min)
            for s in streams
            if s.role == role and (station is None or s.station == station)
        ]
    )


def mean_busy_min(streams: list[WorkStream], role: str, station: str | None = None) -> float:
    """The job-weighted mean busy time per job of a role (of one station, if given; NaN
    without jobs)."""
    mine = [s for s in streams if s.role == role and (station is None or s.station == station)]
    jobs = sum(float(s.jobs_per_min.sum()) for s in mine)
    if jobs == 0:
        return float("nan")
    return sum(float(s.jobs_per_min.sum()) * s.busy_min for s in mine) / jobs


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
