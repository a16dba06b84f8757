"""Grossly overloaded or oversized configs are refused up front, naming the numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.config.checks import validate
from sim.config.schema import ConfigError
from tests.builders import tiny
from tests.robustness.limits import assert_clean_refusal, run_cli


def test_a_demand_far_beyond_the_staffs_capacity_is_refused_naming_the_load() -> None:
    data = tiny(demand={"per_day": 10_000.0})  # 10,000 calls x 30 min on 1 officer
    with pytest.raises(ConfigError) as caught:
        validate(data)
    error = caught.value
    assert error.key == "demand.per_day"
    assert error.value == 10_000.0
    assert "on duty" in error.allowed and "208" in error.allowed  # 10,000 x 30 / 1440 busy


def test_an_hourly_rate_far_beyond_capacity_is_refused_under_its_own_key() -> None:
    data = tiny(demand={"per_hour": 500.0})
    with pytest.raises(ConfigError) as caught:
        validate(data)
    assert caught.value.key == "demand.per_hour"


def test_a_busy_but_feasible_load_is_accepted() -> None:
    data = tiny(demand={"per_day": 150.0})  # 150 x 30 / 1440 = 3.1 busy on 1 officer: queues
    assert validate(data).scenario.demand.per_day == 150.0


def test_capacity_counts_rosters_on_duty_averaged_over_the_week() -> None:
    data = tiny(demand={"per_day": 2_000.0})  # 41.7 busy on average
    data["stations"]["a"]["staff"]["police"] = {"pattern": "3x8", "counts": [20, 20, 20]}
    assert validate(data).scenario.demand.per_day == 2_000.0


def test_more_calls_per_replication_than_memory_allows_are_refused() -> None:
    data = tiny(demand={"per_day": 900_000.0}, run={"horizon_days": 30.0})
    data["stations"]["a"]["staff"]["police"] = 100_000
    with pytest.raises(ConfigError) as caught:
        validate(data)
    error = caught.value
    assert error.key == "demand.per_day"
    assert "calls per replication" in error.allowed and "horizon_days" in error.allowed


def test_the_documented_overload_on_the_shipped_scenario_is_refused_quickly(
    tmp_path: Path,
) -> None:
    result = run_cli(
        ["run", "scenario=future_city_2021", "demand.per_day=1e6", f"hydra.run.dir={tmp_path}"],
        timeout_s=60,
        memory_bytes=1024**3 * 2,
    )
    assert_clean_refusal(result, "demand.per_day")
