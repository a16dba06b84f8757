"""Stations in distance order, computed in blocks, match the one-incident-at-a-time answer."""

import numpy as np
import pytest

from sim.config.scenario import TravelConfig
from sim.model.geography import BLOCK_INCIDENTS, StationOrder, road_distance_km


def _stations(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # On a coarse grid with repeats, so that many distances tie exactly.
    x_km = rng.integers(0, 12, n).astype(float) * 0.5
    y_km = rng.integers(0, 12, n).astype(float) * 0.5
    return x_km, y_km


def _one_at_a_time(travel, sx, sy, x, y):
    distance_km = road_distance_km(travel, sx, sy, x, y)
    return distance_km, np.argsort(distance_km, kind="stable").tolist()


@pytest.mark.parametrize("n_stations", [1, 3, 30, 200])
@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "zero"])
def test_block_order_and_distances_equal_a_stable_sort_of_each_incident(n_stations, metric):
    rng = np.random.default_rng(n_stations)
    travel = TravelConfig(metric=metric, detour_factor=1.3)
    sx, sy = _stations(n_stations, rng)
    n_incidents = BLOCK_INCIDENTS + 50  # two blocks
    x_km = np.where(rng.random(n_incidents) < 0.3, 2.5, rng.uniform(0, 6, n_incidents))
    y_km = rng.uniform(0, 6, n_incidents)
    finder = StationOrder(travel, sx, sy)
    for row in [*range(0, n_incidents, 97), n_incidents - 1]:
        distance_km, order = finder.for_block_row(row, x_km, y_km)
        want_km, want_order = _one_at_a_time(travel, sx, sy, float(x_km[row]), float(y_km[row]))
        assert list(order) == want_order
        assert order[0] == want_order[0]
        assert [distance_km[s] for s in range(n_stations)] == want_km.tolist()


def test_a_block_of_one_place_gets_the_same_answer_as_one_computed_alone():
    rng = np.random.default_rng(7)
    travel = TravelConfig()
    sx, sy = _stations(100, rng)
    finder = StationOrder(travel, sx, sy)
    distance_km, order = finder.for_block_row(0, np.array([1.25]), np.array([3.5]))
    want_km, want_order = _one_at_a_time(travel, sx, sy, 1.25, 3.5)
    assert list(order) == want_order
    assert distance_km[want_order[-1]] == want_km[want_order[-1]]


def test_many_stations_serve_the_nearest_without_sorting_them_all():
    rng = np.random.default_rng(3)
    sx, sy = rng.uniform(0, 100, 712), rng.uniform(0, 100, 712)
    finder = StationOrder(TravelConfig(), sx, sy)
    _, order = finder.for_block_row(0, np.array([50.0]), np.array([50.0]))
    assert order[0] == _one_at_a_time(TravelConfig(), sx, sy, 50.0, 50.0)[1][0]
    assert not order.has_full_order  # type: ignore[attr-defined]
    assert len(order) == 712
