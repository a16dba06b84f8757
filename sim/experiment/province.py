"""Province scale: a scenario of many districts, run district by district in parallel shards.

A province is one scenario with hundreds of stations and millions of incidents a year. Run as
one model, it keeps every incident, job and busy interval of the province in memory until the
end. When districts are independent (no team crosses a district border), the province can
instead be run district by district, each district's tables reduced to KPIs as soon as it
ends (streaming aggregation), and the districts shared out over worker processes:

1. `assign_districts` groups the stations into districts: by a station -> district map (such
   as `districts_from_names`, for names like `jd_d07_town_1`), else by k-means on the
   stations' places (fixed seed); a district that cannot field every team on its own joins
   its nearest neighbour (`merge_incapable`).
2. The province's incidents are drawn once, exactly as one model of the whole province would
   draw them on the same seed, and each goes to the district of its nearest station.
3. `run_district` runs one district's model on its incidents, with its own random streams for
   what happens after the call (spawn key `(replication, stream, district)`), and returns its
   KPIs and a few compact per-incident columns, never its tables.
4. `run_province` maps the districts over `n_workers` processes (`sim.experiment.executor`),
   or over a Ray cluster's workers (`ray_address`), and pools the compact columns into the
   province's KPIs (`province_kpis`); `kpis_by_district` keeps each district's own.

The one approximation is the independence: an incident near a border is served only by its
own district's stations. `run_district` takes and returns plain picklable values, so any
process pool can run the tasks (bench/README.md shows how).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.cluster.vq import kmeans2
from scipy.spatial import cKDTree

from sim.analysis.kpis import replication_kpis
from sim.analysis.staff_kpis import on_duty_by_role
from sim.config.rosters import max_on_duty
from sim.config.scenario import JobConfig, ScenarioConfig
from sim.config.schema import ConfigError
from sim.config.teams import field_team, team_slots
from sim.experiment.executor import run_tasks
from sim.model.incidents import IncidentStream
from sim.model.records import ReplicationRecords
from sim.model.replay import incident_stream
from sim.model.replication import Model
from sim.model.streams import Streams

MIN_PER_DAY = 1440.0
KMEANS_SEED = 712
DISTRICT_IN_NAME = r"_(d\d+)(?:_|$)"  # as in zhejiang_712: ps_d01, jd_d01_town_1


class DistrictStreams(Streams):
    """A district's own streams: the replication's, one level further down by district."""

    def __init__(self, seed: int, replication: int, district: int) -> None:
        super().__init__(seed, replication)
        self.district = district

    def seed_sequence(self, name: str) -> np.random.SeedSequence:
        spawn_key = (*super().seed_sequence(name).spawn_key, self.district)
        return np.random.SeedSequence(entropy=self.seed, spawn_key=spawn_key)


@dataclass(frozen=True)
class DistrictTask:
    """Everything a worker needs to run one district: picklable, no shared state."""

    district: int
    scenario: ScenarioConfig  # the district's stations only
    incidents: IncidentStream
    seed: int
    replication: int
    warmup_min: float
    horizon_min: float


@dataclass(frozen=True)
class DistrictResult:
    """One district's KPIs, staff minutes and compact per-incident columns."""

    district: int
    kpis: dict[str, float]
    busy_min: dict[str, float]  # by role, inside the window
    paid_min: dict[str, float]  # on duty plus overtime, by role
    staff_cost: float  # per day
    response_min: np.ndarray
    call_close_min: np.ndarray
    wait_min: np.ndarray
    same_day: np.ndarray


def districts_from_names(
    scenario: ScenarioConfig, pattern: str = DISTRICT_IN_NAME
) -> dict[str, str] | None:
    """Station -> district read from the station names (`jd_d07_town_1` is in `d07`), or
    None if some name does not show a district."""
    found = {name: re.search(pattern, name) for name in scenario.stations}
    if not all(found.values()):
        return None
    return {name: match.group(1) for name, match in found.items() if match is not None}


def assign_districts(
    scenario: ScenarioConfig, n_districts: int, district_of: Mapping[str, str] | None = None
) -> np.ndarray:
    """The district index of each station (in the scenario's order)."""
    names = list(scenario.stations)
    if district_of is not None:
        labels = sorted(set(district_of.values()))
        return merge_incapable(
            scenario, np.array([labels.index(district_of[name]) for name in names])
        )
    places = np.array([(s.x_km, s.y_km) for s in scenario.stations.values()])
    n_districts = min(n_districts, len(names))
    _, label = kmeans2(places, n_districts, minit="++", seed=KMEANS_SEED)
    return merge_incapable(scenario, label)


def merge_incapable(scenario: ScenarioConfig, station_district: np.ndarray) -> np.ndarray:
    """Districts whose stations cannot field every team join their nearest district (by the
    stations' mean place), until every district can; districts are then renumbered."""
    district = station_district.copy()
    places = np.array([(s.x_km, s.y_km) for s in scenario.stations.values()])
    capable = _capable_stations(scenario)
    while True:
        labels = np.unique(district)
        missing = [d for d in labels if not capable[district == d].any(axis=0).all()]
        if not missing or len(labels) == 1:
            return np.unique(district, return_inverse=True)[1]
        d = missing[0]
        centres = {k: places[district == k].mean(axis=0) for k in labels if k != d}
        here = places[district == d].mean(axis=0)
        district[district == d] = min(centres, key=lambda k: np.hypot(*(centres[k] - here)))


def _capable_stations(scenario: ScenarioConfig) -> np.ndarray:
    """stations x teams: can the station's full staff ever field the team?"""
    teams = [team_slots(t.team) for t in scenario.incident_types.values()]
    teams += [team_slots(s.team) for t in scenario.incident_types.values() for s in t.stages]
    staff = [
        {role: max_on_duty(s.staff.get(role, 0)) for role in scenario.roles}
        for s in scenario.stations.values()
    ]
    return np.array([[field_team(team, most) is not None for team in teams] for most in staff])


def district_tasks(
    scenario: ScenarioConfig,
    station_district: np.ndarray,
    *,
    seed: int,
    replication: int,
    warmup_min: float,
    horizon_min: float,
) -> list[DistrictTask]:
    """The province's incidents, drawn once, split by the district of their nearest station."""
    incidents = incident_stream(scenario, Streams(seed, replication), warmup_min + horizon_min)
    places = np.array([(s.x_km, s.y_km) for s in scenario.stations.values()])
    p_norm = 1 if scenario.travel.metric == "manhattan" else 2
    _, nearest = cKDTree(places).query(np.column_stack([incidents.x_km, incidents.y_km]), p=p_norm)
    incident_district = station_district[nearest]
    names = np.array(list(scenario.stations), dtype=object)
    tasks = []
    for district in range(int(station_district.max()) + 1):
        mine = incident_district == district
        stations = {str(n): scenario.stations[n] for n in names[station_district == district]}
        tasks.append(
            DistrictTask(
                district,
                replace(scenario, stations=stations),
                _subset(incidents, mine),
                seed,
                replication,
                warmup_min,
                horizon_min,
            )
        )
    return tasks


def run_district(task: DistrictTask) -> DistrictResult:
    """One district's model, reduced to KPIs and compact columns as soon as it ends."""
    streams = DistrictStreams(task.seed, task.replication, task.district)
    window = {"warmup_min": task.warmup_min, "horizon_min": task.horizon_min}
    model = Model(task.scenario, streams, incidents=task.incidents, **window)
    records = model.run()
    kpis = replication_kpis(
        records.incidents, records.busy, task.scenario, jobs=records.jobs,
        overtime=records.overtime, n_deterred=records.n_deterred, matters=records.matters,
        **window,
    )  # fmt: skip
    incidents = records.incidents
    same_day = np.floor(incidents["t_resolved"] / MIN_PER_DAY) == np.floor(
        incidents["t_arrival"] / MIN_PER_DAY
    )
    busy_min, paid_min = _staff_minutes(records, task.scenario, **window)
    return DistrictResult(
        task.district,
        kpis,
        busy_min,
        paid_min,
        kpis["staff_cost"],
        incidents["response_min"].to_numpy(),
        incidents["call_close_min"].to_numpy(),
        incidents["wait_min"].to_numpy(),
        same_day.to_numpy(dtype=bool),
    )


def run_province(
    tasks: list[DistrictTask], n_workers: int = 1, ray_address: str | None = None
) -> tuple[dict[str, float], pd.DataFrame]:
    """Run the districts (largest first) on `n_workers` processes, or as tasks of the Ray
    cluster at `ray_address` ("local" starts one here); the province's KPIs and one row of
    KPIs per district."""
    tasks = sorted(tasks, key=lambda task: -len(task.incidents))
    if ray_address is not None:
        results = _run_on_ray(tasks, ray_address)
    else:
        results = run_tasks(run_district, [(task,) for task in tasks], n_workers)
    results.sort(key=lambda result: result.district)
    horizon_min = tasks[0].horizon_min if tasks else 0.0
    return province_kpis(results, horizon_min), kpis_by_district(results)


def _run_on_ray(tasks: list[DistrictTask], address: str) -> list[DistrictResult]:
    import ray  # the `ray` extra

    if address == "local":  # a private one-machine Ray, on the loopback address
        ray.init(address="local", include_dashboard=False, _node_ip_address="127.0.0.1")
    else:
        ray.init(address=address, ignore_reinit_error=True)
    remote = ray.remote(run_district)
    return ray.get([remote.remote(task) for task in tasks])


def province_kpis(results: list[DistrictResult], horizon_min: float) -> dict[str, float]:
    """Headline KPIs of the whole province, from the districts' compact columns."""
    response = np.concatenate([r.response_min for r in results])
    resolution = np.concatenate([r.call_close_min for r in results])
    wait = np.concatenate([r.wait_min for r in results])
    same_day = np.concatenate([r.same_day for r in results])
    roles = sorted({role for r in results for role in r.paid_min})
    kpis = {
        "n_incidents": float(len(response)),
        "incidents_per_day": len(response) / (horizon_min / MIN_PER_DAY),
        "wait_min_mean": float(np.nanmean(wait)),
        "p_wait": float(np.mean(wait > 1e-9)),
        "response_min_mean": float(np.nanmean(response)),
        "response_min_median": float(np.nanquantile(response, 0.5)),
        "response_min_p90": float(np.nanquantile(response, 0.9)),
        "call_close_min_mean": float(np.nanmean(resolution)),
        "call_close_min_median": float(np.nanquantile(resolution, 0.5)),
        "call_close_min_p90": float(np.nanquantile(resolution, 0.9)),
        "call_closed_same_day_share": float(np.mean(same_day)),
        "staff_cost": sum(r.staff_cost for r in results),
    }
    for role in roles:
        paid = sum(r.paid_min.get(role, 0.0) for r in results)
        busy = sum(r.busy_min.get(role, 0.0) for r in results)
        kpis[f"utilisation_{role}"] = busy / paid if paid else float("nan")
    return kpis


def kpis_by_district(results: list[DistrictResult]) -> pd.DataFrame:
    return pd.DataFrame([{"district": r.district, **r.kpis} for r in results])


def _subset(incidents: IncidentStream, mine: np.ndarray) -> IncidentStream:
    deterred = incidents.deterred
    return IncidentStream(
        t_arrival_min=incidents.t_arrival_min[mine],
        type_index=incidents.type_index[mine],
        x_km=incidents.x_km[mine],
        y_km=incidents.y_km[mine],
        handling_min=incidents.handling_min[mine],
        deterred=None if deterred is None else deterred[mine],
    )


def _staff_minutes(
    records: ReplicationRecords, scenario: ScenarioConfig, *, warmup_min: float, horizon_min: float
) -> tuple[dict[str, float], dict[str, float]]:
    """Busy minutes and paid minutes (on duty plus overtime) by role, inside the window."""
    t_from, t_to = warmup_min, warmup_min + horizon_min
    busy, overtime = records.busy, records.overtime
    busy_each = busy["t_end"].clip(t_from, t_to) - busy["t_start"].clip(t_from, t_to)
    extra_each = overtime["t_free"].clip(t_from, t_to) - overtime["t_shift_end"].clip(t_from, t_to)
    busy_min = busy_each.groupby(busy["role"], observed=True).sum().to_dict()
    extra_min = extra_each.groupby(overtime["role"], observed=True).sum().to_dict()
    on_duty = on_duty_by_role(scenario, t_from, t_to)
    paid_min = {role: on_duty[role] + float(extra_min.get(role, 0.0)) for role in scenario.roles}
    return {str(k): float(v) for k, v in busy_min.items()}, paid_min


def run_province_job(
    job: JobConfig, n_districts: int, n_workers: int, ray_address: str | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every replication of the province, district by district: its KPIs and each district's."""
    run, scenario = job.run, job.scenario
    if run.replications == "auto" or run.warmup_days == "auto":
        raise ConfigError("run.replications/run.warmup_days", "auto", "numbers for a province")
    district = assign_districts(scenario, n_districts, districts_from_names(scenario))
    rows, by_district = [], []
    for replication in range(run.replications):
        tasks = district_tasks(
            scenario, district, seed=run.seed, replication=replication,
            warmup_min=run.warmup_days * MIN_PER_DAY, horizon_min=run.horizon_days * MIN_PER_DAY,
        )  # fmt: skip
        kpis, districts = run_province(tasks, n_workers, ray_address)
        rows.append({"replication": replication, **kpis})
        by_district.append(districts.assign(replication=replication))
        print(f"province: replication {replication + 1}/{run.replications} done", flush=True)
    return pd.DataFrame(rows), pd.concat(by_district, ignore_index=True)
