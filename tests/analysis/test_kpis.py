"""KPI and confidence-interval functions over small hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.kpis import EMPTY_OVERTIME, joint_share, mean_ci, summarise
from sim.analysis.staff_kpis import staff_kpis
from tests.builders import scenario_of, tiny


def test_the_confidence_interval_is_the_student_t_interval():
    values = np.array([1.0, 2.0, 4.0, 7.0])
    mean, half_width, sd, n = mean_ci(values)
    assert (mean, n) == (3.5, 4)
    assert np.isclose(half_width, stats.t.ppf(0.975, 3) * values.std(ddof=1) / 2.0)
    assert np.isclose(sd, values.std(ddof=1))


def test_a_single_replication_has_no_interval():
    assert np.isnan(mean_ci(np.array([5.0]))[1])


def test_summary_has_one_row_per_kpi_with_the_documented_columns():
    reps = pd.DataFrame({"replication": [0, 1, 2], "x": [1.0, 2.0, 3.0], "y": [2.0, 2.0, 2.0]})
    summary = summarise(reps)
    assert list(summary.columns) == ["metric", "mean", "sd", "ci_low", "ci_high", "n"]
    assert summary["metric"].tolist() == ["x", "y"]
    assert summary.loc[1, ["ci_low", "ci_high"]].tolist() == [2.0, 2.0]


def test_utilisation_counts_only_busy_time_inside_the_window():
    scenario = scenario_of(tiny())
    busy = pd.DataFrame(
        {"role": ["police", "police"], "t_start": [50.0, 150.0], "t_end": [150.0, 400.0]}
    )
    result = staff_kpis(busy, EMPTY_OVERTIME, scenario, warmup_min=100.0, horizon_min=200.0)
    assert result["utilisation_police"] == (50.0 + 150.0) / 200.0
    assert np.isnan(result["utilisation_mediator"])  # no mediators on duty


def test_area_kpis_count_only_the_incidents_inside_the_circle():
    from sim.analysis.staff_kpis import area_kpis

    incidents = pd.DataFrame(
        {
            "x_km": [0.0, 0.5, 3.0],
            "y_km": [0.0, 0.0, 0.0],
            "is_repeat": [False, True, True],
            "t_arrival": [10.0, 100.0, 200.0],
            "t_resolved": [20.0, 1500.0, 300.0],
        }
    )
    kpis = area_kpis("x", incidents, 0.0, 0.0, 1.0, days=2.0)
    assert kpis == {
        "area_x_incidents_per_day": 1.0,
        "area_x_repeat_calls_per_day": 0.5,
        "area_x_call_closed_same_day_share": 0.5,
    }


def test_an_incident_is_handled_jointly_if_any_of_its_sessions_had_two_roles():
    incidents = pd.DataFrame({"incident_id": [0, 1, 2, 3], "team": ["police"] * 4})
    jobs = pd.DataFrame(
        {
            "incident_id": [0, 1, 1, 2, 2, 9],
            "stage": [0, 0, 1, 0, 1, 1],
            "n_roles": [1, 1, 3, 1, 1, 2],  # incident 1: a joint follow-up; 9: not measured
        }
    )
    assert joint_share(incidents, jobs) == 1 / 4
    first_response_joint = jobs.assign(n_roles=[2, 1, 1, 1, 1, 1])
    assert joint_share(incidents, first_response_joint) == 1 / 4
    assert np.isnan(joint_share(incidents.iloc[:0], jobs))
