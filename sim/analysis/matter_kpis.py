"""Matter KPIs: how long a citizen's problem takes to be settled, across all its calls.

Time to settlement runs from a matter's first call until it is settled at its root. A matter
still open when the run stops is right-censored there, so its median and 90th percentile come
from a Kaplan-Meier estimate (`scipy.stats.ecdf` on `scipy.stats.CensoredData`), not from the
settled matters alone, which would leave out exactly the slow ones. When the estimated share
settled never reaches a quantile's level (say 90 % of matters are never seen settled), that
quantile is NaN: "not reached", never extrapolated. The same goes for the share settled within
7 days and still open after 30 days when no matter was followed that long.

The share settled the same day counts matters settled on the calendar day of their first
call, out of all of them. Calls per matter is a plain mean. Both are given per matter type and
per named area (where the matter's first call was) too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.config.scenario import ScenarioConfig

MIN_PER_DAY = 1440.0
WEEK_MIN = 7 * MIN_PER_DAY  # within 1 h and 12 h per type: the report's two settled cases
MONTH_MIN = 30 * MIN_PER_DAY


def settlement_curve(settle_min: np.ndarray, settled: np.ndarray) -> Any | None:
    """The Kaplan-Meier estimate of time to settlement (`scipy.stats.ecdf`'s result), or None
    without a settled matter."""
    settle_min, settled = np.asarray(settle_min, float), np.asarray(settled, bool)
    if not settled.any():
        return None
    data = stats.CensoredData(uncensored=settle_min[settled], right=settle_min[~settled])
    return stats.ecdf(data)


def km_quantile(settle_min: np.ndarray, settled: np.ndarray, q: float) -> float:
    """The time by which a share `q` of matters is settled (Kaplan-Meier); NaN if the
    estimated share settled never reaches `q` ("not reached")."""
    curve = settlement_curve(settle_min, settled)
    if curve is None:
        return np.nan
    reached = np.flatnonzero(curve.cdf.probabilities >= q - 1e-12)
    return float(curve.cdf.quantiles[reached[0]]) if len(reached) else np.nan


def km_share_settled_by(settle_min: np.ndarray, settled: np.ndarray, t_min: float) -> float:
    """The Kaplan-Meier share of matters settled within `t_min` of their first call; NaN
    when no matter was followed that long."""
    settle_min = np.asarray(settle_min, float)
    if not len(settle_min) or settle_min.max() < t_min:
        return np.nan
    curve = settlement_curve(settle_min, settled)
    return 0.0 if curve is None else float(curve.cdf.evaluate(t_min))


def matter_kpis(matters: pd.DataFrame, scenario: ScenarioConfig) -> dict[str, float]:
    """The matter KPIs of one replication: overall, then per matter type."""
    kpis = _matter_kpis(matters, "")
    kinds = matters["kind"].astype(str)
    for kind in scenario.incident_types:
        of_kind = matters[kinds == kind]
        settle_min, settled = of_kind["settle_min"].to_numpy(), of_kind["settled"].to_numpy()
        kpis[f"settle_min_median_{kind}"] = km_quantile(settle_min, settled, 0.5)
        kpis[f"settled_same_day_share_{kind}"] = _mean(of_kind["settled_same_day"])
        kpis[f"settled_within_1h_share_{kind}"] = km_share_settled_by(settle_min, settled, 60.0)
        kpis[f"settled_within_12h_share_{kind}"] = km_share_settled_by(settle_min, settled, 720.0)
    for name, area in scenario.areas.items():
        distance_km = np.hypot(matters["x_km"] - area.x_km, matters["y_km"] - area.y_km)
        inside = matters[distance_km <= area.radius_km]
        kpis[f"area_{name}_settled_same_day_share"] = _mean(inside["settled_same_day"])
        kpis[f"area_{name}_calls_per_matter"] = _mean(inside["n_calls"])
    return kpis


def _matter_kpis(matters: pd.DataFrame, suffix: str) -> dict[str, float]:
    settle_min = matters["settle_min"].to_numpy(dtype=float)
    settled = matters["settled"].to_numpy(dtype=bool)
    open_share = 1.0 - km_share_settled_by(settle_min, settled, MONTH_MIN)
    return {
        f"n_matters{suffix}": float(len(matters)),
        f"settle_min_median{suffix}": km_quantile(settle_min, settled, 0.5),
        f"settle_min_p90{suffix}": km_quantile(settle_min, settled, 0.9),
        f"settled_same_day_share{suffix}": _mean(matters["settled_same_day"]),
        f"settled_within_7d_share{suffix}": km_share_settled_by(settle_min, settled, WEEK_MIN),
        f"open_after_30d_share{suffix}": open_share,
        f"calls_per_matter{suffix}": _mean(matters["n_calls"]),
        f"referrals_per_matter{suffix}": _mean(matters["n_referrals"]),
        f"joint_matter_share{suffix}": _mean(matters["joint"]),
    }


def _mean(values: pd.Series) -> float:
    return float(values.astype(float).mean()) if len(values) else np.nan
