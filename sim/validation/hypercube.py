"""The `hypercube` case: Larson's hypercube queueing model of nearest-available dispatch.

N single-officer stations answer calls from J demand atoms (hotspots with a tiny spread). A
call gets the nearest free officer; if all are busy it waits in one shared FCFS queue served
by whichever officer frees first (the `borrow` policy's shared queue). With exponential
handling and negligible travel this is Larson's (1974) model with an infinite queue, solved
exactly on its 2^N busy-sets by `sim.validation.theory.hypercube_infinite_queue`.

Checked: each officer's workload (busy share), the dispatch fraction of every atom-station
pair (Larson's f: the share of all calls that come from atom j and are served from station
i), the wait probability and the mean wait. The preference lists come from the scenario's own
geometry; an atom whose distances to two stations are closer than its spread could reorder
them at random, so such a geometry is refused rather than mis-predicted.
"""

from __future__ import annotations

import numpy as np

from sim.config.scenario import RunConfig, ScenarioConfig, TravelConfig
from sim.config.schema import ConfigError
from sim.experiment.replications import run_replication
from sim.validation import theory
from sim.validation.assumptions import MarkovStation, markov_station
from sim.validation.case import Case, Metrics, Plan, as_scenario, scenario_setup
from sim.validation.observe import Window, busy_share_by_station

TIE_MARGIN_SPREADS = 20.0  # distances of an atom to two stations must differ by this many sds


def _atoms(scenario: ScenarioConfig) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Atom names, centres (J x 2, km) and shares of the calls."""
    region = scenario.region
    if region.background_weight != 0 or not region.hotspots:
        raise ConfigError(
            "region.background_weight",
            region.background_weight,
            "must be 0, with hotspots as the demand atoms, for the hypercube case",
        )
    names = list(region.hotspots)
    centres = np.array([[h.x_km, h.y_km] for h in region.hotspots.values()])
    weights = np.array([h.weight for h in region.hotspots.values()])
    return names, centres, weights / weights.sum()


def _distances_km(travel: TravelConfig, stations: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Distance from `point` to each station, restated from the travel rules of docs/model.md."""
    dx, dy = np.abs(stations[:, 0] - point[0]), np.abs(stations[:, 1] - point[1])
    if travel.metric == "zero":
        return np.zeros(len(stations))
    if travel.metric == "manhattan":
        return dx + dy
    return travel.detour_factor * np.hypot(dx, dy)


def preference_lists(scenario: ScenarioConfig) -> list[list[int]]:
    """Each atom's stations, nearest first (ties by station order), refusing near-ties."""
    names, centres, _ = _atoms(scenario)
    stations = np.array([[s.x_km, s.y_km] for s in scenario.stations.values()])
    lists = []
    for name, centre in zip(names, centres, strict=True):
        distances = _distances_km(scenario.travel, stations, centre)
        gaps = np.diff(np.sort(distances))
        spread = scenario.region.hotspots[name].spread_km
        if scenario.travel.metric != "zero" and np.any(gaps < TIE_MARGIN_SPREADS * spread):
            raise ConfigError(
                f"region.hotspots.{name}",
                f"distance gap {gaps.min():.3g} km",
                "the atom's distances to two stations must differ by far more than its"
                " spread_km, or the nearest station is decided at random",
            )
        lists.append(np.argsort(distances, kind="stable").tolist())
    return lists


def _hypercube_system(scenario: ScenarioConfig) -> MarkovStation:
    """The scenario as Larson's model: single-unit stations, one shared queue."""
    system = markov_station(scenario)
    if system.team_size != 1 or len(system.arrivals_per_min_by_priority) != 1:
        raise ConfigError("incident_types", "teams/priorities", "need 1 unit and one priority")
    if scenario.dispatch.policy != "borrow":
        raise ConfigError(
            "dispatch.policy", scenario.dispatch.policy, "must be borrow (one shared queue)"
        )
    for name, station in scenario.stations.items():
        if station.staff.get(system.role, 0) != 1:
            raise ConfigError(
                f"stations.{name}.staff.{system.role}", station.staff.get(system.role), "must be 1"
            )
    return system


def hypercube_theory(config: object) -> Metrics:
    scenario = as_scenario(config)
    system = _hypercube_system(scenario)
    atom_names, _, shares = _atoms(scenario)
    exact = theory.hypercube_infinite_queue(
        (system.arrival_per_min * shares).tolist(),
        preference_lists(scenario),
        system.service_mean_min,
    )
    station_names = list(scenario.stations)
    workloads = zip(station_names, exact.workload, strict=True)
    metrics = {f"workload_{name}": float(share) for name, share in workloads}
    for j, atom in enumerate(atom_names):
        for i, station in enumerate(station_names):
            metrics[f"dispatch_fraction_{atom}_{station}"] = float(exact.dispatch_fraction[j, i])
    metrics["p_wait"] = exact.queue_probability
    metrics["wait_min_mean"] = exact.mean_wait_min
    return metrics


def nearest_atom(scenario: ScenarioConfig, x_km: np.ndarray, y_km: np.ndarray) -> np.ndarray:
    """Index of the nearest atom centre for each incident location."""
    _, centres, _ = _atoms(scenario)
    dx = x_km[:, None] - centres[None, :, 0]
    dy = y_km[:, None] - centres[None, :, 1]
    return np.argmin(np.hypot(dx, dy), axis=1)


def hypercube_measure(config: object, run: RunConfig, replication: int) -> Metrics:
    scenario = as_scenario(config)
    _hypercube_system(scenario)
    records, kpis = run_replication(scenario, run, replication)
    incidents = records.incidents
    busy_share = busy_share_by_station(records.busy, Window.of(run))
    station_names = list(scenario.stations)
    metrics = {f"workload_{s}": float(busy_share.get(s, 0.0)) for s in station_names}
    atom = nearest_atom(scenario, incidents["x_km"].to_numpy(), incidents["y_km"].to_numpy())
    station = incidents["station"].astype(str).to_numpy()
    atom_names, _, _ = _atoms(scenario)
    for j, atom_name in enumerate(atom_names):
        for station_name in station_names:
            served = np.mean((atom == j) & (station == station_name))
            metrics[f"dispatch_fraction_{atom_name}_{station_name}"] = float(served)
    metrics["p_wait"] = kpis["p_wait"]
    metrics["wait_min_mean"] = kpis["wait_min_mean"]
    return metrics


HYPERCUBE = Case(
    name="hypercube",
    checks="Larson's hypercube (2^N exact): workloads, dispatch fractions, P(wait), mean wait",
    setup=scenario_setup("hypercube"),
    theory=hypercube_theory,
    measure=hypercube_measure,
    quick=Plan(replications=20, horizon_days=100, warmup_days=2),
    full=Plan(replications=50, horizon_days=300, warmup_days=2),
)
