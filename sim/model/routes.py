"""Routes: the loop a moving unit walks between jobs, and where on it the unit is at any time.

A route is a loop of stops: at each stop the unit stays `stop_min` (an officer-initiated stop,
a household visit, a post), then walks to the next stop at its speed, and from the last stop
back to the first. Every time along the loop is known once the loop is drawn, so walking it
needs no event per leg: `position_at` finds where a unit is a given time after it reached a
stop (a binary search over the loop's times), and `cell_shares` says how the loop's time
divides among the presence cells (`sim.model.areas`), each leg split into short pieces so
that a leg crossing cells counts in each.

The routes of the routines (`sim.config.scenario.RoutineConfig`):
- `patrol`: `n_points` random points of the beat (a disc of `beat_radius_km` around the
  station), drawn once per seat, so every shift's officer on that seat walks the same beat
  route, stopping at each point;
- `grid_walk`: the seat's block of `n_households` households (around a random centre of the
  beat, within a quarter of its radius), visited in turn;
- `post`: one point of the beat, where the unit stands (a loop of one stop).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from typing import Final

import numpy as np

from sim.config.scenario import RoutineConfig, TravelConfig

MIN_PER_HOUR: Final = 60.0
BLOCK_SHARE_OF_BEAT: Final = 0.25  # a grid block's radius, as a share of the beat's
PIECE_KM: Final = 0.1  # a leg is split into pieces this long (at most) to share it among cells

Point = tuple[float, float]


def road_km(travel: TravelConfig, x0_km: float, y0_km: float, x1_km: float, y1_km: float) -> float:
    """Road distance between two points (`geography.road_distance_km`, for one pair)."""
    if travel.metric == "zero":
        return 0.0
    dx_km, dy_km = abs(x0_km - x1_km), abs(y0_km - y1_km)
    if travel.metric == "manhattan":
        return dx_km + dy_km
    return travel.detour_factor * math.hypot(dx_km, dy_km)


def points_in_disc(
    rng: np.random.Generator, centre_km: Point, radius_km: float, region_km: Point, n_points: int
) -> list[Point]:
    """`n_points` uniform random points of the disc of `radius_km` around `centre_km`, each
    moved onto the district (`region_km`: its width and height) if it falls outside."""
    u = rng.random((n_points, 2))
    r_km, angle = radius_km * np.sqrt(u[:, 0]), 2.0 * np.pi * u[:, 1]
    x_km = np.clip(centre_km[0] + r_km * np.cos(angle), 0.0, region_km[0])
    y_km = np.clip(centre_km[1] + r_km * np.sin(angle), 0.0, region_km[1])
    return list(zip(x_km.tolist(), y_km.tolist(), strict=True))


class Route:
    """A loop of stops walked at `speed_kmh`, staying `stop_min` at each.

    `t_arrive[i]` is when the unit reaches stop i, counted from reaching stop 0;
    `period_min` is one round of the loop (back at stop 0).
    """

    __slots__ = ("centre", "period_min", "speed_kmh", "stop_min", "stops", "t_arrive", "travel")

    def __init__(
        self, stops: list[Point], stop_min: float, speed_kmh: float, travel: TravelConfig
    ) -> None:
        if not stops:
            raise ValueError("route: needs at least one stop")
        self.stops, self.stop_min, self.speed_kmh, self.travel = stops, stop_min, speed_kmh, travel
        t_arrive, t_min = [], 0.0
        for index, (x0_km, y0_km) in enumerate(stops):
            t_arrive.append(t_min)
            x1_km, y1_km = stops[(index + 1) % len(stops)]
            t_min += stop_min + self.walk_min(x0_km, y0_km, x1_km, y1_km)
        self.t_arrive, self.period_min = t_arrive, t_min
        self.centre = self._mean_position()

    def walk_min(self, x0_km: float, y0_km: float, x1_km: float, y1_km: float) -> float:
        """Minutes to walk from one point to another at the route's speed."""
        return road_km(self.travel, x0_km, y0_km, x1_km, y1_km) / self.speed_kmh * MIN_PER_HOUR

    def position_at(self, first_stop: int, elapsed_min: float) -> tuple[Point, int]:
        """Where the unit is `elapsed_min` after reaching stop `first_stop`, and the stop it
        reaches next (the one it is at, if it is at a stop)."""
        n_stops = len(self.stops)
        if self.period_min <= 0.0:  # nothing takes time: it stays where it arrived
            return self.stops[first_stop], first_stop
        phase_min = math.fmod(self.t_arrive[first_stop] + elapsed_min, self.period_min)
        index = bisect_right(self.t_arrive, phase_min) - 1
        at_stop_min = phase_min - self.t_arrive[index]
        if at_stop_min <= self.stop_min:
            return self.stops[index], index
        following = (index + 1) % n_stops
        t_next = self.t_arrive[following] if following else self.period_min
        leg_min = t_next - self.t_arrive[index] - self.stop_min
        share = (at_stop_min - self.stop_min) / leg_min
        (x0_km, y0_km), (x1_km, y1_km) = self.stops[index], self.stops[following]
        return (x0_km + share * (x1_km - x0_km), y0_km + share * (y1_km - y0_km)), following

    def cell_shares(self, cell_of: Callable[[float, float], int]) -> dict[int, float]:
        """The share of a round spent in each cell (stops where they are; legs in pieces of at
        most `PIECE_KM`, each at its midpoint's cell). Equal shares of the stops if a round
        takes no time."""
        shares: dict[int, float] = {}
        if self.period_min <= 0.0:
            for x_km, y_km in self.stops:
                cell = cell_of(x_km, y_km)
                shares[cell] = shares.get(cell, 0.0) + 1.0 / len(self.stops)
            return shares
        for piece_min, x_km, y_km in self._pieces():
            cell = cell_of(x_km, y_km)
            shares[cell] = shares.get(cell, 0.0) + piece_min / self.period_min
        return shares

    def _pieces(self) -> list[tuple[float, float, float]]:
        """(minutes, x, y) of each stop and each piece of each leg of a round."""
        pieces = []
        for index, (x0_km, y0_km) in enumerate(self.stops):
            if self.stop_min > 0.0:
                pieces.append((self.stop_min, x0_km, y0_km))
            x1_km, y1_km = self.stops[(index + 1) % len(self.stops)]
            leg_min = self.walk_min(x0_km, y0_km, x1_km, y1_km)
            if leg_min <= 0.0:
                continue
            n_pieces = max(1, math.ceil(math.hypot(x1_km - x0_km, y1_km - y0_km) / PIECE_KM))
            for k in range(n_pieces):
                share = (k + 0.5) / n_pieces
                x_km, y_km = x0_km + share * (x1_km - x0_km), y0_km + share * (y1_km - y0_km)
                pieces.append((leg_min / n_pieces, x_km, y_km))
        return pieces

    def _mean_position(self) -> Point:
        """The unit's mean position over a round (over the stops if a round takes no time)."""
        if self.period_min <= 0.0:
            xs, ys = zip(*self.stops, strict=True)
            return sum(xs) / len(xs), sum(ys) / len(ys)
        pieces = self._pieces()
        x_km = sum(m * x for m, x, _ in pieces) / self.period_min
        y_km = sum(m * y for m, _, y in pieces) / self.period_min
        return x_km, y_km


def draw_route(
    rng: np.random.Generator,
    routine: RoutineConfig,
    home_km: Point,
    region_km: Point,
    speed_kmh: float,
    travel: TravelConfig,
) -> Route:
    """A seat's route for a moving routine (patrol, grid walk, post), drawn from its own
    stream: a patrol's points, a grid block's households, or a post."""
    radius_km = routine.beat_radius_km
    if routine.kind == "patrol":
        stops = points_in_disc(rng, home_km, radius_km, region_km, routine.n_points)
        return Route(stops, routine.stop_min, speed_kmh, travel)
    (centre,) = points_in_disc(rng, home_km, radius_km, region_km, 1)
    if routine.kind == "post":
        return Route([centre], 0.0, speed_kmh, travel)
    block_km = radius_km * BLOCK_SHARE_OF_BEAT
    households = points_in_disc(rng, centre, block_km, region_km, routine.n_households)
    return Route(households, routine.stop_min, speed_kmh, travel)
