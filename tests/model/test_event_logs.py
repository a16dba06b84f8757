"""Exact event logs of tiny deterministic scenarios: every timestamp is computed by hand.

Station `a` sits at (0, 0); incidents at (3, 4) are 5 km away, so police at 30 km/h travel
10 min and mediators at 15 km/h 20 min (no detour, no turnout).
"""

from __future__ import annotations

import numpy as np

from tests.builders import hand_made, run_logged, scenario_of, tiny

DAY_MIN = 1440.0


def test_second_incident_waits_for_the_only_officer():
    records, log, _ = run_logged(tiny(), hand_made([0.0, 5.0], [(3, 4), (3, 4)], [30.0, 30.0]))
    assert log == [
        (0.0, "arrive", 0, "theft"),
        (0.0, "dispatch", 0, "u0"),
        (5.0, "arrive", 1, "theft"),
        (5.0, "queue", 1, "a"),
        (10.0, "on_scene", 0, ""),
        (40.0, "resolved", 0, ""),
        (50.0, "free", 0, "u0"),
        (50.0, "dispatch", 1, "u0"),
        (60.0, "on_scene", 1, ""),
        (90.0, "resolved", 1, ""),
        (100.0, "free", 1, "u0"),
    ]
    table = records.incidents
    assert table["wait_min"].tolist() == [0.0, 45.0]
    assert table["response_min"].tolist() == [10.0, 55.0]
    assert table["call_close_min"].tolist() == [40.0, 85.0]
    assert records.busy[["t_start", "t_end"]].values.tolist() == [[0.0, 50.0], [50.0, 100.0]]


def test_an_urgent_call_overtakes_a_waiting_routine_one():
    data = tiny()
    data["incident_types"]["urgent"] = {
        "share": 1.0,
        "priority": 1,
        "team": {"police": 1},
        "handling": {"dist": "fixed", "value_min": 10.0},
    }
    incidents = hand_made([0.0, 1.0, 2.0], [(3, 4)] * 3, [30.0, 30.0, 10.0], type_index=[0, 0, 1])
    records, log, _ = run_logged(data, incidents)
    dispatches = [(t, incident) for t, event, incident, _ in log if event == "dispatch"]
    # Incident 0 frees the officer at 50; the urgent incident 2 goes first, then 1 at 50+10+10+10.
    assert dispatches == [(0.0, 0), (50.0, 2), (80.0, 1)]
    assert records.incidents["wait_min"].tolist() == [0.0, 79.0, 48.0]


def test_a_joint_team_starts_together_and_handles_once_the_last_member_arrives():
    data = tiny()
    data["stations"]["a"]["staff"] = {"police": 1, "mediator": 1}
    data["incident_types"]["theft"]["team"] = {"police": 1, "mediator": 1}
    records, log, _ = run_logged(data, hand_made([0.0], [(3, 4)], [30.0]))
    assert log == [
        (0.0, "arrive", 0, "theft"),
        (0.0, "dispatch", 0, "u0 u1"),
        (10.0, "on_scene", 0, ""),
        (50.0, "resolved", 0, ""),
        (60.0, "free", 0, "u0"),
        (70.0, "free", 0, "u1"),
    ]
    row = records.incidents.iloc[0]
    assert (row.travel_min, row.assembly_min, row.handling_min) == (10.0, 10.0, 30.0)
    assert row.team == "mediator+police"


def test_no_unit_waits_reserved_for_a_missing_teammate():
    # The joint call needs police + mediator; the mediator is busy, so the officer takes the
    # next police-only call instead of sitting reserved.
    data = tiny()
    data["stations"]["a"]["staff"] = {"police": 1, "mediator": 1}
    data["incident_types"]["joint"] = {
        "share": 1.0,
        "priority": 1,
        "team": {"police": 1, "mediator": 1},
        "handling": {"dist": "fixed", "value_min": 30.0},
    }
    data["incident_types"]["solo"] = {
        "share": 1.0,
        "priority": 1,
        "team": {"mediator": 1},
        "handling": {"dist": "fixed", "value_min": 100.0},
    }
    incidents = hand_made([0.0, 1.0, 2.0], [(3, 4)] * 3, [100.0, 30.0, 30.0], type_index=[2, 1, 0])
    _, log, _ = run_logged(data, incidents)
    dispatches = [(t, incident, units) for t, event, incident, units in log if event == "dispatch"]
    assert dispatches[:2] == [(0.0, 0, "u1"), (2.0, 2, "u0")]
    # The joint call starts when the mediator is back: 0 + 20 + 100 + 20 = 140.
    assert dispatches[2] == (140.0, 1, "u0 u1")


def test_borrowing_builds_a_team_from_two_stations():
    data = tiny()
    data["stations"]["a"]["staff"] = {"police": 1}
    data["stations"]["b"] = {
        "kind": "joint_duty",
        "x_km": 6.0,
        "y_km": 8.0,
        "staff": {"mediator": 1},
    }
    data["incident_types"]["theft"]["team"] = {"police": 1, "mediator": 1}
    data["dispatch"] = {"policy": "borrow"}
    records, log, _ = run_logged(data, hand_made([0.0], [(3, 4)], [30.0]))
    # Both stations are 5 km away: police 10 min, mediator 20 min.
    assert log[1] == (0.0, "dispatch", 0, "u0 u1")
    assert records.incidents.iloc[0].n_stations == 2
    assert records.incidents.iloc[0].call_close_min == 50.0


def test_trips_in_the_model_are_the_geography_functions_to_the_last_bit():
    """The model writes `travel_min` and `return_min` out in its hot path: they must agree
    exactly with `sim.model.geography` for awkward numbers (turnout, an odd speed, a detour)."""
    from sim.model.geography import return_min, road_distance_km, travel_min

    data = tiny()
    data["roles"]["police"] = {"speed_kmh": 27.3, "turnout_min": 1.7}
    data["travel"] = {"metric": "euclidean", "detour_factor": 1.31}
    places = [(3.1, 4.7), (0.3, 9.9), (7.7, 0.1)]
    records, _, _ = run_logged(data, hand_made([0.0, 100.0, 200.0], places, [30.0] * 3))
    scenario = scenario_of(data)
    police, travel = scenario.roles["police"], scenario.travel
    for (x_km, y_km), row, busy in zip(
        places, records.incidents.itertuples(), records.busy.itertuples(), strict=True
    ):
        distance_km = float(road_distance_km(travel, np.zeros(1), np.zeros(1), x_km, y_km)[0])
        assert row.t_first_on_scene == row.t_dispatch + travel_min(police, distance_km)
        assert busy.t_end == row.t_resolved + return_min(police, distance_km)
