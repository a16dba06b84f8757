"""Values each accepted alone but absurd: every one is refused naming the field, value and range."""

from __future__ import annotations

from typing import Any

import pytest

from sim.config.checks import validate
from sim.config.schema import ConfigError
from tests.builders import tiny


def refusal(data: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        validate(data)
    return caught.value


def test_max_replications_below_min_replications_is_refused_naming_both() -> None:
    error = refusal(tiny(run={"min_replications": 10, "max_replications": 5}))
    assert error.key == "run.max_replications"
    assert error.value == 5
    assert "min_replications" in error.allowed and "10" in error.allowed


def test_max_replications_equal_to_min_replications_is_accepted() -> None:
    job = validate(tiny(run={"min_replications": 7, "max_replications": 7}))
    assert job.run.max_replications == 7


@pytest.mark.parametrize("speed_kmh", [1e-300, 1e-6, 0.01, 1e300])
def test_an_absurd_speed_is_refused_naming_the_field_value_and_range(speed_kmh: float) -> None:
    data = tiny()
    data["roles"]["police"]["speed_kmh"] = speed_kmh
    error = refusal(data)
    assert error.key == "roles.police.speed_kmh"
    assert error.value == speed_kmh
    assert ">=" in error.allowed and "<=" in error.allowed


def test_the_hypercube_scenarios_near_instant_travel_is_still_accepted() -> None:
    data = tiny()
    data["roles"]["police"]["speed_kmh"] = 1.0e9
    assert validate(data).scenario.roles["police"].speed_kmh == 1.0e9


def test_a_speed_too_slow_to_cross_the_region_within_a_week_is_refused() -> None:
    data = tiny(region={"width_km": 500.0, "height_km": 500.0})
    data["roles"]["mediator"]["speed_kmh"] = 1.0
    error = refusal(data)
    assert error.key == "roles.mediator.speed_kmh"
    assert "min" in error.allowed and "region" in error.allowed


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("roles", "police", "turnout_min"), 1e300),
        (("roles", "police", "turnout_min"), 5000.0),
        (("travel", "detour_factor"), 1e300),
        (("incident_types", "theft", "handling", "value_min"), 1e300),
    ],
)
def test_an_absurd_travel_or_duration_is_refused(path: tuple[str, ...], value: float) -> None:
    data = tiny()
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    error = refusal(data)
    assert error.key == ".".join(path)
    assert "<=" in error.allowed
