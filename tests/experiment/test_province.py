"""A province run district by district: districts, their incidents, and the pooled KPIs."""

import numpy as np
import pandas as pd
import pytest

from sim.cli.main import main
from sim.experiment.province import (
    assign_districts,
    district_tasks,
    districts_from_names,
    merge_incapable,
    run_province,
)
from tests.builders import scenario_of, tiny

POLICE = {"police": 1}
BOTH = {"police": 1, "mediator": 1}


def _two_towns(east_staff=POLICE):
    stations = {
        "jd_d01_a": {"kind": "joint_duty", "x_km": 1.0, "y_km": 1.0, "staff": BOTH},
        "jd_d01_b": {"kind": "joint_duty", "x_km": 2.0, "y_km": 1.0, "staff": POLICE},
        "jd_d02_a": {"kind": "joint_duty", "x_km": 9.0, "y_km": 9.0, "staff": east_staff},
    }
    types = {
        "theft": {"share": 0.7, "priority": 2, "team": POLICE,
                  "handling": {"dist": "fixed", "value_min": 30.0}},
        "dispute": {"share": 0.3, "priority": 2, "team": BOTH,
                    "handling": {"dist": "fixed", "value_min": 30.0}},
    }  # fmt: skip
    return scenario_of(tiny(stations=stations, incident_types=types))


def test_districts_are_read_from_station_names():
    scenario = _two_towns()
    assert districts_from_names(scenario) == {
        "jd_d01_a": "d01",
        "jd_d01_b": "d01",
        "jd_d02_a": "d02",
    }


def test_a_district_that_cannot_field_every_team_joins_its_neighbour():
    scenario = _two_towns(east_staff=POLICE)  # no mediator in d02
    assert merge_incapable(scenario, np.array([0, 0, 1])).tolist() == [0, 0, 0]
    capable = _two_towns(east_staff=BOTH)
    assert merge_incapable(capable, np.array([0, 0, 1])).tolist() == [0, 0, 1]


def test_every_incident_goes_to_the_district_of_its_nearest_station():
    scenario = _two_towns(east_staff=BOTH)
    district = assign_districts(scenario, 2, districts_from_names(scenario))
    tasks = district_tasks(
        scenario, district, seed=3, replication=0, warmup_min=0.0, horizon_min=5 * 1440.0
    )
    assert [sorted(t.scenario.stations) for t in tasks] == [["jd_d01_a", "jd_d01_b"], ["jd_d02_a"]]
    for task, own, other in (
        (tasks[0], [(1, 1), (2, 1)], [(9, 9)]),
        (tasks[1], [(9, 9)], [(1, 1), (2, 1)]),
    ):
        x, y = task.incidents.x_km, task.incidents.y_km
        to_own = np.min([np.hypot(x - sx, y - sy) for sx, sy in own], axis=0)
        to_other = np.min([np.hypot(x - sx, y - sy) for sx, sy in other], axis=0)
        assert len(x) > 0 and np.all(to_own <= to_other)


def test_the_province_pools_its_districts_incidents():
    scenario = _two_towns(east_staff=BOTH)
    district = assign_districts(scenario, 2, districts_from_names(scenario))
    tasks = district_tasks(
        scenario, district, seed=3, replication=0, warmup_min=0.0, horizon_min=5 * 1440.0
    )
    kpis, by_district = run_province(tasks, n_workers=1)
    assert kpis["n_incidents"] == by_district["n_incidents"].sum() > 0
    weights = by_district["n_incidents"] / by_district["n_incidents"].sum()
    pooled_mean = float((by_district["response_min_mean"] * weights).sum())
    assert np.isclose(kpis["response_min_mean"], pooled_mean)
    assert 0 < kpis["utilisation_police"] < 1


def test_the_province_command_writes_replications_summary_and_districts(tmp_path):
    status = main(
        [
            "province",
            "scenario=future_city_2021",
            "run.replications=2",
            "run.horizon_days=2",
            "run.warmup_days=0",
            "--districts=2",
            f"--out={tmp_path}",
        ]
    )
    assert status == 0
    replications = pd.read_csv(tmp_path / "replications.csv")
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert replications["replication"].tolist() == [0, 1]
    assert (replications["n_incidents"] > 0).all()
    assert "response_min_mean" in set(summary["metric"])
    assert len(pd.read_csv(tmp_path / "districts.csv")) == 2  # one district (merged) x 2


def test_the_province_command_rejects_auto_replications_in_one_line(capsys):
    status = main(["province", "scenario=future_city_2021", "run.replications=auto"])
    assert status == 2
    assert capsys.readouterr().err.startswith("jointduty: config error: run.replications")


@pytest.mark.slow
@pytest.mark.ray
def test_a_private_ray_cluster_gives_the_same_province_as_one_process():
    ray = pytest.importorskip("ray")
    scenario = _two_towns(east_staff=BOTH)
    district = assign_districts(scenario, 2, districts_from_names(scenario))
    tasks = district_tasks(
        scenario, district, seed=5, replication=0, warmup_min=0.0, horizon_min=2 * 1440.0
    )
    try:
        on_ray, _ = run_province(tasks, ray_address="local")
    finally:
        ray.shutdown()
    in_process = run_province(tasks, n_workers=1)[0]
    assert pd.Series(on_ray).equals(pd.Series(in_process))  # NaN where a role is absent
