"""The notebook API composes like the command line and returns DataFrames."""

from __future__ import annotations

import pytest

from sim.api import load_job, run_scenario
from sim.config.schema import ConfigError


def test_load_job_applies_overrides():
    job = load_job("taozhu_2019", ["stations.taozhu_police_station.staff.police=9"])
    assert job.scenario.stations["taozhu_police_station"].staff["police"] == 9


def test_run_scenario_returns_one_row_per_replication():
    result = run_scenario("taozhu_2019", ["run.replications=3", "run.horizon_days=1"])
    assert result.replications["replication"].tolist() == [0, 1, 2]
    assert set(result.incidents["replication"]) == {0, 1, 2}
    assert "call_close_min_p90" in set(result.summary["metric"])


def test_a_bad_override_raises_a_config_error():
    with pytest.raises(ConfigError, match=r"run\.horizon_days"):
        load_job("taozhu_2019", ["run.horizon_days=-1"])
