"""The checks can fail: a small error in the model's input is caught at the quick plan."""

from __future__ import annotations

import pytest

from sim.sweep.compose import compose_job
from sim.validation.stats import Observation, assess
from sim.validation.suite import CASES, prepare


def _observations(case: str, theory_overrides: list[str], model_overrides: list[str]):
    told = prepare(case, quick=True, seed=7, overrides=theory_overrides, compose=compose_job)
    simulated = prepare(case, quick=True, seed=7, overrides=model_overrides, compose=compose_job)
    measured = [
        CASES[case].measure(simulated.config, simulated.run, r)
        for r in range(simulated.run.replications)
    ]
    return [
        Observation(case, metric, exact, tuple(m[metric] for m in measured))
        for metric, exact in told.theory.items()
    ]


@pytest.mark.slow
def test_a_five_percent_longer_handling_time_fails_the_mmc_case():
    observations = _observations("mmc", ["mmc.service_mean_min=20"], ["mmc.service_mean_min=21"])
    table = assess(observations)
    assert not table["passed"].all()
    assert not table.set_index("metric").loc["utilisation_police", "passed"]


@pytest.mark.slow
def test_a_model_that_ignored_priorities_fails_cobham_but_keeps_the_conservation_law():
    told = prepare("mmc_priority", quick=True, seed=7, compose=compose_job)
    fifo = [f"incident_types.{t}.priority=1" for t in ("urgent", "normal", "routine")]
    simulated = prepare("mmc_priority", quick=True, seed=7, overrides=fifo, compose=compose_job)
    measured = [
        CASES["mmc_priority"].measure(simulated.config, simulated.run, r)
        for r in range(simulated.run.replications)
    ]
    urgent_as_fifo = Observation(
        "mmc_priority",
        "response_min_mean_prio1",
        told.theory["response_min_mean_prio1"],
        tuple(m["response_min_mean_prio1"] for m in measured),  # one class: every call
    )
    all_classes = Observation(
        "mmc_priority",
        "response_min_mean",
        told.theory["response_min_mean"],
        tuple(m["response_min_mean"] for m in measured),
    )
    table = assess([urgent_as_fifo, all_classes]).set_index("metric")
    assert not table.loc["response_min_mean_prio1", "passed"]
    assert table.loc["response_min_mean", "passed"]


def test_a_two_percent_error_in_the_exponential_mean_is_caught():
    observations = _observations("sampler_exponential", [], [])
    shifted = [Observation(o.case, o.metric, 1.02 * o.theory, o.values) for o in observations]
    assert not assess(shifted)["passed"].any()
