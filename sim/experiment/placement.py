"""Placing `n_stations` stations where the demand is: a p-median on the demand surface.

A station-count sweep only means something if each count puts its stations in good places,
the same places every time. So placement is deterministic and uses no random numbers:

1. **Demand surface.** The region is cut into square cells of `placement.cell_km`; each cell
   gets the probability that an incident falls in it under the scenario's location mixture
   (uniform background plus Gaussian hotspots, as in `sim.model.geography.sample_locations`),
   computed exactly from the normal CDF, the tails going to the edge cells as the sampler's
   clipping sends them there.
2. **p-median.** Candidate sites are the cell centres. Stations the scenario keeps
   (`placement.keep`) are fixed; `n_stations` more are added greedily, each time the site that
   most lowers the demand-weighted mean road distance to the nearest station, and then
   improved by vertex substitution (Teitz and Bart 1968) until no single swap helps. The
   p-median is NP-hard: this is a good local optimum, not a proven global one.
   Road distance is the scenario's travel metric (`scipy.spatial.distance.cdist`).

Other agencies' offices (`agency_office`) stay as they are: they are not police stations, so
they neither count as kept sites nor move. The placed stations are named `placed_1` ...
`placed_<n>` (in order of x, then y), have `placement.kind` and `placement.staff` (or the staff
of the scenario's first station of that kind, else of its first station). `place_stations(job)`
returns the job with those stations and is idempotent, so it can be applied wherever a job is
about to run.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
from scipy import special

from sim.config.checks import validate
from sim.config.scenario import (
    JobConfig,
    PlacementConfig,
    RegionConfig,
    StationConfig,
    TravelConfig,
)
from sim.config.schema import ConfigError

MAX_CELLS = 4000
PLACED_PREFIX = "placed_"


def place_stations(job: JobConfig) -> JobConfig:
    """The job with `placement.n_stations` stations placed, or unchanged when placement is off."""
    placement = job.placement
    if placement.n_stations is None:
        return job
    scenario = job.scenario
    kept = _kept_stations(placement, scenario.stations)
    staff = _template_staff(placement, scenario.stations, scenario.roles)
    sites = best_sites(scenario.region, scenario.travel, placement, kept)
    placed = {
        f"{PLACED_PREFIX}{i}": StationConfig(kind=placement.kind, x_km=x, y_km=y, staff=dict(staff))
        for i, (x, y) in enumerate(sites, start=1)
    }
    offices = {n: s for n, s in scenario.stations.items() if s.kind == "agency_office"}
    new_scenario = dataclasses.replace(scenario, stations={**offices, **kept, **placed})
    return dataclasses.replace(job, scenario=_revalidated(new_scenario, job))


def best_sites(
    region: RegionConfig,
    travel: TravelConfig,
    placement: PlacementConfig,
    kept: dict[str, StationConfig],
) -> list[tuple[float, float]]:
    """The (x_km, y_km) of the placed stations, sorted by x then y (memoised)."""
    assert placement.n_stations is not None
    fixed = [(s.x_km, s.y_km) for s in kept.values()]
    key = json.dumps(
        [
            dataclasses.asdict(region),
            dataclasses.asdict(travel),
            placement.cell_km,
            fixed,
            placement.n_stations,
        ],
        sort_keys=True,
    )
    if key not in _SITES:
        _SITES[key] = _compute_sites(region, travel, placement.cell_km, fixed, placement.n_stations)
    return list(_SITES[key])


_SITES: dict[str, tuple[tuple[float, float], ...]] = {}


def _compute_sites(
    region: RegionConfig,
    travel: TravelConfig,
    cell_km: float,
    fixed: list[tuple[float, float]],
    n_stations: int,
) -> tuple[tuple[float, float], ...]:
    x_km, y_km, weight = demand_surface(region, cell_km)
    cells = np.column_stack([x_km, y_km])
    fixed_xy = np.asarray(fixed, dtype=float).reshape(-1, 2)
    distance = road_distances(travel, cells, cells)
    chosen = p_median(distance, weight, road_distances(travel, cells, fixed_xy), n_stations)
    return tuple(sorted((round(float(x_km[c]), 3), round(float(y_km[c]), 3)) for c in chosen))


def demand_surface(region: RegionConfig, cell_km: float) -> tuple[np.ndarray, ...]:
    """Cell centres (x_km, y_km) and the probability of an incident in each cell."""
    x_edges = _edges(region.width_km, cell_km)
    y_edges = _edges(region.height_km, cell_km)
    n_cells = (len(x_edges) - 1) * (len(y_edges) - 1)
    if n_cells > MAX_CELLS:
        raise ConfigError(
            "placement.cell_km", cell_km, f"too fine for this region: at most {MAX_CELLS} cells"
        )
    total = region.background_weight + sum(h.weight for h in region.hotspots.values())
    px = np.diff(x_edges) / region.width_km
    py = np.diff(y_edges) / region.height_km
    mass = region.background_weight / total * np.outer(py, px)
    for hotspot in region.hotspots.values():
        mass_x = _normal_mass(x_edges, hotspot.x_km, hotspot.spread_km)
        mass_y = _normal_mass(y_edges, hotspot.y_km, hotspot.spread_km)
        mass += hotspot.weight / total * np.outer(mass_y, mass_x)
    x_mid, y_mid = (x_edges[:-1] + x_edges[1:]) / 2, (y_edges[:-1] + y_edges[1:]) / 2
    grid_x, grid_y = np.meshgrid(x_mid, y_mid)
    return grid_x.ravel(), grid_y.ravel(), mass.ravel()


def road_distances(travel: TravelConfig, points: np.ndarray, sites: np.ndarray) -> np.ndarray:
    """Road distance from every point (rows) to every site (columns), in km."""
    from scipy.spatial.distance import cdist  # here: 0.1 s to import, only when placing

    if travel.metric == "manhattan":
        return cdist(points, sites, "cityblock")
    if travel.metric == "zero":
        return np.zeros((len(points), len(sites)))
    return travel.detour_factor * cdist(points, sites, "euclidean")


def p_median(
    distance: np.ndarray, weight: np.ndarray, fixed_distance: np.ndarray, n_sites: int
) -> list[int]:
    """Column indices of `n_sites` sites minimising the weighted distance to the nearest site.

    `distance` is demand points x candidate sites; `fixed_distance` is demand points x sites
    that are already there. Greedy addition, then vertex substitution to a local optimum.
    """
    base = fixed_distance.min(axis=1) if fixed_distance.shape[1] else np.full(len(weight), np.inf)
    chosen: list[int] = []
    for _ in range(n_sites):
        nearest = _nearest(base, distance, chosen)
        chosen.append(int(np.argmin(_cost_with_each(nearest, distance, weight))))
    improved = True
    while improved:
        improved = False
        for position in range(len(chosen)):
            others = chosen[:position] + chosen[position + 1 :]
            costs = _cost_with_each(_nearest(base, distance, others), distance, weight)
            current = costs[chosen[position]]
            candidate = int(np.argmin(costs))
            if costs[candidate] < current * (1 - 1e-12) and candidate not in chosen:
                chosen[position] = candidate
                improved = True
    return chosen


def _nearest(base: np.ndarray, distance: np.ndarray, sites: list[int]) -> np.ndarray:
    if not sites:
        return base
    return np.minimum(base, distance[:, sites].min(axis=1))


def _cost_with_each(nearest: np.ndarray, distance: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Weighted distance to the nearest site if each candidate in turn joined `nearest`'s sites."""
    return weight @ np.minimum(nearest[:, None], distance)


def _edges(length_km: float, cell_km: float) -> np.ndarray:
    return np.linspace(0.0, length_km, max(1, math.ceil(length_km / cell_km - 1e-9)) + 1)


def _normal_mass(edges: np.ndarray, centre: float, spread: float) -> np.ndarray:
    """Mass of N(centre, spread) in each interval; the tails go to the first and last one."""
    cdf = special.ndtr((edges - centre) / spread)  # the normal's cdf (spread > 0)
    cdf[0], cdf[-1] = 0.0, 1.0
    return np.diff(cdf)


def _kept_stations(
    placement: PlacementConfig, stations: dict[str, StationConfig]
) -> dict[str, StationConfig]:
    for name in placement.keep:
        if name not in stations:
            allowed = ", ".join(s for s in stations if not s.startswith(PLACED_PREFIX))
            raise ConfigError("placement.keep", name, f"is not a station; stations: {allowed}")
    return {name: stations[name] for name in placement.keep}


def _template_staff(
    placement: PlacementConfig, stations: dict[str, StationConfig], roles: dict[str, object]
) -> dict[str, int]:
    for role, count in placement.staff.items():
        if role not in roles:
            declared = ", ".join(roles)
            raise ConfigError(
                f"placement.staff.{role}", role, f"is not a declared role; declared: {declared}"
            )
        if count < 0:
            raise ConfigError(f"placement.staff.{role}", count, "must be a count >= 0")
    if placement.staff:
        return dict(placement.staff)
    of_kind = [s for s in stations.values() if s.kind == placement.kind]
    return dict((of_kind or list(stations.values()))[0].staff)


def _revalidated(scenario: object, job: JobConfig) -> object:
    """The new scenario through `validate`, so a station that cannot field a team is an error."""
    data = dataclasses.asdict(scenario)  # type: ignore[call-overload]
    data["run"] = {}
    try:
        return validate(data).scenario
    except ConfigError as error:
        raise ConfigError(
            "placement", dataclasses.asdict(job.placement), f"placed stations: {error}"
        ) from None
