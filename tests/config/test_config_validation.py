"""Bad config values end in one ConfigError naming the key, the value and what is allowed."""

from __future__ import annotations

import pytest

from sim.config.checks import validate
from sim.config.schema import ConfigError
from tests.builders import tiny


def error_of(data) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        validate(data)
    return caught.value


def test_the_tiny_scenario_is_valid():
    job = validate(tiny())
    assert job.scenario.stations["a"].staff == {"police": 1}
    assert job.run.replications == 5


def test_an_unknown_key_is_named_with_the_allowed_keys():
    data = tiny()
    data["region"]["widht_km"] = 3
    error = error_of(data)
    assert error.key == "region.widht_km"
    assert "allowed: width_km, height_km" in str(error)


def test_a_wrong_type_names_the_key_and_the_expected_type():
    data = tiny()
    data["demand"]["per_day"] = "lots"
    error = error_of(data)
    assert (error.key, error.value) == ("demand.per_day", "lots")
    assert "must be a number" in str(error)


@pytest.mark.parametrize("value", [-1.0, 0.0, float("nan"), float("inf")])
def test_a_rate_must_be_a_positive_finite_number(value):
    data = tiny()
    data["demand"]["per_day"] = value
    assert error_of(data).key == "demand.per_day"


def test_a_negative_staff_count_is_rejected():
    data = tiny()
    data["stations"]["a"]["staff"]["police"] = -2
    error = error_of(data)
    assert error.key == "stations.a.staff.police"
    assert ">= 0" in str(error)


def test_a_team_naming_an_undeclared_role_lists_the_declared_roles():
    data = tiny()
    data["incident_types"]["theft"]["team"] = {"detective": 1}
    error = error_of(data)
    assert error.key == "incident_types.theft.team.detective"
    assert "declared: police, mediator, grid_worker" in str(error)


def test_a_substitute_must_be_another_declared_role():
    data = tiny()
    data["incident_types"]["theft"]["team"] = {"police": {"count": 1, "substitutes": ["police"]}}
    assert error_of(data).key == "incident_types.theft.team.police.substitutes"


def test_a_station_outside_the_region_is_rejected():
    data = tiny()
    data["stations"]["a"]["x_km"] = 12.5
    error = error_of(data)
    assert (error.key, error.value) == ("stations.a.x_km", 12.5)
    assert "0 to 10" in str(error)


def test_a_team_no_station_can_field_is_rejected_with_the_policy_named():
    data = tiny()
    data["incident_types"]["theft"]["team"] = {"police": 2}
    error = error_of(data)
    assert error.key == "incident_types.theft.team"
    assert "policy nearest" in str(error)


def test_borrowing_lets_stations_together_field_a_team():
    data = tiny()
    data["incident_types"]["theft"]["team"] = {"police": 2}
    data["stations"]["b"] = {"kind": "joint_duty", "x_km": 1, "y_km": 1, "staff": {"police": 1}}
    data["dispatch"] = {"policy": "borrow"}
    validate(data)


def test_a_lognormal_needs_a_p90_above_its_median():
    data = tiny()
    data["incident_types"]["theft"]["handling"] = {
        "dist": "lognormal",
        "median_min": 30.0,
        "p90_min": 20.0,
    }
    assert error_of(data).key == "incident_types.theft.handling.p90_min"


def test_a_distribution_missing_its_parameter_says_which():
    data = tiny()
    data["incident_types"]["theft"]["handling"] = {"dist": "exponential"}
    error = error_of(data)
    assert error.key == "incident_types.theft.handling.mean_min"
    assert "required when dist=exponential" in str(error)


def test_an_unknown_station_kind_lists_the_kinds():
    data = tiny()
    data["stations"]["a"]["kind"] = "castle"
    assert "police_station, police_room, joint_duty" in str(error_of(data))


def test_the_hour_profile_needs_24_non_negative_weights():
    data = tiny()
    data["demand"]["hour_of_day"] = [1.0] * 23
    assert error_of(data).key == "demand.hour_of_day"
    data["demand"]["hour_of_day"] = [1.0] * 23 + [-1.0]
    assert error_of(data).key == "demand.hour_of_day.23"


def test_booleans_are_not_numbers():
    data = tiny()
    data["stations"]["a"]["staff"]["police"] = True
    assert error_of(data).key == "stations.a.staff.police"


def test_run_settings_are_checked_too():
    data = tiny(run={"replications": 0})
    assert error_of(data).key == "run.replications"


def test_a_count_of_zero_removes_a_role_from_a_team():
    data = tiny()
    data["stations"]["a"]["staff"] = {"police": 1, "mediator": 1}
    data["incident_types"]["theft"]["team"] = {"police": 0, "mediator": 1}
    slots = validate(data).scenario.incident_types["theft"].team
    assert slots == {"police": 0, "mediator": 1}
    data["incident_types"]["theft"]["team"] = {"police": 0}
    assert "at least one unit" in str(error_of(data))


def test_a_scenario_may_expose_parameters_under_its_own_name():
    data = tiny(tiny={"arrival_per_hour": 3})
    validate(data)
    data = tiny(other={"arrival_per_hour": 3})
    assert error_of(data).key == "other"
