"""The shipped before/after scenarios reproduce the published outcomes (they are calibrated).

The expected values are the published figures themselves (domain brief), written out here and
not read from the calibration files. The runs use the project's default seed, not the seed the
calibration was fitted on, so this is an independent check: each target must lie inside its
simultaneous 95 % interval (Bonferroni over the seven figures, i.e. a 99.3 % Student-t interval
per figure), which a correctly calibrated model passes with probability at least 95 %.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.analysis.kpis import mean_ci
from sim.config.shipped import shipped_dir
from sim.experiment.replications import run_replication
from sim.sweep.compose import compose_config, compose_job

SEED = 20210201  # the project's default seed; the calibration is fitted on another one
N_REPLICATIONS, HORIZON_DAYS, WARMUP_DAYS = 10, 182, 28
PUBLISHED = {  # figure: (scenario, KPI, published value, kind)
    "35 incidents a day before": ("before", "incidents_per_day", 35.0, "equal"),
    "agency turnaround, median 78.8 h (LA 311 data)": (
        "before",
        "referral_turnaround_min_median",
        78.8 * 60,
        "equal",
    ),
    "incidents in the area -33 %": ("change", "area_future_city_incidents_per_day", -0.33, "equal"),
    "repeat calls -70 %": ("change", "area_future_city_repeat_calls_per_day", -0.70, "equal"),
    "63 joint law-enforcement operations": ("after", "joint_enforcement_per_year", 63.0, "equal"),
    "72 joint mediations": ("after", "joint_mediation_per_year", 72.0, "equal"),
    "more than half of matters settled the same day": (
        "after",
        "area_future_city_settled_same_day_share",
        0.5,
        "above",
    ),
}
CONFIDENCE = 1 - 0.05 / len(PUBLISHED)
CALIBRATION = shipped_dir("scenarios") / "calibration"


def _kpis(scenario: str) -> list[dict[str, float]]:
    run = [f"run.seed={SEED}", f"run.horizon_days={HORIZON_DAYS}", f"run.warmup_days={WARMUP_DAYS}"]
    job = compose_job([f"scenario={scenario}", *run])
    return [run_replication(job.scenario, job.run, r)[1] for r in range(N_REPLICATIONS)]


@pytest.fixture(scope="module")
def runs() -> dict[str, np.ndarray | list[dict[str, float]]]:
    return {"before": _kpis("taozhu_2019"), "after": _kpis("future_city_2021")}


def _values(runs, where: str, metric: str) -> np.ndarray:
    if where == "change":  # paired on common random numbers: replication r of both
        after = np.array([k[metric] for k in runs["after"]])
        before = np.array([k[metric] for k in runs["before"]])
        return after / before - 1.0
    return np.array([k[metric] for k in runs[where]])


@pytest.mark.slow
@pytest.mark.parametrize("figure", list(PUBLISHED))
def test_the_shipped_scenarios_reproduce_each_published_figure(runs, figure):
    where, metric, published, kind = PUBLISHED[figure]
    mean, half_width, _sd, n = mean_ci(_values(runs, where, metric), CONFIDENCE)
    assert n == N_REPLICATIONS
    if kind == "above":
        assert mean - half_width > published, (figure, mean, half_width)
    else:
        assert mean - half_width <= published <= mean + half_width, (figure, mean, half_width)


def _calibration(name: str) -> dict:
    return yaml.safe_load((CALIBRATION / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("scenario", ["taozhu_2019", "shangcheng_police_room", "future_city_2021"])
def test_every_scenario_of_the_district_runs_with_the_calibrated_values(scenario):
    fitted = _calibration("zhuji_taozhu.yaml")
    district = yaml.safe_load(
        (shipped_dir("scenarios") / "districts" / "zhuji_taozhu.yaml").read_text(encoding="utf-8")
    )
    composed = compose_job([f"scenario={scenario}"]).scenario
    assert composed.demand.per_day == fitted["demand"]["per_day"] != district["demand"]["per_day"]
    for name, values in fitted["incident_types"].items():
        root = composed.incident_types[name].root_cause
        assert root is not None and root.p_settled_with == values["root_cause"]["p_settled_with"]
    factor = fitted["deterrence"]["joint_duty"]["factor"]
    assert composed.deterrence["joint_duty"].factor == factor


def test_the_before_scenarios_load_the_offices_calibrated_caseload():
    fitted = _calibration("agency_desk.yaml")["per_staff_day"]
    for scenario in ("taozhu_2019", "shangcheng_police_room"):
        stations = compose_job([f"scenario={scenario}"]).scenario.stations
        offices = [s for s in stations.values() if s.kind == "agency_office"]
        desks = [d for s in offices for d in s.desk_work.values()]
        assert len(desks) == 3 and {d.per_staff_day for d in desks} == {fitted}


def test_the_after_scenario_runs_its_joint_operations_at_the_calibrated_rates():
    fitted = _calibration("future_city_2021.yaml")
    types = compose_job(["scenario=future_city_2021"]).scenario.incident_types
    joint = {
        (name, stage.p)
        for name, t in types.items()
        for stage in t.stages
        if len(stage.team) >= 3  # the joint operations: police, agency and grid worker
    }
    assert joint == {
        ("dispute", fitted["p_joint_mediation"]),
        ("municipal", fitted["p_joint_enforcement"]),
        ("market", fitted["p_joint_enforcement"]),
    }


def test_a_scenario_value_would_override_the_calibration_so_none_is_set_there():
    for scenario in ("taozhu_2019", "shangcheng_police_room", "future_city_2021"):
        text = (shipped_dir("scenarios") / scenario / "scenario.yaml").read_text(encoding="utf-8")
        own = yaml.safe_load(text)
        assert "per_day" not in own.get("demand", {})
        assert "deterrence" not in own
        for values in (own.get("incident_types") or {}).values():
            assert "root_cause" not in values


def test_the_calibration_namespace_is_dropped_before_validation():
    plain = compose_config(["scenario=future_city_2021"])
    assert set(plain["future_city_2021"]) == {"p_joint_mediation", "p_joint_enforcement"}
    assert Path(CALIBRATION / "future_city_2021.yaml").is_file()
