"""Exact event logs of the joint-duty mechanisms on tiny deterministic scenarios.

As in test_event_logs: station `a` at (0, 0), incidents at (3, 4), 5 km away: police travel
10 min, mediators 20 min. Day 0 is a Monday; t = 480 is Monday 08:00.
"""

from __future__ import annotations

from tests.builders import hand_made, run_logged, tiny

DAY_MIN = 1440.0
TWO_SHIFTS = {
    "pattern": "custom",
    "shifts": [
        {"start_hour": 0, "hours": 1, "count": 1},
        {"start_hour": 1, "hours": 23, "count": 1},
    ],
}


def events(log, *names):
    return [row for row in log if row[1] in names]


def test_a_unit_busy_at_the_end_of_its_shift_finishes_the_job_on_overtime():
    data = tiny()
    data["stations"]["a"]["staff"]["police"] = TWO_SHIFTS
    records, log, _ = run_logged(data, hand_made([50.0, 70.0], [(3, 4), (3, 4)], [30.0, 30.0]))
    assert events(log, "dispatch", "free", "shift_start") == [
        (0.0, "shift_start", -1, "a police 1"),
        (50.0, "dispatch", 0, "u0"),
        (60.0, "shift_start", -1, "a police 1"),
        (70.0, "dispatch", 1, "u1"),  # the new shift's officer, while u0 works on
        (100.0, "free", 0, "u0"),
        (120.0, "free", 1, "u1"),
    ]
    assert records.overtime[["unit_id", "t_shift_end", "t_free"]].values.tolist() == [
        [0, 60.0, 100.0]
    ]


def test_each_rostered_unit_knows_its_shift_and_plain_units_have_none():
    data = tiny()
    data["stations"]["a"]["staff"] = {"police": TWO_SHIFTS, "grid_worker": 2}
    _, _, model = run_logged(data, hand_made([50.0], [(3, 4)], [30.0]), horizon_min=DAY_MIN)
    # the two grid workers (a plain count) are units 0 and 1; then one officer per shift
    assert [model.shift_of(unit_id) for unit_id in (0, 1)] == [None, None]
    shifts = [model.shift_of(unit.unit_id) for unit in model.pool.units[2:]]
    assert [(s.t_start_min, s.t_end_min, s.count) if s else None for s in shifts] == [
        (0.0, 60.0, 1),
        (60.0, 1440.0, 1),
    ]
    assert model.shift_of(len(model.pool.units)) is None  # no such unit


def test_a_job_is_handed_over_to_the_next_shift_on_scene():
    data = tiny()
    data["roles"]["police"]["shift_change"] = "handover"
    data["stations"]["a"]["staff"]["police"] = TWO_SHIFTS
    records, log, _ = run_logged(data, hand_made([45.0, 70.0], [(3, 4), (3, 4)], [30.0, 30.0]))
    assert events(log, "dispatch", "handover", "queue", "free") == [
        (45.0, "dispatch", 0, "u0"),
        (60.0, "handover", 0, "u0 u1"),
        (70.0, "queue", 1, "a"),
        (95.0, "free", 0, "u1"),
        (95.0, "dispatch", 1, "u1"),
        (145.0, "free", 1, "u1"),
    ]
    busy = records.busy[["unit_id", "incident_id", "t_start", "t_end"]].values.tolist()
    assert busy == [[0, 0, 45.0, 60.0], [1, 0, 60.0, 95.0], [1, 1, 95.0, 145.0]]
    assert records.overtime.empty


def test_a_day_only_mediator_leaves_night_calls_waiting_until_morning():
    data = tiny()
    data["stations"]["a"]["staff"] = {"police": 1, "mediator": {"pattern": "day", "count": 1}}
    data["incident_types"]["theft"]["team"] = {"mediator": 1}
    records, log, _ = run_logged(data, hand_made([60.0], [(3, 4)], [30.0]))
    assert events(log, "queue", "dispatch") == [
        (60.0, "queue", 0, "a"),
        (480.0, "dispatch", 0, "u1"),
    ]
    assert records.incidents.loc[0, "wait_min"] == 420.0


def test_follow_up_sessions_wait_for_office_hours_and_resolution_covers_them_all():
    data = tiny()
    data["stations"]["a"]["staff"] = {"police": 1, "mediator": 1}
    data["incident_types"]["theft"]["stages"] = [
        {
            "kind": "followup",
            "sessions": 2,
            "delay": {"dist": "fixed", "value_min": 60.0},
            "team": {"mediator": 1},
            "handling": {"dist": "fixed", "value_min": 20.0},
            "office_hours": {"start_hour": 8, "end_hour": 17, "days": [0, 1, 2, 3, 4]},
        }
    ]
    records, log, _ = run_logged(data, hand_made([0.0], [(3, 4)], [30.0]))
    assert events(log, "handled", "followup", "dispatch", "resolved") == [
        (0.0, "dispatch", 0, "u0"),
        (40.0, "handled", 0, "stage 0"),
        (480.0, "followup", 0, "stage 1"),  # ready at 100, moved to Monday 08:00
        (480.0, "dispatch", 0, "u1"),
        (520.0, "handled", 0, "stage 1"),
        (580.0, "followup", 0, "stage 2"),
        (580.0, "dispatch", 0, "u1"),
        (620.0, "resolved", 0, ""),
    ]
    row = records.incidents.iloc[0]
    assert (row.call_close_min, row.n_jobs, row.response_min) == (620.0, 3, 10.0)
    assert records.jobs["kind"].tolist() == ["response", "followup", "followup"]


def test_an_unsettled_matter_calls_again_until_max_repeats():
    data = tiny()
    data["incident_types"]["theft"]["root_cause"] = {
        "roles": ["mediator"],
        "p_settled_with": 1.0,
        "p_settled_without": 0.0,
        "repeat_delay": {"dist": "fixed", "value_min": 100.0},
        "max_repeats": 2,
    }
    records, log, _ = run_logged(data, hand_made([0.0], [(3, 4)], [30.0]))
    assert events(log, "arrive", "resolved", "unsettled") == [
        (0.0, "arrive", 0, "theft"),
        (40.0, "resolved", 0, ""),
        (40.0, "unsettled", 0, ""),
        (140.0, "arrive", 1, "theft"),
        (180.0, "resolved", 1, ""),
        (180.0, "unsettled", 1, ""),
        (280.0, "arrive", 2, "theft"),
        (320.0, "resolved", 2, ""),
        (320.0, "unsettled", 2, ""),
    ]
    table = records.incidents
    assert table["is_repeat"].tolist() == [False, True, True]
    assert table["original_id"].tolist() == [0, 0, 0]
    assert table["generation"].tolist() == [0, 1, 2]
    assert (table[["x_km", "y_km"]].values == [3.0, 4.0]).all()


def test_a_team_with_the_root_cause_roles_settles_the_matter():
    data = tiny()
    data["stations"]["a"]["staff"] = {"police": 1, "mediator": 1}
    data["incident_types"]["theft"]["team"] = {"police": 1, "mediator": 1}
    data["incident_types"]["theft"]["root_cause"] = {
        "roles": ["mediator"],
        "p_settled_with": 1.0,
        "p_settled_without": 0.0,
        "repeat_delay": {"dist": "fixed", "value_min": 100.0},
    }
    records, log, _ = run_logged(data, hand_made([0.0], [(3, 4)], [30.0]))
    assert events(log, "settled", "unsettled") == [(50.0, "settled", 0, "")]
    assert records.incidents["settled"].tolist() == [1.0]


def test_a_volunteer_sets_off_after_the_call_out_delay():
    data = tiny()
    data["roles"]["volunteer"] = {
        "speed_kmh": 15.0,
        "is_volunteer": True,
        "callout_delay": {"dist": "fixed", "value_min": 7.0},
    }
    data["stations"]["a"]["staff"] = {"police": 1, "volunteer": 1}
    data["incident_types"]["theft"]["team"] = {"police": 1, "volunteer": 1}
    records, log, _ = run_logged(data, hand_made([0.0], [(3, 4)], [30.0]))
    row = records.incidents.iloc[0]
    # Police on scene at 10, the volunteer at 7 + 20 = 27; handling 27 to 57.
    assert (row.t_first_on_scene, row.t_team_on_scene, row.t_resolved) == (10.0, 27.0, 57.0)
    assert events(log, "free") == [(67.0, "free", 0, "u0"), (77.0, "free", 0, "u1")]
