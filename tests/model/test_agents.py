"""Agents: each unit on duty is a SimPy process living its duty day (`sim.model.agents`).

The officer's day is computed by hand from the points of their beat: station `a` at (3, 3),
a beat of 2 km walked at 6 km/h (10 min a km) with 5-minute stops, a response at 30 km/h
(2 min a km), no detour and no turnout. A patrol's points are the `agents` stream's, spawned
for the officer's seat and duty (station 0, role 0, seat 0, duty from minute 0).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from sim.analysis.staff_kpis import time_split_kpis
from sim.config.scenario import RoutineConfig, TravelConfig
from sim.config.schema import ConfigError
from sim.model.replication import Model
from sim.model.routes import Route, draw_route
from sim.model.streams import STREAM_NAMES, Streams
from sim.sweep.compose import compose_job
from tests.builders import hand_made, run_logged, scenario_of, tiny

SHIFT_MIN = 120.0
WALK_MIN_PER_KM, DRIVE_MIN_PER_KM, STOP_MIN = 10.0, 2.0, 5.0
SCENE = (6.0, 7.0)  # 5 km from the station


def officer_on_patrol(routine: dict | None = None, shift_hours: float = 2.0) -> dict:
    data = tiny()
    data["stations"]["a"].update(x_km=3.0, y_km=3.0)
    data["roles"]["police"]["routine"] = routine or {
        "kind": "patrol",
        "beat_radius_km": 2.0,
        "speed_kmh": 6.0,
        "stop_min": STOP_MIN,
    }
    shift = {"start_hour": 0, "hours": shift_hours, "count": 1}
    data["stations"]["a"]["staff"] = {
        "police": {"pattern": "custom", "cover_24h": False, "shifts": [shift]}
    }
    return data


def seat_route(routine: dict, n_points: int = 3) -> Route:
    """The officer's route: drawn from the `agents` stream spawned for the seat (station 0,
    role 0, seat 0) of the run's seed (1), as `sim.model.staff.Staff` draws it."""
    seed = np.random.SeedSequence(1, spawn_key=(0, STREAM_NAMES.index("agents"), 0, 0, 0))
    config = RoutineConfig(**{"n_points": n_points, **routine})
    speed_kmh = config.speed_kmh or 30.0
    travel = TravelConfig(metric="euclidean", detour_factor=1.0)
    return draw_route(
        np.random.default_rng(seed), config, (3.0, 3.0), (10.0, 10.0), speed_kmh, travel
    )


def fmt(point: tuple[float, float]) -> str:
    return f"u0 {point[0]:.3f},{point[1]:.3f}"


def test_an_officer_patrols_is_interrupted_travels_from_the_beat_and_patrols_again():
    routine = {"kind": "patrol", "beat_radius_km": 2.0, "speed_kmh": 6.0, "stop_min": STOP_MIN}
    data = officer_on_patrol({**routine, "n_points": 3})
    route = seat_route(routine)
    p0, p1, _ = route.stops
    t_at_route = math.dist((3.0, 3.0), p0) * WALK_MIN_PER_KM
    leg_min = math.dist(p0, p1) * WALK_MIN_PER_KM
    t_call = t_at_route + STOP_MIN + leg_min / 2  # halfway along the round's first leg
    where = ((p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2)
    travel_min = math.dist(where, SCENE) * DRIVE_MIN_PER_KM
    t_free = t_call + travel_min + 30.0
    walk_back_min = math.dist(SCENE, p1) * WALK_MIN_PER_KM
    assert t_free + walk_back_min > SHIFT_MIN  # still walking back to p1 at 120
    at_120 = [SCENE[k] + (SHIFT_MIN - t_free) / walk_back_min * (p1[k] - SCENE[k]) for k in (0, 1)]

    records, log, _ = run_logged(data, hand_made([t_call], [SCENE], [30.0]), horizon_min=SHIFT_MIN)

    def at(t_min: float) -> float:
        return round(t_min, 9)

    assert log == [
        (0.0, "shift_start", -1, "a police 1"),
        (0.0, "patrol", -1, fmt(p0)),  # sets out for its route's first stop
        (at(t_call), "arrive", 0, "theft"),
        (at(t_call), "interrupted", -1, fmt(where)),
        (at(t_call), "dispatch", 0, "u0"),
        (at(t_call + travel_min), "on_scene", 0, ""),
        (at(t_free), "resolved", 0, ""),
        (at(t_free), "free", 0, "u0"),
        (at(t_free), "patrol", -1, fmt(p1)),  # from the scene to the stop it was heading for
        (SHIFT_MIN, "off_duty", -1, "u0"),
    ]
    assert records.incidents["travel_min"].tolist() == pytest.approx([travel_min], abs=1e-9)
    states = records.states
    assert states["state"].tolist() == ["patrol", "patrol", "job", "patrol"]
    expected = [0, t_at_route, t_at_route, t_call, t_call, t_free, t_free, SHIFT_MIN]
    assert states[["t_start", "t_end"]].to_numpy().ravel().tolist() == pytest.approx(expected)
    # mean positions: the walk's midpoint, the route's mean, the scene, the walk back so far
    assert states.loc[0, ["x_km", "y_km"]].tolist() == pytest.approx(
        [(3.0 + p0[0]) / 2, (3.0 + p0[1]) / 2]
    )
    assert states.loc[1, ["x_km", "y_km"]].tolist() == pytest.approx(list(route.centre))
    assert states.loc[2, ["x_km", "y_km"]].tolist() == [6.0, 7.0]
    assert states.loc[3, ["x_km", "y_km"]].tolist() == pytest.approx(
        [(SCENE[0] + at_120[0]) / 2, (SCENE[1] + at_120[1]) / 2]
    )


def test_a_route_gives_the_position_at_any_time_of_its_rounds():
    travel = TravelConfig(metric="euclidean", detour_factor=1.0)
    route = Route([(0.0, 0.0), (1.0, 0.0)], stop_min=5.0, speed_kmh=6.0, travel=travel)
    assert route.period_min == pytest.approx(30.0)  # 5 + 10 + 5 + 10
    assert route.position_at(0, 3.0) == ((0.0, 0.0), 0)  # stopping at the first stop
    assert route.position_at(0, 10.0) == (pytest.approx((0.5, 0.0)), 1)  # halfway to the second
    assert route.position_at(0, 17.0) == ((1.0, 0.0), 1)
    assert route.position_at(1, 13.0) == (pytest.approx((0.2, 0.0)), 0)  # back to the first
    assert route.position_at(1, 17.0) == ((0.0, 0.0), 0)  # rounds wrap
    assert route.position_at(0, 30.0 * 7 + 10.0)[0] == pytest.approx((0.5, 0.0))
    shares = route.cell_shares(lambda x_km, y_km: min(int(x_km // 0.5), 1))
    assert shares == pytest.approx({0: 0.5, 1: 0.5})  # each half of the way, and a stop each
    assert route.centre == pytest.approx((0.5, 0.0))


def test_a_unit_waiting_at_its_station_keeps_the_event_log_of_a_unit_without_a_routine():
    incidents = hand_made([10.0, 15.0, 200.0], [SCENE] * 3, [30.0] * 3)
    plain = run_logged(officer_on_patrol({"kind": "station"}, 4.0), incidents, 300.0)
    without = officer_on_patrol(shift_hours=4.0)
    del without["roles"]["police"]["routine"]
    default = run_logged(without, incidents, 300.0)
    assert plain[1] == default[1]
    dispatches = [(t, incident) for t, event, incident, _ in plain[1] if event == "dispatch"]
    assert dispatches == [(10.0, 0), (60.0, 1), (200.0, 2)]  # the second call waited for u0
    for table in ("incidents", "busy", "jobs", "overtime", "states"):
        assert getattr(plain[0], table).equals(getattr(default[0], table)), table


def test_a_station_unit_s_states_are_its_waits_at_the_station_and_its_jobs():
    incidents = hand_made([10.0], [SCENE], [30.0])
    records, _, _ = run_logged(officer_on_patrol({"kind": "station"}), incidents, SHIFT_MIN)
    states = records.states
    # waits 0-10, is on the job 10-70 (10 min there, 30 handling, 10 back... at 30 km/h:
    # 5 km is 10 min each way), then waits at the station until the shift ends at 120
    assert states["state"].tolist() == ["station", "job", "station"]
    assert states[["t_start", "t_end"]].values.tolist() == [[0, 10], [10, 60], [60, 120]]
    assert states[["x_km", "y_km"]].values.tolist() == [[3, 3], [6, 7], [3, 3]]


def test_a_grid_worker_walks_her_block_and_returns_to_it_after_a_call():
    routine = {"kind": "grid_walk", "beat_radius_km": 2.0, "stop_min": 10.0, "n_households": 4}
    data = officer_on_patrol(routine, shift_hours=8.0)
    records, log, _ = run_logged(data, hand_made([100.0], [SCENE], [30.0]), horizon_min=480.0)
    households = seat_route({**routine, "speed_kmh": 30.0}).stops
    assert len(households) == 4
    set_outs = [(t, detail) for t, event, _, detail in log if event == "grid_walk"]
    assert set_outs[0] == (0.0, fmt(households[0]))
    assert len(set_outs) == 2 and set_outs[1][0] > 100.0  # back to her block from the scene
    assert set_outs[1][1] in {fmt(h) for h in households}
    states = records.states
    assert set(states["state"]) == {"grid_walk", "job"}
    assert np.hypot(states["x_km"] - 3.0, states["y_km"] - 3.0)[states["state"] != "job"].max() < 3


def test_a_post_is_held_until_a_dispatch_and_taken_up_again_after_it():
    routine = {"kind": "post", "beat_radius_km": 1.0}
    records, log, _ = run_logged(
        officer_on_patrol(routine), hand_made([60.0], [SCENE], [10.0]), horizon_min=SHIFT_MIN
    )
    posts = [detail for _, event, _, detail in log if event == "post"]
    assert len(posts) == 2 and posts[0] == posts[1]  # to the post at 0, and back after the call
    # to the post, standing there, the call, back to the post, standing there until 120
    assert records.states["state"].tolist() == ["post", "post", "job", "post", "post"]
    assert records.states["t_end"].iloc[-1] == SHIFT_MIN


def test_an_officer_s_time_splits_into_reactive_and_proactive_time():
    data = officer_on_patrol()
    records, _, _ = run_logged(data, hand_made([40.0], [SCENE], [30.0]), horizon_min=SHIFT_MIN)
    split = time_split_kpis(records.states, scenario_of(data), warmup_min=0.0, horizon_min=120.0)
    job = records.states[records.states["state"] == "job"]
    reactive_min = float((job["t_end"] - job["t_start"]).sum())
    assert split["reactive_share_police"] == pytest.approx(reactive_min / SHIFT_MIN)
    assert split["proactive_share_police"] == pytest.approx(1 - reactive_min / SHIFT_MIN)
    assert split["counter_share_police"] == split["waiting_share_police"] == 0.0
    assert math.isnan(split["reactive_share_mediator"])  # no mediator on duty


def test_each_unit_s_states_follow_each_other_without_gap_or_overlap_in_a_busy_week():
    # future_city_2021 with every routine: rosters, handovers, volunteers, joint teams
    scenario = compose_job(["scenario=future_city_2021"]).scenario
    routines = {
        "police": RoutineConfig("patrol", beat_radius_km=2.0, speed_kmh=5.0, stop_min=10.0),
        "grid_worker": RoutineConfig("grid_walk", speed_kmh=4.0, stop_min=15.0),
        "volunteer": RoutineConfig("post"),
    }
    roles = {
        role: dataclasses.replace(config, routine=routines.get(role, RoutineConfig("desk")))
        for role, config in scenario.roles.items()
    }
    model = Model(
        dataclasses.replace(scenario, roles=roles),
        Streams(1, 0),
        warmup_min=0.0,
        horizon_min=7 * 1440.0,
    )
    states = model.run().states.sort_values(["unit_id", "t_start"], kind="stable")
    same_unit = states["unit_id"].to_numpy()[1:] == states["unit_id"].to_numpy()[:-1]
    gaps_min = states["t_start"].to_numpy()[1:] - states["t_end"].to_numpy()[:-1]
    assert np.abs(gaps_min[same_unit]).max() < 1e-9
    assert (states["t_end"] > states["t_start"]).all()
    assert set(states["state"]) == {"patrol", "grid_walk", "post", "desk", "job"}


@pytest.mark.parametrize(
    ("routine", "key"),
    [
        ({"kind": "patrol"}, "roles.police.routine.speed_kmh"),  # the role drives at 100 km/h
        ({"kind": "grid_walk", "speed_kmh": 5.0}, "roles.police.routine.stop_min"),
        ({"kind": "patrol", "speed_kmh": 5.0, "beat_radius_km": 0.01}, "beat_radius_km"),
    ],
)
def test_a_routine_whose_legs_would_take_no_time_is_refused_naming_the_field(routine, key):
    data = officer_on_patrol(routine)
    data["roles"]["police"]["speed_kmh"] = 100.0
    with pytest.raises(ConfigError, match=key):
        scenario_of(data)


def test_a_desk_unit_works_like_a_station_unit_and_its_time_is_desk_time():
    incidents = hand_made([10.0, 15.0], [SCENE] * 2, [30.0] * 2)
    station = run_logged(officer_on_patrol({"kind": "station"}), incidents, SHIFT_MIN)
    desk = run_logged(officer_on_patrol({"kind": "desk"}), incidents, SHIFT_MIN)
    assert desk[1] == station[1]
    assert desk[0].incidents.equals(station[0].incidents)
    states = desk[0].states["state"].astype(str)
    assert (
        states.tolist()
        == station[0].states["state"].astype(str).replace("station", "desk").tolist()
    )


def test_a_station_s_own_routine_replaces_the_role_s_there_and_only_there():
    data = officer_on_patrol({"kind": "station"})
    room = {"kind": "police_room", "x_km": 8.0, "y_km": 8.0, "staff": {"police": 1}}
    data["stations"]["b"] = room
    data["stations"]["a"]["routines"] = {
        "police": {"kind": "patrol", "beat_radius_km": 2.0, "speed_kmh": 6.0, "stop_min": 5.0}
    }
    records, _, _ = run_logged(data, hand_made([], [], []), horizon_min=120.0)
    states = records.states
    assert set(states.loc[states["station"] == "a", "state"]) == {"patrol"}
    assert set(states.loc[states["station"] == "b", "state"]) == {"station"}


def test_a_station_routine_for_an_undeclared_role_is_refused_naming_the_field():
    data = officer_on_patrol()
    data["stations"]["a"]["routines"] = {"clerk": {"kind": "post"}}
    with pytest.raises(ConfigError, match=r"stations\.a\.routines\.clerk = 'clerk'"):
        scenario_of(data)


def test_a_station_routine_for_a_role_without_staff_there_is_inert():
    data = officer_on_patrol()
    data["stations"]["a"]["routines"] = {"grid_worker": {"kind": "post"}}  # no grid worker at a
    records, _, _ = run_logged(data, hand_made([], [], []), horizon_min=120.0)
    assert set(records.states["role"]) == {"police"}


def test_a_beat_route_of_no_points_is_refused_naming_the_field():
    data = officer_on_patrol({"kind": "patrol", "speed_kmh": 5.0, "n_points": 0})
    with pytest.raises(ConfigError, match=r"roles\.police\.routine\.n_points = 0"):
        scenario_of(data)
