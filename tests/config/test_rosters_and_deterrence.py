"""Rosters, office hours and deterrence: pure functions and their config errors."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config.checks import validate
from sim.config.rosters import max_on_duty, on_duty_minutes, shift_instances
from sim.config.scenario import OfficeHoursConfig, RosterConfig, ShiftConfig
from sim.config.schema import ConfigError
from sim.model.deterrence import deterred_mask, rate_factor
from sim.model.followups import next_office_time
from tests.builders import scenario_of, tiny


def with_police_roster(roster):
    data = tiny()
    data["stations"]["a"]["staff"]["police"] = roster
    return data


def test_a_3x8_roster_puts_each_shift_on_duty_in_turn():
    roster = RosterConfig(pattern="3x8", counts=(1, 3, 2))
    first_day = [(s.t_start_min, s.t_end_min, s.count) for s in shift_instances(roster, 1440.0)]
    assert first_day == [(0.0, 480.0, 1), (480.0, 960.0, 3), (960.0, 1440.0, 2)]
    assert on_duty_minutes(roster, 0.0, 1440.0) == 480 * (1 + 3 + 2)
    assert max_on_duty(roster) == 3


def test_a_night_shift_running_at_the_start_is_on_duty_from_t0():
    roster = RosterConfig(pattern="2x12", count=2)
    assert [(s.t_start_min, s.t_end_min) for s in shift_instances(roster, 1440.0)][:2] == [
        (0.0, 480.0),  # the Sunday-night shift that began at 20:00 before t = 0
        (480.0, 1200.0),
    ]


def test_weekend_only_shifts_skip_weekdays():
    roster = RosterConfig(
        shifts=(ShiftConfig(start_hour=18, hours=4, count=2, days=(5, 6)),), cover_24h=False
    )
    starts = [s.t_start_min / 1440.0 for s in shift_instances(roster, 14 * 1440.0)]
    assert [int(d) for d in starts] == [5, 6, 12, 13]


def test_overlapping_shifts_are_rejected_with_the_hour_named():
    roster = {
        "shifts": [
            {"start_hour": 0, "hours": 12, "count": 1},
            {"start_hour": 10, "hours": 14, "count": 1},
        ]
    }
    with pytest.raises(ConfigError, match="shifts overlap at this hour of the week") as caught:
        validate(with_police_roster(roster))
    assert caught.value.key == "stations.a.staff.police" and caught.value.value == "Mon 10.00 h"


def test_a_roster_with_a_gap_must_say_it_does_not_cover_24h():
    roster = {"shifts": [{"start_hour": 8, "hours": 8, "count": 1}]}
    with pytest.raises(ConfigError, match="uncovered; set cover_24h: false"):
        validate(with_police_roster(roster))
    validate(with_police_roster({**roster, "cover_24h": False}))


def test_a_named_pattern_needs_the_right_number_of_counts():
    with pytest.raises(ConfigError, match="must list 3 counts") as caught:
        validate(with_police_roster({"pattern": "3x8", "counts": [1, 2]}))
    assert caught.value.key == "stations.a.staff.police.counts"


def test_a_team_is_checked_against_the_most_staff_a_roster_ever_has():
    data = with_police_roster({"pattern": "3x8", "counts": [1, 2, 1]})
    data["incident_types"]["theft"]["team"] = {"police": 3}
    with pytest.raises(ConfigError, match="cannot be fielded"):
        validate(data)


def test_probabilities_outside_zero_one_are_rejected():
    data = tiny()
    data["roles"]["police"]["p_accept"] = 1.5
    with pytest.raises(ConfigError, match="must be > 0 and <= 1"):
        validate(data)


def test_a_root_cause_role_must_be_declared():
    data = tiny()
    data["incident_types"]["theft"]["root_cause"] = {
        "roles": ["lawyer"],
        "p_settled_with": 0.9,
        "p_settled_without": 0.4,
        "repeat_delay": {"dist": "exponential", "mean_min": 600.0},
    }
    with pytest.raises(ConfigError, match="is not a declared role") as caught:
        validate(data)
    assert caught.value.key == "incident_types.theft.root_cause.roles"


def test_office_hours_move_a_time_to_the_next_opening():
    office = OfficeHoursConfig(start_hour=8, end_hour=17, days=(0, 1, 2, 3, 4))
    assert next_office_time(100.0, office) == 480.0  # Monday 01:40 -> Monday 08:00
    assert next_office_time(600.0, office) == 600.0  # inside hours
    assert next_office_time(1020.0, office) == 1440.0 + 480.0  # Monday 17:00 -> Tuesday 08:00
    assert next_office_time(4 * 1440.0 + 1100.0, office) == 7 * 1440.0 + 480.0  # Fri -> Mon
    assert next_office_time(123.0, None) == 123.0


def deterring_scenario():
    data = tiny()
    data["stations"]["room"] = {"kind": "police_room", "x_km": 5, "y_km": 5, "staff": {"police": 0}}
    data["deterrence"] = {"police_room": {"radius_km": 1.0, "factor": 0.25}}
    data["incident_types"]["theft"]["deterrable"] = True
    return scenario_of(data)


def test_deterrence_applies_the_factor_inside_the_radius_only():
    factor = rate_factor(deterring_scenario(), np.array([5.0, 5.5, 8.0]), np.array([5.0, 5.5, 8.0]))
    assert factor.tolist() == [0.25, 0.25, 1.0]


def test_deterrence_thins_candidates_by_their_own_uniforms():
    scenario = deterring_scenario()
    x = np.full(4, 5.0)
    mask = deterred_mask(scenario, np.zeros(4, dtype=int), x, x, np.array([0.1, 0.24, 0.26, 0.9]))
    assert mask.tolist() == [False, False, True, True]


def test_a_station_kind_in_deterrence_must_exist():
    data = tiny()
    data["deterrence"] = {"fire_station": {"radius_km": 1.0, "factor": 0.5}}
    with pytest.raises(ConfigError, match="must be a station kind"):
        validate(data)
