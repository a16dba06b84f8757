"""A small Python API for notebooks: load a scenario with overrides, run it, get DataFrames.

    from sim.api import load_job, run_job
    job = load_job("taozhu_2019", ["run.replications=10"])
    result = run_job(job)
    result.summary

    from sim.api import compare_scenarios
    comparison = compare_scenarios(["taozhu_2019", "future_city_2021"], ["run.replications=10"])
    comparison.table          # every KPI per scenario, paired differences, Holm p-values

Overrides use the command line's `key=value` syntax and are validated the same way
(a bad value raises `sim.config.schema.ConfigError` naming the key, the value and what is allowed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sim.config.scenario import JobConfig
from sim.config.shipped import scenario_names
from sim.experiment.replications import ExperimentResult, run_experiment
from sim.sweep.compose import compose_job

if TYPE_CHECKING:
    from sim.experiment.compare import Comparison

__all__ = ["compare_scenarios", "load_job", "run_job", "run_scenario", "scenario_names"]


def load_job(scenario: str | None = None, overrides: Sequence[str] = ()) -> JobConfig:
    """The validated job for a shipped scenario (default: the app's default) and overrides."""
    chosen = [f"scenario={scenario}"] if scenario else []
    return compose_job([*chosen, *overrides])


def run_job(job: JobConfig) -> ExperimentResult:
    """Run every replication of the job; the tables come back as DataFrames."""
    return run_experiment(job)


def run_scenario(scenario: str | None = None, overrides: Sequence[str] = ()) -> ExperimentResult:
    """`load_job` then `run_job`."""
    return run_job(load_job(scenario, overrides))


def compare_scenarios(scenarios: Sequence[str], overrides: Sequence[str] = ()) -> Comparison:
    """Run the scenarios on common random numbers and compare them (as `jointduty compare`)."""
    from sim.experiment.compare import compose_jobs, run_comparison

    return run_comparison(compose_jobs(tuple(scenarios), tuple(overrides)))
