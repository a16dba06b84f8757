"""Hotspots fitted to call places: the model's own location mixture is recovered."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.config.scenario import HotspotConfig, RegionConfig
from sim.demand.hotspots import fit_hotspots
from sim.model.geography import sample_locations

TRUTH = RegionConfig(
    width_km=20.0,
    height_km=15.0,
    background_weight=0.3,
    hotspots={
        "estate": HotspotConfig(x_km=5.0, y_km=5.0, weight=0.35, spread_km=1.0),
        "market": HotspotConfig(x_km=14.0, y_km=10.0, weight=0.25, spread_km=0.7),
        "park": HotspotConfig(x_km=11.0, y_km=5.5, weight=0.10, spread_km=1.2),
    },
)
N_POINTS = 6000
N_BOOT = 30


def estimates(x_km: np.ndarray, y_km: np.ndarray) -> np.ndarray:
    """Background weight, then x, y, weight, spread of each true hotspot's nearest fit."""
    fit = fit_hotspots(x_km, y_km, TRUTH.width_km, TRUTH.height_km, 3, seed=1)
    row = [fit.background_weight]
    for true in TRUTH.hotspots.values():
        near = min(fit.hotspots, key=lambda h: np.hypot(h.x_km - true.x_km, h.y_km - true.y_km))
        row += [near.x_km, near.y_km, near.weight, near.spread_km]
    return np.array(row)


@pytest.mark.slow


def test_the_model_s_own_location_mixture_is_recovered_within_bootstrap_intervals():
    rng = np.random.default_rng(21)
    x_km, y_km = sample_locations(TRUTH, rng, N_POINTS)
    fitted = estimates(x_km, y_km)
    boot = []
    for _ in range(N_BOOT):
        pick = rng.integers(N_POINTS, size=N_POINTS)
        boot.append(estimates(x_km[pick], y_km[pick]))
    se = np.std(boot, axis=0, ddof=1)
    truth = [TRUTH.background_weight]  # the weights already sum to 1
    for h in TRUTH.hotspots.values():
        truth += [h.x_km, h.y_km, h.weight, h.spread_km]
    # simultaneous 95 % intervals over the 13 parameters, t with N_BOOT - 1 df
    t = stats.t.ppf(1 - 0.05 / (2 * len(truth)), N_BOOT - 1)
    assert np.all(np.abs(fitted - np.array(truth)) <= t * se), (fitted, truth, se)


def test_the_fit_is_the_same_on_the_same_seed():
    x_km, y_km = sample_locations(TRUTH, np.random.default_rng(22), 2000)
    one = fit_hotspots(x_km, y_km, 20.0, 15.0, 4, seed=3)
    two = fit_hotspots(x_km, y_km, 20.0, 15.0, 4, seed=3)
    assert one == two


def test_weights_are_shares_of_the_calls_and_heaviest_come_first():
    x_km, y_km = sample_locations(TRUTH, np.random.default_rng(23), 3000)
    fit = fit_hotspots(x_km, y_km, 20.0, 15.0, 3)
    weights = [h.weight for h in fit.hotspots]
    assert abs(sum(weights) + fit.background_weight - 1.0) < 1e-9
    assert weights == sorted(weights, reverse=True)


def test_one_busy_address_does_not_collapse_a_hotspot_below_the_minimum_spread():
    rng = np.random.default_rng(24)
    x_km = np.concatenate([rng.uniform(0, 10, 500), np.full(300, 4.0)])
    y_km = np.concatenate([rng.uniform(0, 10, 500), np.full(300, 6.0)])
    fit = fit_hotspots(x_km, y_km, 10.0, 10.0, 2, min_spread_km=0.1)
    assert min(h.spread_km for h in fit.hotspots) >= 0.1
    heaviest = fit.hotspots[0]
    assert (round(heaviest.x_km, 2), round(heaviest.y_km, 2)) == (4.0, 6.0)


def test_no_hotspots_means_all_background():
    fit = fit_hotspots(np.array([1.0, 2.0]), np.array([1.0, 2.0]), 5.0, 5.0, 0)
    assert fit.hotspots == [] and fit.background_weight == 1.0
