"""Every KPI a shipped scenario produces has a declared range, and every replication is in it.

A short run of each shipped scenario (and one province run, whose KPIs are pooled over
districts) lists the KPI columns the model really produces, names made per role, priority,
area and joint category included. A KPI that no pattern of `sim.analysis.kpi_ranges.KPI_RANGES`
declares fails here, instead of silently keeping an unclipped interval; a replication's
value outside its KPI's range is a fault of the model (or a wrong range) and fails too; an
overloaded run, with much overtime, checks that utilisation (busy over rostered plus overtime
minutes) stays a share.
"""

from __future__ import annotations

import math

import pytest

from sim.analysis.kpi_ranges import kpi_range
from sim.config.shipped import scenario_names
from sim.experiment.province import (
    assign_districts,
    district_tasks,
    districts_from_names,
    run_province,
)
from sim.experiment.replications import run_replication
from sim.sweep.compose import compose_job

SHORT = ["run.horizon_days=2", "run.warmup_days=0.5", "run.seed=5"]
REPLICATIONS = (0, 1)


def _problems(kpis: dict[str, float]) -> list[str]:
    problems = []
    for name, value in kpis.items():
        declared = kpi_range(name)
        if declared is None:
            problems.append(f"{name}: no declared range (add a pattern to KPI_RANGES)")
        elif not math.isnan(value) and not declared.contains(value):
            problems.append(f"{name} = {value!r}: outside [{declared.low}, {declared.high}]")
    return problems


OVERLOADED = ("demand.per_day=120", "roles.police.shift_change=finish")  # much overtime
CASES = [
    pytest.param(name, (), id=name, marks=[pytest.mark.slow] if name == "zhejiang_712" else [])
    for name in scenario_names()
] + [pytest.param("taozhu_2019", OVERLOADED, id="taozhu_2019-overloaded")]


@pytest.mark.parametrize(("scenario", "overrides"), CASES)
def test_every_kpi_of_a_shipped_scenario_has_a_range_holding_each_replication(scenario, overrides):
    job = compose_job([f"scenario={scenario}", *SHORT, *overrides])
    problems, names = [], set()
    for replication in REPLICATIONS:
        _records, kpis = run_replication(job.scenario, job.run, replication)
        names |= set(kpis)
        if overrides == OVERLOADED:  # the case must really stress the staff
            assert kpis["overtime_min_police"] > 60 and kpis["utilisation_police"] > 0.9, kpis
        problems += [f"replication {replication}: {p}" for p in _problems(kpis)]
    assert names, scenario
    assert not problems, f"{scenario}:\n" + "\n".join(problems)


@pytest.mark.slow
def test_every_kpi_of_a_province_run_has_a_range_holding_its_value():
    scenario = compose_job(["scenario=zhejiang_712"]).scenario
    district = assign_districts(scenario, 0, districts_from_names(scenario))
    tasks = district_tasks(
        scenario, district, seed=5, replication=0, warmup_min=0.0, horizon_min=1440.0
    )
    kpis, by_district = run_province(tasks, n_workers=1)
    problems = _problems(kpis)
    for row in by_district.drop(columns="district").to_dict("records"):
        problems += [f"a district: {p}" for p in _problems(row)]
    assert not problems, "\n".join(problems)
