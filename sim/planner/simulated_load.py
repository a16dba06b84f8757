"""Simulated counterparts of the analytic estimate: units busy by hour, utilisation, waits.

`busy_by_hour(busy, ...)` turns a run's busy intervals (`busy.parquet`) into the mean number
of units of each role busy in each hour of the day over the measurement window, with a 95 %
t-interval across replications (each replication's hourly mean is one observation), clipped
at 0 since no count of units busy is negative (`sim.analysis.kpi_ranges` says why that keeps the
interval's coverage). This is the simulated twin of the offered load m(t): where they differ,
the analytic answer misses something the model has (teammates waiting for each other on
scene, dispatch from a farther station, jobs that queue).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.kpi_ranges import NON_NEGATIVE
from sim.analysis.kpis import mean_ci
from sim.config.scenario import JobConfig
from sim.experiment.replications import run_experiment

MIN_PER_HOUR = 60.0
MIN_PER_DAY = 1440.0
BUSY_COLUMNS = ("role", "hour", "mean", "ci_low", "ci_high", "n")


@dataclass(frozen=True)
class SimulatedFigures:
    """Mean units busy by role and hour of day, and KPI rows (mean, ci_low, ci_high)."""

    busy_by_hour: pd.DataFrame  # role, hour, mean, ci_low, ci_high, n
    summary: pd.DataFrame  # metric, mean, sd, ci_low, ci_high, n

    def busy_mean(self, role: str, hour: int) -> float:
        table = self.busy_by_hour
        rows = table[(table["role"] == role) & (table["hour"] == hour)]
        return float(rows["mean"].iloc[0]) if len(rows) else 0.0

    def kpi(self, metric: str) -> tuple[float, float, float]:
        rows = self.summary[self.summary["metric"] == metric]
        if rows.empty:
            return (np.nan, np.nan, np.nan)
        row = rows.iloc[0]
        return (float(row["mean"]), float(row["ci_low"]), float(row["ci_high"]))

    def utilisation(self, role: str) -> tuple[float, float, float]:
        return self.kpi(f"utilisation_{role}")

    @property
    def p_wait(self) -> tuple[float, float, float]:
        return self.kpi("p_wait")


def simulate_figures(
    job: JobConfig, progress: Callable[[int, int], None] | None = None
) -> SimulatedFigures:
    """Run the job's replications and measure units busy by hour of day."""
    result = run_experiment(job, progress)
    warmup_days = result.analysis.warmup_days if result.analysis else job.run.warmup_days
    assert not isinstance(warmup_days, str)
    table = busy_by_hour(
        result.busy,
        list(job.scenario.roles),
        warmup_min=warmup_days * MIN_PER_DAY,
        horizon_min=job.run.horizon_days * MIN_PER_DAY,
        replications=sorted(result.replications["replication"]),
    )
    return SimulatedFigures(table, result.summary)


def busy_by_hour(
    busy: pd.DataFrame,
    roles: list[str],
    *,
    warmup_min: float,
    horizon_min: float,
    replications: list[int],
) -> pd.DataFrame:
    """Mean units busy per role and hour of day in the window, with a t-CI over replications
    clipped at 0."""
    t_from, t_to = warmup_min, warmup_min + horizon_min
    first_hour, last_hour = int(t_from // MIN_PER_HOUR), int(np.ceil(t_to / MIN_PER_HOUR))
    hours = np.arange(first_hour, last_hour)
    length_min = np.minimum((hours + 1) * MIN_PER_HOUR, t_to) - np.maximum(
        hours * MIN_PER_HOUR, t_from
    )
    minutes_per_hour_of_day = np.bincount(hours % 24, weights=length_min, minlength=24)
    rows = []
    for role in roles:
        per_replication = np.zeros((len(replications), 24))
        for index, replication in enumerate(replications):
            mine = busy[(busy["role"] == role) & (busy["replication"] == replication)]
            busy_min = _busy_minutes_by_hour(mine, t_from, t_to, first_hour, len(hours))
            per_replication[index] = (
                np.bincount(hours % 24, weights=busy_min, minlength=24) / minutes_per_hour_of_day
            )
        for hour in range(24):
            mean, half, _sd, n = mean_ci(per_replication[:, hour])
            ci_low, ci_high = NON_NEGATIVE.clip(mean - half, mean + half)
            rows.append((role, hour, mean, ci_low, ci_high, n))
    return pd.DataFrame(rows, columns=list(BUSY_COLUMNS))


def _busy_minutes_by_hour(
    intervals: pd.DataFrame, t_from: float, t_to: float, first_hour: int, n_hours: int
) -> np.ndarray:
    """Busy unit-minutes in each hour of the window, from intervals clipped to the window."""
    start = intervals["t_start"].to_numpy(dtype=float).clip(t_from, t_to)
    end = intervals["t_end"].to_numpy(dtype=float).clip(t_from, t_to)
    keep = end > start
    start, end = start[keep], end[keep]
    h0 = np.floor(start / MIN_PER_HOUR).astype(int)
    h1 = np.minimum(np.ceil(end / MIN_PER_HOUR).astype(int), first_hour + n_hours)
    spans = h1 - h0
    hour = np.repeat(h0, spans) + _ranges(spans)
    overlap = np.minimum(np.repeat(end, spans), (hour + 1) * MIN_PER_HOUR) - np.maximum(
        np.repeat(start, spans), hour * MIN_PER_HOUR
    )
    return np.bincount(hour - first_hour, weights=np.maximum(overlap, 0.0), minlength=n_hours)


def _ranges(lengths: np.ndarray) -> np.ndarray:
    """0, 1, ..., n-1 for each n in `lengths`, concatenated."""
    if not len(lengths):
        return np.zeros(0, dtype=int)
    offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.arange(int(lengths.sum())) - offsets
