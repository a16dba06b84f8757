"""Samplers and the incident stream: exact properties of pure functions."""

from __future__ import annotations

import numpy as np

from sim.config.scenario import DistributionConfig
from sim.model.distributions import LogNormal, make_distribution
from sim.model.incidents import draw_arrival_times, draw_incidents, hourly_rate_per_min
from sim.model.streams import Streams
from tests.builders import scenario_of, tiny


def test_lognormal_is_parameterised_by_its_median_and_p90():
    dist = LogNormal(median_min=60.0, p90_min=180.0)
    draws = dist.sample(np.random.default_rng(1), 200_000)
    # The sample quantiles of 200k draws are within 1 % of the targets (binomial sd ~0.3 %).
    assert abs(np.median(draws) / 60.0 - 1) < 0.01
    assert abs(np.quantile(draws, 0.9) / 180.0 - 1) < 0.01


def test_each_distribution_knows_its_mean():
    specs = [
        DistributionConfig(dist="exponential", mean_min=12.0),
        DistributionConfig(dist="fixed", value_min=7.0),
        DistributionConfig(dist="empirical", values_min=(1.0, 2.0, 6.0)),
    ]
    assert [make_distribution(s).mean_min for s in specs] == [12.0, 7.0, 3.0]


def test_hour_and_day_weights_keep_the_mean_daily_rate():
    data = tiny()
    data["demand"]["hour_of_day"] = list(range(1, 25))
    data["demand"]["day_of_week"] = [1, 1, 1, 1, 1, 2, 2]
    rate = hourly_rate_per_min(scenario_of(data).demand, 24 * 7)
    assert np.isclose(rate.sum() * 60 / 7, 24.0)
    assert np.isclose(rate[23] / rate[0], 24.0)
    assert np.isclose(rate[24 * 5] / rate[0], 2.0)


def test_arrivals_are_sorted_and_inside_the_horizon():
    demand = scenario_of(tiny()).demand
    times = draw_arrival_times(demand, np.random.default_rng(3), 1000.5)
    assert np.all(np.diff(times) >= 0)
    assert times.min() >= 0 and times.max() < 1000.5


def test_the_same_seed_draws_the_same_incidents_whatever_the_staffing():
    lean = tiny()
    rich = tiny()
    rich["stations"]["a"]["staff"] = {"police": 9, "mediator": 2}
    rich["stations"]["b"] = {"kind": "joint_duty", "x_km": 5, "y_km": 5, "staff": {"police": 1}}
    rich["dispatch"] = {"policy": "borrow"}
    first = draw_incidents(scenario_of(lean), Streams(42, 3), 10 * 1440.0)
    second = draw_incidents(scenario_of(rich), Streams(42, 3), 10 * 1440.0)
    for name in ("t_arrival_min", "type_index", "x_km", "y_km", "handling_min"):
        assert np.array_equal(getattr(first, name), getattr(second, name))


def test_replications_and_seeds_give_different_streams():
    scenario = scenario_of(tiny())
    base = draw_incidents(scenario, Streams(42, 0), 5 * 1440.0).t_arrival_min
    other_rep = draw_incidents(scenario, Streams(42, 1), 5 * 1440.0).t_arrival_min
    other_seed = draw_incidents(scenario, Streams(43, 0), 5 * 1440.0).t_arrival_min
    assert not np.array_equal(base, other_rep)
    assert not np.array_equal(base, other_seed)


def test_streams_are_independent_of_the_order_they_are_first_used_in():
    a, b = Streams(7, 2), Streams(7, 2)
    a["types"].random()
    assert a["handling"].random() == b["handling"].random()
