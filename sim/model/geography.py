"""Places and travel: where incidents happen and how long staff take to get there.

Incident locations are a mixture of a uniform background over the district rectangle and
Gaussian hotspots (estates, markets), clipped to the rectangle. Road distance is the straight
line times a detour factor (default 1.3, the usual ratio of road to crow-fly distance in
towns), or the Manhattan distance for grid-like streets, or zero (for validation cases).
Travel time is a role's turnout time plus road distance over the role's speed.
"""

from __future__ import annotations

import numpy as np

from sim.config.scenario import RegionConfig, RoleConfig, TravelConfig

MIN_PER_HOUR = 60.0


def sample_locations(
    region: RegionConfig, rng: np.random.Generator, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """`n` incident locations (x_km, y_km) from the background-plus-hotspots mixture."""
    hotspots = list(region.hotspots.values())
    weights = np.array([region.background_weight] + [h.weight for h in hotspots], dtype=float)
    component = rng.choice(len(weights), size=n, p=weights / weights.sum())
    x_km = rng.uniform(0.0, region.width_km, size=n)
    y_km = rng.uniform(0.0, region.height_km, size=n)
    noise = rng.standard_normal(size=(2, n))
    for index, hotspot in enumerate(hotspots, start=1):
        chosen = component == index
        x_km[chosen] = hotspot.x_km + hotspot.spread_km * noise[0, chosen]
        y_km[chosen] = hotspot.y_km + hotspot.spread_km * noise[1, chosen]
    return np.clip(x_km, 0.0, region.width_km), np.clip(y_km, 0.0, region.height_km)


def road_distance_km(
    travel: TravelConfig,
    x0_km: np.ndarray,
    y0_km: np.ndarray,
    x1_km: float | np.ndarray,
    y1_km: float | np.ndarray,
) -> np.ndarray:
    """Road distance from each point (x0, y0) to (x1, y1) under the configured metric.

    Arrays broadcast: stations along one axis and incidents along the other give every
    distance at once, each rounded exactly as when computed alone.
    """
    dx, dy = np.abs(x0_km - x1_km), np.abs(y0_km - y1_km)
    if travel.metric == "manhattan":
        return dx + dy
    if travel.metric == "zero":
        return np.zeros_like(dx)
    return travel.detour_factor * np.hypot(dx, dy)


def travel_min(role: RoleConfig, distance_km: float) -> float:
    """Minutes from being dispatched to arriving on scene: turnout plus driving."""
    return role.turnout_min + distance_km / role.speed_kmh * MIN_PER_HOUR


def return_min(role: RoleConfig, distance_km: float) -> float:
    """Minutes to drive back to the station after the job (no turnout)."""
    return distance_km / role.speed_kmh * MIN_PER_HOUR
