"""Key performance indicators of a replication, and summaries with confidence intervals.

`replication_kpis` reads one replication's record tables and returns one number per KPI;
`summarise` turns a table of replications (one row each) into `metric, mean, sd, ci_low,
ci_high, n` rows with Student-t 95 % intervals across replications, the replication being
the unit of independent observation. All functions are pure pandas/numpy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.config import ScenarioConfig

MIN_PER_DAY = 1440.0
HOURS_PER_DAY = 24.0
SUMMARY_COLUMNS: tuple[str, ...] = ("metric", "mean", "sd", "ci_low", "ci_high", "n")


def replication_kpis(
    incidents: pd.DataFrame,
    busy: pd.DataFrame,
    scenario: ScenarioConfig,
    *,
    warmup_min: float,
    horizon_min: float,
) -> dict[str, float]:
    """Every KPI of one replication, in a fixed order."""
    kpis: dict[str, float] = {
        "n_incidents": float(len(incidents)),
        "incidents_per_day": len(incidents) / (horizon_min / MIN_PER_DAY),
    }
    kpis.update(_time_kpis(incidents))
    for priority in sorted({t.priority for t in scenario.incident_types.values()}):
        of_priority = incidents["response_min"][incidents["priority"] == priority]
        kpis[f"response_min_mean_prio{priority}"] = _mean(of_priority)
        kpis[f"response_min_p90_prio{priority}"] = _quantile(of_priority, 0.9)
    kpis["joint_share"] = _mean(incidents["team"].astype(str).str.contains("+", regex=False))
    kpis.update(utilisation_by_role(busy, scenario, warmup_min=warmup_min, horizon_min=horizon_min))
    kpis["staff_cost"] = staff_cost_per_day(scenario)
    return kpis


def _time_kpis(incidents: pd.DataFrame) -> dict[str, float]:
    response, resolution = incidents["response_min"], incidents["resolution_min"]
    same_day = np.floor(incidents["t_resolved"] / MIN_PER_DAY) == np.floor(
        incidents["t_arrival"] / MIN_PER_DAY
    )
    return {
        "wait_min_mean": _mean(incidents["wait_min"]),
        "p_wait": _mean(incidents["wait_min"] > 1e-9),
        "response_min_mean": _mean(response),
        "response_min_median": _quantile(response, 0.5),
        "response_min_p90": _quantile(response, 0.9),
        "resolution_min_mean": _mean(resolution),
        "resolution_min_median": _quantile(resolution, 0.5),
        "resolution_min_p90": _quantile(resolution, 0.9),
        "same_day_share": _mean(same_day[incidents["t_resolved"].notna()]),
    }


def utilisation_by_role(
    busy: pd.DataFrame, scenario: ScenarioConfig, *, warmup_min: float, horizon_min: float
) -> dict[str, float]:
    """Share of on-duty unit time spent busy inside the measurement window, per role."""
    t_from, t_to = warmup_min, warmup_min + horizon_min
    overlap = (busy["t_end"].clip(t_from, t_to) - busy["t_start"].clip(t_from, t_to)).to_numpy()
    busy_by_role = pd.Series(overlap).groupby(busy["role"].to_numpy()).sum()
    result: dict[str, float] = {}
    for role in scenario.roles:
        n_units = sum(station.staff.get(role, 0) for station in scenario.stations.values())
        busy_min = float(busy_by_role.get(role, 0.0))
        result[f"utilisation_{role}"] = busy_min / (n_units * horizon_min) if n_units else np.nan
    return result


def staff_cost_per_day(scenario: ScenarioConfig) -> float:
    """Cost of the staff on duty around the clock, per day (currency of `cost_per_hour`)."""
    return float(
        sum(
            count * scenario.roles[role].cost_per_hour * HOURS_PER_DAY
            for station in scenario.stations.values()
            for role, count in station.staff.items()
        )
    )


def summarise(replications: pd.DataFrame, metrics: list[str] | None = None) -> pd.DataFrame:
    """Mean, sd and 95 % t-interval across replications for every KPI column."""
    rows = [
        _summary_row(name, replications[name]) for name in metrics or _kpi_columns(replications)
    ]
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def _kpi_columns(replications: pd.DataFrame) -> list[str]:
    return [c for c in replications.columns if c not in ("replication", "seed", "scenario")]


def _summary_row(name: str, values: pd.Series) -> tuple[str, float, float, float, float, int]:
    mean, half_width, sd, n = mean_ci(values.to_numpy(dtype=float))
    return (name, mean, sd, mean - half_width, mean + half_width, n)


def mean_ci(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float, int]:
    """(mean, CI half-width, sd, n) of the finite values, Student-t; NaN where undefined."""
    finite = values[np.isfinite(values)]
    n = len(finite)
    if n == 0:
        return (np.nan, np.nan, np.nan, 0)
    mean = float(finite.mean())
    if n == 1:
        return (mean, np.nan, np.nan, 1)
    sd = float(finite.std(ddof=1))
    half_width = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / np.sqrt(n))
    return (mean, half_width, sd, n)


def _mean(values: pd.Series) -> float:
    return float(values.mean()) if len(values) else np.nan


def _quantile(values: pd.Series, q: float) -> float:
    return float(values.quantile(q)) if len(values) else np.nan
