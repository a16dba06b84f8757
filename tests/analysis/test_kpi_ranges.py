"""KPI ranges, and level intervals clipped to them (differences are never clipped)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.kpi_ranges import NON_NEGATIVE, SHARE, clip_interval, kpi_range
from sim.analysis.kpis import level_ci, mean_ci, summarise
from sim.analysis.paired import comparison_table
from sim.calibration.published import TARGETS, estimate, verdict
from sim.planner.search import Target
from sim.planner.simulated_load import busy_by_hour

CROSSES_ZERO = np.array([0.0, 0.0, 0.0, 0.0, 1.0])  # mean 0.2, t-interval about [-0.36, 0.76]
CROSSES_ONE = np.array([1.0, 1.0, 1.0, 1.0, 0.5])  # mean 0.9, t-interval about [0.62, 1.18]


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("wait_min_mean", NON_NEGATIVE),
        ("p_wait", SHARE),
        ("response_min_p90_prio2", NON_NEGATIVE),
        ("utilisation_police", SHARE),
        ("overtime_min_grid_worker", NON_NEGATIVE),
        ("area_future_city_call_closed_same_day_share", SHARE),
        ("area_future_city_incidents_per_day", NON_NEGATIVE),
        ("joint_mediation_per_year", NON_NEGATIVE),
        ("joint_share", SHARE),
    ],
)
def test_dynamic_kpi_names_find_their_declared_range(metric, expected):
    assert kpi_range(metric) == expected


@pytest.mark.parametrize("metric", ["x", "utilisation_", "p_wait_over_5_min", "wait_min_means"])
def test_a_name_no_pattern_declares_has_no_range_and_keeps_its_interval(metric):
    assert kpi_range(metric) is None
    assert clip_interval(metric, -1.0, 2.0) == (-1.0, 2.0)


def test_a_non_negative_kpi_whose_t_interval_crosses_zero_gets_ci_low_exactly_zero():
    mean, half_width, sd, n = mean_ci(CROSSES_ZERO)
    assert mean - half_width < 0  # the plain t-interval does cross zero
    clipped = level_ci("wait_min_mean", CROSSES_ZERO)
    assert clipped == (mean, 0.0, mean + half_width, sd, n)


def test_a_share_whose_t_interval_crosses_one_gets_ci_high_exactly_one():
    mean, half_width, sd, n = mean_ci(CROSSES_ONE)
    assert mean + half_width > 1
    assert level_ci("p_wait", CROSSES_ONE) == (mean, mean - half_width, 1.0, sd, n)


def test_an_interval_inside_the_range_is_unchanged():
    values = np.array([3.0, 4.0, 5.0])
    mean, half_width, sd, n = mean_ci(values)
    assert level_ci("response_min_mean", values) == (
        mean,
        mean - half_width,
        mean + half_width,
        sd,
        n,
    )


def test_no_replication_or_one_replication_keeps_nan_bounds():
    mean, low, high, sd, n = level_ci("wait_min_mean", np.array([]))
    assert n == 0 and all(math.isnan(v) for v in (mean, low, high, sd))
    mean, low, high, sd, n = level_ci("wait_min_mean", np.array([0.5]))
    assert (mean, n) == (0.5, 1) and all(math.isnan(v) for v in (low, high, sd))


def test_summarise_clips_each_kpi_to_its_own_range():
    reps = pd.DataFrame({"replication": range(5), "wait_min_mean": CROSSES_ZERO, "x": CROSSES_ZERO})
    summary = summarise(reps).set_index("metric")
    assert summary.loc["wait_min_mean", "ci_low"] == 0.0
    assert summary.loc["x", "ci_low"] < 0  # undeclared: the plain t-interval
    assert summary.loc["wait_min_mean", "ci_high"] == summary.loc["x", "ci_high"]
    assert summary.loc["wait_min_mean", "sd"] == summary.loc["x", "sd"]


def test_a_comparison_clips_levels_but_keeps_a_signed_difference_negative():
    before = pd.DataFrame({"replication": range(5), "wait_min_mean": [2.0, 3.0, 2.5, 4.0, 3.5]})
    after = pd.DataFrame({"replication": range(5), "wait_min_mean": CROSSES_ZERO})
    row = comparison_table(["a", "b"], [before, after]).iloc[1]
    assert row["ci_low"] == 0.0 and row["mean"] == pytest.approx(0.2)
    diff_mean, diff_half, _sd, _n = mean_ci(CROSSES_ZERO - before["wait_min_mean"].to_numpy())
    assert row["diff_ci_low"] == pytest.approx(diff_mean - diff_half) and row["diff_ci_low"] < 0
    assert row["diff_ci_high"] == pytest.approx(diff_mean + diff_half) and row["diff_ci_high"] < 0


def test_units_busy_by_hour_have_no_negative_lower_bound():
    busy = pd.DataFrame(
        {"replication": [0], "role": ["police"], "t_start": [30.0], "t_end": [90.0]}
    )
    table = busy_by_hour(busy, ["police"], warmup_min=0.0, horizon_min=1440.0, replications=[0, 1])
    hour0 = table[table["hour"] == 0].iloc[0]
    assert hour0["mean"] == pytest.approx(0.25)  # 30 min in replication 0, none in 1
    assert hour0["ci_low"] == 0.0 and hour0["ci_high"] > 0.25


def test_a_published_level_is_clipped_and_a_published_change_is_not():
    level = next(t for t in TARGETS if t.metric == "joint_mediation_per_year")
    change = next(t for t in TARGETS if t.change)
    runs = {
        level.scenario: [{level.metric: v, change.metric: v + 1.0} for v in 10.0 * CROSSES_ZERO],
        "taozhu_2019": [{change.metric: 10.0} for _ in CROSSES_ZERO],
    }
    found = estimate(level, runs)
    assert found.ci_low == 0.0 and found.ci_high == pytest.approx(found.mean + found.half_width)
    assert not verdict(level, found)  # 72 a year is far above the interval
    moved = estimate(change, runs)
    assert moved.ci_low == pytest.approx(moved.mean - moved.half_width)


def test_a_strict_target_changes_only_where_the_bound_is_at_or_past_the_ranges_edge():
    summary = summarise(pd.DataFrame({"replication": range(5), "joint_share": CROSSES_ZERO}))
    mean, low, high = summary.loc[0, ["mean", "ci_low", "ci_high"]]
    raw_low = mean - mean_ci(CROSSES_ZERO)[1]
    at_least_zero = Target("joint_share", 0.0, upper=False)
    assert at_least_zero.met(mean, low, high, strict=True)  # a share is always >= 0
    assert not at_least_zero.met(mean, raw_low, high, strict=True)  # the unclipped verdict
    above_zero = Target("joint_share", 0.01, upper=False)
    assert above_zero.met(mean, low, high, True) == above_zero.met(mean, raw_low, high, True)
