"""The province-scale scenario is what its seeded generator makes, and composes as promised."""

from __future__ import annotations

import importlib.util
from collections import Counter

import pytest

from sim.config.shipped import shipped_dir
from sim.sweep.compose import compose_job

GENERATOR = shipped_dir("scenarios") / "zhejiang_712" / "generate.py"


def _generator():
    spec = importlib.util.spec_from_file_location("zhejiang_712_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not GENERATOR.is_file(), reason="the generator ships with the sources only")
def test_the_shipped_province_is_what_its_generator_makes_from_the_calibrated_after_scenario():
    shipped = (GENERATOR.parent / "scenario.yaml").read_text(encoding="utf-8")
    assert _generator().scenario_text() == shipped, "run scenarios/zhejiang_712/generate.py"


@pytest.mark.slow
def test_the_province_has_712_joint_duty_stations_each_able_to_field_every_team():
    scenario = compose_job(["scenario=zhejiang_712"]).scenario
    kinds = Counter(station.kind for station in scenario.stations.values())
    assert kinds == {"joint_duty": 712, "police_station": 90}
    assert scenario.dispatch.policy == "nearest"
    roles = {role for t in scenario.incident_types.values() for role in t.team}
    roles |= {role for t in scenario.incident_types.values() for s in t.stages for role in s.team}
    for station in scenario.stations.values():
        if station.kind == "joint_duty":
            assert roles <= set(station.staff)
    assert (
        scenario.incident_types
        == compose_job(["scenario=future_city_2021"]).scenario.incident_types
    )
