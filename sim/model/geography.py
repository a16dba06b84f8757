"""Places and travel: where incidents happen and how long staff take to get there.

Incident locations are a mixture of a uniform background over the district rectangle and
Gaussian hotspots (estates, markets), clipped to the rectangle. Road distance is the straight
line times a detour factor (default 1.3, the usual ratio of road to crow-fly distance in
towns), or the Manhattan distance for grid-like streets, or zero (for validation cases).
Travel time is a role's turnout time plus road distance over the role's speed.

Stations in distance order from each incident are computed in blocks, not one at a time. The
dispatch policies walk the stations in order of road distance from the incident (ties by
station index, a stable sort) until one can field the team, and the model needs the distance
from each dispatched unit's station. Computing that with numpy for every incident separately
costs more than the rest of the incident's handling; so `StationOrder` computes it for a block
of consecutive incidents at once, which gives bit-for-bit the same distances and order.

- With few stations (`FULL_ORDER_MAX_STATIONS`), every incident gets the full order as a list.
- With many (a province), a k-d tree finds each incident's nearest `n_near` stations for the
  whole block; the incident gets a `LazyOrder` that serves those (re-measured exactly and
  kept only where no station outside them can be as near) and computes the full order only
  if a policy walks past them, which happens only when the nearest stations are all busy.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

import numpy as np

from sim.config.scenario import RegionConfig, RoleConfig, TravelConfig

MIN_PER_HOUR = 60.0
FULL_ORDER_MAX_STATIONS = 32
BLOCK_INCIDENTS = 2048
N_NEAR = 16
ONLY_STATION = (0,)  # the order of every incident when there is one station
ROUNDING_MARGIN = 1e-9  # k-d tree distances and road distances round differently


def sample_locations(
    region: RegionConfig, rng: np.random.Generator, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """`n` incident locations (x_km, y_km) from the background-plus-hotspots mixture."""
    hotspots = list(region.hotspots.values())
    weights = np.array([region.background_weight] + [h.weight for h in hotspots], dtype=float)
    component = rng.choice(len(weights), size=n, p=weights / weights.sum())
    x_km = rng.uniform(0.0, region.width_km, size=n)
    y_km = rng.uniform(0.0, region.height_km, size=n)
    noise = rng.standard_normal(size=(2, n))
    for index, hotspot in enumerate(hotspots, start=1):
        chosen = component == index
        x_km[chosen] = hotspot.x_km + hotspot.spread_km * noise[0, chosen]
        y_km[chosen] = hotspot.y_km + hotspot.spread_km * noise[1, chosen]
    return np.clip(x_km, 0.0, region.width_km), np.clip(y_km, 0.0, region.height_km)


def road_distance_km(
    travel: TravelConfig,
    x0_km: np.ndarray,
    y0_km: np.ndarray,
    x1_km: float | np.ndarray,
    y1_km: float | np.ndarray,
) -> np.ndarray:
    """Road distance from each point (x0, y0) to (x1, y1) under the configured metric.

    Arrays broadcast: stations along one axis and incidents along the other give every
    distance at once, each rounded exactly as when computed alone.
    """
    dx, dy = np.abs(x0_km - x1_km), np.abs(y0_km - y1_km)
    if travel.metric == "manhattan":
        return dx + dy
    if travel.metric == "zero":
        return np.zeros_like(dx)
    return travel.detour_factor * np.hypot(dx, dy)


def travel_min(role: RoleConfig, distance_km: float) -> float:
    """Minutes from being dispatched to arriving on scene: turnout plus driving."""
    return role.turnout_min + distance_km / role.speed_kmh * MIN_PER_HOUR


def return_min(role: RoleConfig, distance_km: float) -> float:
    """Minutes to drive back to the station after the job (no turnout)."""
    return distance_km / role.speed_kmh * MIN_PER_HOUR


class LazyOrder(Sequence[int]):
    """All stations by distance: the known nearest ones first, the rest computed if asked for."""

    def __init__(self, near: list[int], n_stations: int, order: StationOrder, x: float, y: float):
        self.near, self.n_stations = near, n_stations
        self._order, self._x, self._y = order, x, y
        self._full: list[int] | None = None

    def __len__(self) -> int:
        return self.n_stations

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> list[int]: ...
    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, int) and 0 <= index < len(self.near):
            return self.near[index]
        return self.full()[index]

    def __iter__(self) -> Iterator[int]:
        yield from self.near
        yield from self.full()[len(self.near) :]

    @property
    def has_full_order(self) -> bool:
        """Whether the order past the known nearest stations has been computed."""
        return self._full is not None

    def full(self) -> list[int]:
        if self._full is None:
            self._full = self._order.full_order(self._x, self._y)[1]
        return self._full


class Distances:
    """Road distance to each station, exact for the near ones and computed for the others."""

    def __init__(self, known_km: dict[int, float], order: StationOrder, x: float, y: float):
        self.known_km, self._order, self._x, self._y = known_km, order, x, y

    def __getitem__(self, station: int) -> float:
        if station not in self.known_km:
            self.known_km[station] = self._order.distance_km(station, self._x, self._y)
        return self.known_km[station]


class StationOrder:
    """Distances and distance order from incidents to the stations, block by block."""

    def __init__(self, travel: TravelConfig, station_x_km: np.ndarray, station_y_km: np.ndarray):
        self.travel = travel
        self.station_x_km, self.station_y_km = station_x_km, station_y_km
        self.n_stations = len(station_x_km)
        self.lazy = self.n_stations > FULL_ORDER_MAX_STATIONS and travel.metric != "zero"
        self._tree = None
        if self.lazy:
            from scipy.spatial import cKDTree  # here: 0.1 s to import, for large districts only

            p_norm = 1 if travel.metric == "manhattan" else 2
            self._tree = (cKDTree(np.column_stack([station_x_km, station_y_km])), p_norm)
        self._block = -1
        self._rows: list[tuple[Sequence[float] | Distances, Sequence[int]]] = []

    def for_block_row(
        self, row: int, x_km: np.ndarray, y_km: np.ndarray
    ) -> tuple[Sequence[float] | Distances, Sequence[int]]:
        """(distances, order) for row `row` of the incidents at `x_km, y_km` (drawn up front)."""
        block = row // BLOCK_INCIDENTS
        if block != self._block:
            rows = slice(block * BLOCK_INCIDENTS, (block + 1) * BLOCK_INCIDENTS)
            self._rows = self._compute_block(x_km[rows], y_km[rows])
            self._block = block
        return self._rows[row % BLOCK_INCIDENTS]

    def full_order(self, x_km: float, y_km: float) -> tuple[np.ndarray, list[int]]:
        """Every station's distance from one place, and the stations in order (stable)."""
        distance_km = road_distance_km(
            self.travel, self.station_x_km, self.station_y_km, x_km, y_km
        )
        if self.n_stations == 1:
            return distance_km, [0]
        return distance_km, np.argsort(distance_km, kind="stable").tolist()

    def distance_km(self, station: int, x_km: float, y_km: float) -> float:
        one = slice(station, station + 1)
        return float(
            road_distance_km(
                self.travel, self.station_x_km[one], self.station_y_km[one], x_km, y_km
            )[0]
        )

    def _compute_block(
        self, x_km: np.ndarray, y_km: np.ndarray
    ) -> list[tuple[Sequence[float] | Distances, Sequence[int]]]:
        if self.lazy:
            return self._near_block(x_km, y_km)
        distance_km = road_distance_km(
            self.travel,
            self.station_x_km[None, :],
            self.station_y_km[None, :],
            x_km[:, None],
            y_km[:, None],
        )
        if self.n_stations == 1:  # one order for all: the only station
            return [(row, ONLY_STATION) for row in distance_km.tolist()]
        order = np.argsort(distance_km, axis=1, kind="stable")
        return list(zip(distance_km.tolist(), order.tolist(), strict=True))

    def _near_block(
        self, x_km: np.ndarray, y_km: np.ndarray
    ) -> list[tuple[Sequence[float] | Distances, Sequence[int]]]:
        """The nearest stations by the tree, re-measured as road distances and re-ranked.

        A station outside the tree's `n_near` is at least as far as the tree's farthest one,
        so only the re-measured stations nearer than that (less a rounding margin) are sure
        to be the nearest in order; the rest of the order is left to `LazyOrder`.
        """
        assert self._tree is not None
        tree, p_norm = self._tree
        tree_km, near = tree.query(
            np.column_stack([x_km, y_km]), k=min(N_NEAR, self.n_stations), p=p_norm
        )
        tree_km, near = tree_km.reshape(len(x_km), -1), near.reshape(len(x_km), -1)
        exact_km = road_distance_km(
            self.travel,
            self.station_x_km[near],
            self.station_y_km[near],
            x_km[:, None],
            y_km[:, None],
        )
        ranked = np.lexsort((near, exact_km), axis=1)
        near, exact_km = (
            np.take_along_axis(near, ranked, 1),
            np.take_along_axis(exact_km, ranked, 1),
        )
        detour = self.travel.detour_factor if self.travel.metric == "euclidean" else 1.0
        bound_km = detour * tree_km[:, -1:] * (1.0 - ROUNDING_MARGIN)
        n_sure = (exact_km < bound_km).sum(axis=1).tolist()
        rows = []
        places = zip(
            x_km.tolist(), y_km.tolist(), near.tolist(), exact_km.tolist(), n_sure, strict=True
        )
        for x, y, stations, km, n in places:
            known = dict(zip(stations[:n], km[:n], strict=True))
            order = LazyOrder(stations[:n], self.n_stations, self, x, y)
            rows.append((Distances(known, self, x, y), order))
        return rows
