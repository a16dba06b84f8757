"""The hour x weekday rate profile fitted to call times: recovery, exact margins, gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.config.scenario import DemandConfig
from sim.demand.profile import fit_time_profile
from sim.model.incidents import draw_arrival_times

MONDAY = pd.Timestamp("2018-01-01")  # a Monday, like the model's minute 0
HOURS = np.array([0.6, 0.4, 0.3, 0.3, 0.3, 0.4, 0.6, 0.9, 1.3, 1.5, 1.5, 1.4,
                  1.4, 1.4, 1.4, 1.4, 1.5, 1.5, 1.4, 1.3, 1.2, 1.0, 0.9, 0.7])  # fmt: skip
DAYS = np.array([1.1, 1.0, 1.0, 1.0, 1.1, 0.9, 0.8])
N_DAYS = 56


def model_calls(per_day: float, seed: int, n_days: int = N_DAYS) -> pd.Series:
    """Call times drawn by the simulator's own arrival process, as timestamps."""
    demand = DemandConfig(per_day=per_day, hour_of_day=tuple(HOURS), day_of_week=tuple(DAYS))
    t_min = draw_arrival_times(demand, np.random.default_rng(seed), n_days * 1440.0)
    return pd.Series(MONDAY + pd.to_timedelta(t_min, unit="min"))


def inside(times: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    return times[(times >= start) & (times < end)]


def test_the_model_s_own_rates_are_recovered_despite_partial_edge_days_and_a_gap():
    times = model_calls(per_day=300.0, seed=11)
    start, end = MONDAY + pd.Timedelta(hours=9.5), MONDAY + pd.Timedelta(days=N_DAYS - 1, hours=15)
    gap_start, gap_end = (
        MONDAY + pd.Timedelta(days=19, hours=6),
        MONDAY + pd.Timedelta(days=20, hours=12),
    )
    times = inside(times, start, end)
    times = times[(times < gap_start) | (times >= gap_end)]
    fit = fit_time_profile(times, start, end)
    assert len(fit.gaps) == 1
    assert fit.gaps[0].start <= gap_start and fit.gaps[0].end >= gap_end
    assert fit.gaps[0].hours < 30 + 1  # within an inter-arrival time of the deleted stretch
    n = fit.n_calls
    # 95 % interval of a Poisson total; simultaneous (Bonferroni) intervals for the weights
    assert abs(fit.per_day - 300.0) <= 1.96 * 300.0 / np.sqrt(n)
    z_hours = stats.norm.ppf(1 - 0.05 / (2 * 24))
    hour_se = (HOURS / HOURS.mean()) / np.sqrt(fit.counts.sum(axis=0))
    assert np.all(np.abs(fit.hour_of_day - HOURS / HOURS.mean()) <= z_hours * hour_se)
    z_days = stats.norm.ppf(1 - 0.05 / (2 * 7))
    day_se = (DAYS / DAYS.mean()) / np.sqrt(fit.counts.sum(axis=1))
    assert np.all(np.abs(fit.day_of_week - DAYS / DAYS.mean()) <= z_days * day_se)


def test_the_gap_is_left_out_of_the_observed_time():
    times = model_calls(per_day=300.0, seed=12, n_days=14)
    start, end = MONDAY, MONDAY + pd.Timedelta(days=14)
    gap_start, gap_end = MONDAY + pd.Timedelta(days=3), MONDAY + pd.Timedelta(days=4)
    kept = times[(times < gap_start) | (times >= gap_end)]
    fit = fit_time_profile(kept, start, end)
    gap_days = sum(g.hours for g in fit.gaps) / 24
    assert fit.observed_days == pytest.approx(14 - gap_days)
    assert 0.99 < gap_days < 1.01  # one day, give or take the calls either side


def test_with_whole_days_the_weights_are_the_shares_and_per_day_the_weekday_average():
    times = model_calls(per_day=200.0, seed=13, n_days=16)  # 16 days: unbalanced weekdays
    start, end = MONDAY, MONDAY + pd.Timedelta(days=16)
    fit = fit_time_profile(times, start, end)
    by_hour = times.dt.hour.value_counts().reindex(range(24), fill_value=0)
    np.testing.assert_allclose(fit.hour_of_day, 24 * by_hour / len(times), rtol=1e-9)
    daily = times.dt.floor("D").value_counts()
    weekday_means = daily.groupby(daily.index.day_of_week).mean()
    assert fit.per_day == pytest.approx(weekday_means.mean(), rel=1e-9)
    np.testing.assert_allclose(fit.day_of_week, weekday_means / weekday_means.mean(), rtol=1e-9)
    assert fit.observed_per_day == pytest.approx(len(times) / 16)
    assert fit.observed_days == 16 and fit.gaps == []


def test_quiet_nights_of_a_small_district_are_not_taken_for_gaps():
    times = model_calls(per_day=35.0, seed=14)
    fit = fit_time_profile(times, MONDAY, MONDAY + pd.Timedelta(days=N_DAYS))
    assert fit.gaps == []


def test_a_separable_profile_passes_the_separability_test():
    times = model_calls(per_day=400.0, seed=15)
    fit = fit_time_profile(times, MONDAY, MONDAY + pd.Timedelta(days=N_DAYS))
    assert fit.separability.df == 24 * 7 - (24 + 7 - 1)
    assert fit.separability.p_value > 0.01
    assert fit.separability.share_explained > 0.9


def test_busy_weekend_nights_are_flagged_as_not_separable():
    rng = np.random.default_rng(16)
    slots = pd.date_range(MONDAY, periods=N_DAYS * 24, freq="h")
    rate = 400.0 / 24 * HOURS[slots.hour] * DAYS[slots.day_of_week]
    weekend_night = (slots.day_of_week >= 5) & (slots.hour < 6)
    rate = np.where(weekend_night, 2.0 * rate, rate)  # written out here, not by sim code
    n = rng.poisson(rate)
    offsets = pd.to_timedelta(rng.uniform(0, 60, size=n.sum()), unit="min")
    times = pd.Series(np.repeat(slots, n) + offsets)
    fit = fit_time_profile(times, MONDAY, MONDAY + pd.Timedelta(days=N_DAYS))
    assert fit.separability.p_value < 1e-6
    day, hour = fit.separability.worst_cell
    assert day >= 5 and hour < 6 and fit.separability.worst_ratio > 1


def test_a_window_without_some_weekdays_gives_them_weight_one():
    times = model_calls(per_day=300.0, seed=17, n_days=3)  # Monday to Wednesday
    fit = fit_time_profile(times, MONDAY, MONDAY + pd.Timedelta(days=3))
    assert fit.unobserved_weekdays == [3, 4, 5, 6]
    assert fit.day_of_week.mean() == pytest.approx(1.0)
    assert fit.day_of_week[3:] == pytest.approx(np.full(4, fit.day_of_week[:3].mean()))
