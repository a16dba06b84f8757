"""Every validation case agrees with its exact theory (the quick plan, fixed seed).

One family of checks as in `jointduty validate --quick`: a check passes when the exact value
lies inside its simultaneous 99 % interval (Bonferroni over all checks of the suite), so a
correct simulator fails this module with probability at most 1 %. The seed is fixed, so the
outcome is deterministic.
"""

from __future__ import annotations

import pytest

from sim.validation.suite import case_names

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("case", case_names())
def test_the_case_agrees_with_theory_inside_simultaneous_99_percent_intervals(case, quick_table):
    rows = quick_table[quick_table["case"] == case]
    assert len(rows) > 0
    failed = rows[~rows["passed"]]
    assert failed.empty, "\n" + failed.to_string()


def test_every_replication_measured_every_metric(quick_observations):
    for observation in quick_observations:
        assert len(observation.values) >= 20, observation.metric


def test_the_suite_checks_each_case_the_issue_names(quick_table):
    metrics = set(zip(quick_table["case"], quick_table["metric"], strict=True))
    for expected in [
        ("mmc", "p_wait"),
        ("mmc", "response_min_mean"),
        ("mmc", "p_wait_over_30_min"),
        ("mmc", "mean_number_in_system"),
        ("mmc_priority", "response_min_mean_prio3"),
        ("mt_infinite", "number_busy_var_at_15h00"),
        ("team_pairs", "utilisation_police"),
        ("hypercube", "workload_east"),
        ("hypercube", "dispatch_fraction_market_south"),
        ("sampler_lognormal", "p90_min"),
        ("arrivals", "poisson_dispersion"),
    ]:
        assert expected in metrics
