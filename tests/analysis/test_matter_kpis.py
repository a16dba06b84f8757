"""Matter KPIs: Kaplan-Meier time to settlement with open matters censored."""

from __future__ import annotations

import math

import numpy as np

from sim.analysis.matter_kpis import km_quantile, km_share_settled_by


def test_the_median_counts_open_matters_as_censored_not_as_settled_or_dropped():
    # Settled at 1, 2, 3, 4; four open at 10. KM: F = 1/8 per settled matter -> 0.5 at 4.
    settle_min = np.array([1, 2, 3, 4, 10, 10, 10, 10], dtype=float)
    settled = np.array([True] * 4 + [False] * 4)
    assert km_quantile(settle_min, settled, 0.5) == 4.0
    # Dropping the open matters would have given 2 (median of 1..4), a flattering lie.


def test_a_quantile_the_curve_never_reaches_is_not_reached():
    settle_min = np.array([1, 2, 3, 4, 10, 10, 10, 10], dtype=float)
    settled = np.array([True] * 4 + [False] * 4)
    assert math.isnan(km_quantile(settle_min, settled, 0.9))
    assert math.isnan(km_quantile(settle_min, np.zeros(8, dtype=bool), 0.5))


def test_censoring_raises_the_later_steps_of_the_curve():
    # Settled at 1; one open at 2; settled at 3 and 4: after the censoring, each later
    # settlement weighs 3/4 / 2, so F(3) = 1/4 + 3/8 and the median is 3.
    settle_min = np.array([1, 2, 3, 4], dtype=float)
    settled = np.array([True, False, True, True])
    assert km_quantile(settle_min, settled, 0.5) == 3.0
    assert km_share_settled_by(settle_min, settled, 3.5) == 0.625


def test_a_share_beyond_the_longest_follow_up_is_unknown():
    settle_min = np.array([1.0, 5.0])
    assert math.isnan(km_share_settled_by(settle_min, np.array([True, False]), 6.0))
    assert km_share_settled_by(settle_min, np.array([True, False]), 5.0) == 0.5
