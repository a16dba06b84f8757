"""Deterrence: visible presence lowers the rate of deterrable incidents near a station.

A station of a kind listed in the scenario's `deterrence` multiplies the rate of deterrable
incident types within `radius_km` (straight-line) by `factor`; where several stations cover a
place, the strongest effect (smallest factor) applies. It is applied by thinning: the same
candidate incidents are drawn in every variant, and candidate i is kept when its own uniform
u_i (stream `deterrence`) is below the local factor. Adding a station can therefore only
remove incidents, and never changes any other incident.
"""

from __future__ import annotations

import numpy as np

from sim.config.scenario import ScenarioConfig


def rate_factor(scenario: ScenarioConfig, x_km: np.ndarray, y_km: np.ndarray) -> np.ndarray:
    """The rate multiplier at each place: the smallest factor of the stations covering it."""
    factor = np.ones(len(x_km))
    for station in scenario.stations.values():
        effect = scenario.deterrence.get(station.kind)
        if effect is None:
            continue
        inside = np.hypot(x_km - station.x_km, y_km - station.y_km) <= effect.radius_km
        factor[inside] = np.minimum(factor[inside], effect.factor)
    return factor


def deterred_mask(
    scenario: ScenarioConfig,
    type_index: np.ndarray,
    x_km: np.ndarray,
    y_km: np.ndarray,
    uniforms: np.ndarray,
) -> np.ndarray:
    """True for the candidate incidents that visible presence prevents."""
    deterrable = np.array([t.deterrable for t in scenario.incident_types.values()], dtype=bool)
    return deterrable[type_index] & (uniforms >= rate_factor(scenario, x_km, y_km))
