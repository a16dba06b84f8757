"""The acceptance rule: exact value inside the simultaneous (Bonferroni) 99 % t-interval."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim.validation.stats import Observation, assess, inside, per_check_confidence


def test_the_marginal_interval_is_the_student_t_99_percent_interval():
    values = (9.0, 11.0, 10.5, 9.5, 10.0)
    row = assess([Observation("c", "m", 10.0, values)]).iloc[0]
    sd = np.std(values, ddof=1)
    half = stats.t.ppf(0.995, 4) * sd / math.sqrt(5)
    assert row["ci99_low"] == pytest.approx(10.0 - half)
    assert row["ci99_high"] == pytest.approx(10.0 + half)
    assert row["n"] == 5 and row["sim_sd"] == pytest.approx(sd)


def test_simultaneous_intervals_split_the_one_percent_over_all_checks():
    observations = [Observation("c", f"m{k}", 0.0, (-1.0, 0.5, 1.0, -0.5)) for k in range(10)]
    row = assess(observations).iloc[0]
    assert per_check_confidence(10) == pytest.approx(0.999)
    half = stats.t.ppf(1 - 0.0005, 3) * np.std([-1.0, 0.5, 1.0, -0.5], ddof=1) / 2.0
    assert row["ci99_simultaneous_high"] == pytest.approx(half)
    assert row["ci99_simultaneous_high"] > row["ci99_high"]


def test_a_value_outside_the_simultaneous_interval_fails_and_inside_passes():
    values = tuple(np.random.default_rng(5).normal(10.0, 1.0, size=20))
    table = assess([Observation("c", "right", 10.0, values), Observation("c", "off", 12.0, values)])
    assert table["passed"].tolist() == [True, False]


def test_a_zero_width_interval_needs_an_exact_match():
    assert inside(0.0, 0.0, 0.0)
    assert not inside(1e-6, 0.0, 0.0)
    table = assess([Observation("c", "no_wait", 0.0, (0.0,) * 5)])
    assert bool(table["passed"].iloc[0])


def test_a_single_replication_cannot_pass():
    assert not bool(assess([Observation("c", "m", 1.0, (1.0,))])["passed"].iloc[0])


def test_a_non_finite_estimate_is_an_error_not_a_pass():
    with pytest.raises(ValueError, match="non-finite"):
        assess([Observation("c", "m", 1.0, (1.0, float("nan")))])
