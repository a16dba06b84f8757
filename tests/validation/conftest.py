"""The quick validation suite, run once per test session (exactly `jointduty validate --quick`)."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from sim.sweep.compose import compose_job
from sim.validation.stats import Observation, assess
from sim.validation.suite import VALIDATION_SEED, case_names, run_suite


@pytest.fixture(scope="session")
def quick_observations() -> list[Observation]:
    n_jobs = min(2, os.cpu_count() or 1)
    return run_suite(
        case_names(), compose=compose_job, quick=True, seed=VALIDATION_SEED, n_jobs=n_jobs
    )


@pytest.fixture(scope="session")
def quick_table(quick_observations: list[Observation]) -> pd.DataFrame:
    return assess(quick_observations)
