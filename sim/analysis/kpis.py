"""Key performance indicators of a replication, and summaries with confidence intervals.

`replication_kpis` reads one replication's record tables and returns one number per KPI;
`summarise` turns a table of replications (one row each) into `metric, mean, sd, ci_low,
ci_high, n` rows with Student-t 95 % intervals across replications, the replication being
the unit of independent observation, each clipped to the values the KPI can take
(`sim.analysis.kpi_ranges`: a time's interval does not go below 0, a share's not above 1).
`mean_ci` is the plain t-interval, for levels and differences alike; `level_ci` is the
clipped interval of one KPI's mean. All functions are pure pandas/numpy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from sim.analysis.kpi_ranges import clip_interval
from sim.analysis.matter_kpis import matter_kpis
from sim.analysis.staff_kpis import (
    mechanism_kpis,
    prevention_kpis,
    staff_kpis,
    time_split_kpis,
)
from sim.config.scenario import ScenarioConfig

MIN_PER_DAY = 1440.0
SUMMARY_COLUMNS: tuple[str, ...] = ("metric", "mean", "sd", "ci_low", "ci_high", "n")
EMPTY_OVERTIME = pd.DataFrame(
    {
        "role": pd.Series(dtype=str),
        "t_shift_end": pd.Series(dtype=float),
        "t_free": pd.Series(dtype=float),
    }
)


def replication_kpis(
    incidents: pd.DataFrame,
    busy: pd.DataFrame,
    scenario: ScenarioConfig,
    *,
    warmup_min: float,
    horizon_min: float,
    jobs: pd.DataFrame,
    overtime: pd.DataFrame | None = None,
    n_deterred: int = 0,
    matters: pd.DataFrame | None = None,
    states: pd.DataFrame | None = None,
    prevented: pd.DataFrame | None = None,
) -> dict[str, float]:
    """Every KPI of one replication, in a fixed order: the matter KPIs first (time to
    settlement, `sim.analysis.matter_kpis`), when the matter table is given, then the calls'."""
    window = {"warmup_min": warmup_min, "horizon_min": horizon_min}
    kpis: dict[str, float] = matter_kpis(matters, scenario) if matters is not None else {}
    kpis["n_incidents"] = float(len(incidents))
    kpis["incidents_per_day"] = len(incidents) / (horizon_min / MIN_PER_DAY)
    kpis.update(_time_kpis(incidents))
    for priority in sorted({t.priority for t in scenario.incident_types.values()}):
        of_priority = incidents["response_min"][incidents["priority"] == priority]
        kpis[f"response_min_mean_prio{priority}"] = _mean(of_priority)
        kpis[f"response_min_p90_prio{priority}"] = _quantile(of_priority, 0.9)
    kpis["joint_share"] = joint_share(incidents, jobs)
    overtime = EMPTY_OVERTIME if overtime is None else overtime
    kpis.update(staff_kpis(busy, overtime, scenario, **window))
    split_roles = roles_with_a_time_split(scenario)
    if states is not None and split_roles:
        split = time_split_kpis(states, scenario, **window)
        kpis.update({k: v for k, v in split.items() if k.rsplit("_share_", 1)[1] in split_roles})
    kpis.update(mechanism_kpis(incidents, jobs, scenario, n_deterred=n_deterred, **window))
    if prevented is not None:
        kpis.update(prevention_kpis(prevented, scenario, horizon_min=horizon_min))
    return kpis


def roles_with_a_time_split(scenario: ScenarioConfig) -> set[str]:
    """The roles whose time splits into more than jobs and waiting at the station: those with
    a routine other than `station`, or with desk work at some station."""
    roles = {r for r, c in scenario.roles.items() if c.routine.kind != "station"}
    for station in scenario.stations.values():
        roles |= {r for r, routine in station.routines.items() if routine.kind != "station"}
        roles |= set(station.desk_work)
    return roles


def joint_share(incidents: pd.DataFrame, jobs: pd.DataFrame) -> float:
    """Share of the incidents handled jointly: in at least one of their sessions (the first
    response or a later one) the team had two or more roles."""
    joint_ids = jobs.loc[jobs["n_roles"] >= 2, "incident_id"].unique()
    return _mean(incidents["incident_id"].isin(joint_ids))


def _time_kpis(incidents: pd.DataFrame) -> dict[str, float]:
    response, resolution = incidents["response_min"], incidents["call_close_min"]
    same_day = np.floor(incidents["t_resolved"] / MIN_PER_DAY) == np.floor(
        incidents["t_arrival"] / MIN_PER_DAY
    )
    return {
        "wait_min_mean": _mean(incidents["wait_min"]),
        "p_wait": _mean(incidents["wait_min"] > 1e-9),
        "response_min_mean": _mean(response),
        "response_min_median": _quantile(response, 0.5),
        "response_min_p90": _quantile(response, 0.9),
        "call_close_min_mean": _mean(resolution),
        "call_close_min_median": _quantile(resolution, 0.5),
        "call_close_min_p90": _quantile(resolution, 0.9),
        "call_closed_same_day_share": _mean(same_day[incidents["t_resolved"].notna()]),
    }


def summarise(replications: pd.DataFrame, metrics: list[str] | None = None) -> pd.DataFrame:
    """Mean, sd and 95 % t-interval (clipped to the KPI's range) across replications for
    every KPI column."""
    rows = [
        _summary_row(name, replications[name]) for name in metrics or _kpi_columns(replications)
    ]
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def _kpi_columns(replications: pd.DataFrame) -> list[str]:
    return [c for c in replications.columns if c not in ("replication", "seed", "scenario")]


def _summary_row(name: str, values: pd.Series) -> tuple[str, float, float, float, float, int]:
    mean, ci_low, ci_high, sd, n = level_ci(name, values.to_numpy(dtype=float))
    return (name, mean, sd, ci_low, ci_high, n)


def level_ci(
    metric: str, values: np.ndarray, confidence: float = 0.95
) -> tuple[float, float, float, float, int]:
    """(mean, ci_low, ci_high, sd, n) of a KPI's mean: the Student-t interval of `mean_ci`
    intersected with the KPI's declared range (`sim.analysis.kpi_ranges`, which says why that keeps
    the interval's coverage). Not for differences of KPIs, which can have either sign."""
    mean, half_width, sd, n = mean_ci(values, confidence)
    ci_low, ci_high = clip_interval(metric, mean - half_width, mean + half_width)
    return (mean, ci_low, ci_high, sd, n)


def mean_ci(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float, int]:
    """(mean, CI half-width, sd, n) of the finite values, Student-t; NaN where undefined.

    Symmetric and unclipped, so right for differences; a KPI's level uses `level_ci`."""
    finite = values[np.isfinite(values)]
    n = len(finite)
    if n == 0:
        return (np.nan, np.nan, np.nan, 0)
    mean = float(finite.mean())
    if n == 1:
        return (mean, np.nan, np.nan, 1)
    sd = float(finite.std(ddof=1))
    t_quantile = special.stdtrit(n - 1, 0.5 + confidence / 2)  # what stats.t.ppf computes
    half_width = float(t_quantile * sd / np.sqrt(n))
    return (mean, half_width, sd, n)


def _mean(values: pd.Series) -> float:
    return float(values.mean()) if len(values) else np.nan


def _quantile(values: pd.Series, q: float) -> float:
    return float(values.quantile(q)) if len(values) else np.nan
