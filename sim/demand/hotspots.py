"""Demand hotspots from call places: the model's own location mixture, fitted by EM.

The model draws a call's place from a mixture: with weight `background_weight` uniform over
the region rectangle, else from one of the hotspots, each an isotropic Gaussian blob
(centre, `spread_km` sd, `weight`). Fitting that mixture to the places in a log:

1. seed k centres with k-means (k-means++ starts from a seeded generator, then
   `scipy.cluster.vq.kmeans2`), and take each cluster's size and sd as starting weight and
   spread;
2. refine by expectation-maximisation of the mixture likelihood, background included, so a
   call far from every centre is credited to the background and not stretched into a blob.

Weights come out as shares of the calls (background plus hotspots sum to 1) and spreads
never fall below `min_spread_km`, so a single busy address cannot collapse a blob to a
point. The fit is deterministic for a given seed.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.cluster.vq import kmeans2

INITIAL_BACKGROUND = 0.2


@dataclass(frozen=True)
class FittedHotspot:
    x_km: float
    y_km: float
    weight: float
    spread_km: float


@dataclass(frozen=True)
class HotspotFit:
    hotspots: list[FittedHotspot]  # heaviest first
    background_weight: float
    n_points: int
    log_lik_per_point: float  # mean log density (per km2) of the points under the mixture
    n_iterations: int


def fit_hotspots(
    x_km: np.ndarray,
    y_km: np.ndarray,
    width_km: float,
    height_km: float,
    n_hotspots: int,
    *,
    seed: int = 0,
    min_spread_km: float = 0.1,
    max_iter: int = 500,
) -> HotspotFit:
    """Background weight and `n_hotspots` Gaussian hotspots fitted to the points."""
    points = np.column_stack([x_km, y_km]).astype(float)
    if n_hotspots == 0:
        return HotspotFit([], 1.0, len(points), -float(np.log(width_km * height_km)), 0)
    centres, labels = _kmeans(points, n_hotspots, seed)
    spread2 = np.array([_spread2(points[labels == k], centres[k]) for k in range(n_hotspots)])
    spread2 = np.maximum(spread2, min_spread_km**2)
    weights = np.bincount(labels, minlength=n_hotspots) / len(points) * (1 - INITIAL_BACKGROUND)
    background = INITIAL_BACKGROUND
    background_density = 1.0 / (width_km * height_km)
    previous = -np.inf
    iteration = 0
    while iteration < max_iter:
        iteration += 1
        resp, resp_background, log_lik = _expect(
            points, centres, spread2, weights, background, background_density
        )
        centres, spread2, weights, background = _maximise(points, resp, resp_background)
        spread2 = np.maximum(spread2, min_spread_km**2)
        if log_lik - previous < 1e-9 * abs(log_lik):
            break
        previous = log_lik
    return _result(centres, spread2, weights, background, len(points), log_lik, iteration)


def _kmeans(points: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """k-means from k-means++ starts drawn with a seeded generator."""
    rng = np.random.default_rng(seed)
    starts = [points[rng.integers(len(points))]]
    for _ in range(1, k):
        d2 = np.min(((points[:, None, :] - np.array(starts)[None]) ** 2).sum(-1), axis=1)
        total = d2.sum()
        p = d2 / total if total > 0 else None
        starts.append(points[rng.choice(len(points), p=p)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an empty cluster is fine: EM re-weights it
        centres, labels = kmeans2(points, np.array(starts), iter=50, minit="matrix")
    return centres, labels


def _spread2(members: np.ndarray, centre: np.ndarray) -> float:
    if len(members) == 0:
        return 0.0
    return float(((members - centre) ** 2).sum(axis=1).mean() / 2)


def _expect(
    points: np.ndarray,
    centres: np.ndarray,
    spread2: np.ndarray,
    weights: np.ndarray,
    background: float,
    background_density: float,
) -> tuple[np.ndarray, np.ndarray, float]:
    d2 = ((points[:, None, :] - centres[None]) ** 2).sum(-1)
    blob = weights * np.exp(-d2 / (2 * spread2)) / (2 * np.pi * spread2)
    total = blob.sum(axis=1) + background * background_density
    total = np.maximum(total, 1e-300)
    return (
        blob / total[:, None],
        background * background_density / total,
        float(np.log(total).sum()),
    )


def _maximise(
    points: np.ndarray, resp: np.ndarray, resp_background: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    n_k = np.maximum(resp.sum(axis=0), 1e-12)
    centres = (resp.T @ points) / n_k[:, None]
    d2 = ((points[:, None, :] - centres[None]) ** 2).sum(-1)
    spread2 = (resp * d2).sum(axis=0) / (2 * n_k)
    return centres, spread2, resp.sum(axis=0) / len(points), float(resp_background.mean())


def _result(
    centres: np.ndarray,
    spread2: np.ndarray,
    weights: np.ndarray,
    background: float,
    n_points: int,
    log_lik: float,
    n_iterations: int,
) -> HotspotFit:
    order = np.argsort(-weights, kind="stable")
    hotspots = [
        FittedHotspot(
            float(centres[k, 0]),
            float(centres[k, 1]),
            float(weights[k]),
            float(np.sqrt(spread2[k])),
        )
        for k in order
        if weights[k] > 1e-6
    ]
    return HotspotFit(hotspots, background, n_points, log_lik / n_points, n_iterations)
