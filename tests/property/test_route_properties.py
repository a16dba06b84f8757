"""Invariants of a route (Hypothesis): where a unit is after any time on its rounds is where a
step-by-step walk of the loop puts it, and a round's cell shares add up to one round."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config.scenario import TravelConfig
from sim.model.routes import Route

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TRAVEL = TravelConfig(metric="euclidean", detour_factor=1.0)

stops = st.lists(st.tuples(st.floats(0.0, 5.0), st.floats(0.0, 5.0)), min_size=1, max_size=6)


def walked_to(route: Route, first_stop: int, elapsed_min: float) -> tuple[float, float]:
    """Step through the loop from `first_stop`: stay, walk, stay, walk, ... until the time."""
    index, left_min = first_stop, elapsed_min
    for _ in range(100_000):
        if left_min <= route.stop_min:
            return route.stops[index]
        left_min -= route.stop_min
        following = (index + 1) % len(route.stops)
        (x0, y0), (x1, y1) = route.stops[index], route.stops[following]
        leg_min = math.dist((x0, y0), (x1, y1)) / route.speed_kmh * 60.0
        if left_min < leg_min:
            share = left_min / leg_min
            return x0 + share * (x1 - x0), y0 + share * (y1 - y0)
        left_min -= leg_min
        index = following
    raise AssertionError("the loop takes no time")


@SETTINGS
@given(
    stops=stops,
    stop_min=st.floats(0.5, 30.0),
    speed_kmh=st.floats(1.0, 20.0),
    first=st.integers(0, 5),
    elapsed_min=st.floats(0.0, 3000.0),
)
def test_the_position_on_a_round_is_where_a_step_by_step_walk_puts_it(
    stops, stop_min, speed_kmh, first, elapsed_min
):
    route = Route(stops, stop_min, speed_kmh, TRAVEL)
    first_stop = first % len(stops)
    (x_km, y_km), heading = route.position_at(first_stop, elapsed_min)
    x_walk, y_walk = walked_to(route, first_stop, elapsed_min)
    assert x_km == pytest.approx(x_walk, abs=1e-6) and y_km == pytest.approx(y_walk, abs=1e-6)
    assert 0 <= heading < len(stops)


@SETTINGS
@given(stops=stops, stop_min=st.floats(0.0, 30.0), speed_kmh=st.floats(1.0, 20.0))
def test_a_round_s_cell_shares_add_up_to_one_round(stops, stop_min, speed_kmh):
    route = Route(stops, stop_min, speed_kmh, TRAVEL)
    shares = route.cell_shares(lambda x_km, y_km: int(x_km) * 10 + int(y_km))
    assert sum(shares.values()) == pytest.approx(1.0)
    assert all(share > 0 for share in shares.values())
