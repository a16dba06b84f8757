"""Output analysis: how many replications to run, and how much warm-up to throw away.

**Replications.** With `run.replications: auto` the experiment replicates sequentially
(Law, *Simulation Modeling and Analysis*, 5th ed., section 9.4.1): after each replication,
once at least `run.min_replications` are done, every KPI in `run.precision_metrics` gets its
95 % Student-t interval from the replications so far; the run stops when the relative
half-width (half-width / |mean|) of every one of them is at most `run.precision`, or at
`run.max_replications`. `StopDecision.reason` says which, and that text goes into the table.

**Warm-up.** MSER-5 (White 1997; White, Cobb and Spratt 2000): the output series (one value
per incident, in arrival order) is cut into batches of 5 and averaged; the truncation point
`d` (in batches) minimises the marginal standard error of the batch means left,
`MSER(d) = sum_{i>d} (Z_i - mean(Z_{d+1..m}))^2 / (m - d)^2`, searched over the first half
of the series only (a minimum in the second half says the run is too short to tell).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.kpis import mean_ci
from sim.config.scenario import RunConfig
from sim.config.schema import ConfigError

MSER_BATCH_SIZE = 5
MIN_MSER_BATCHES = 10


@dataclass(frozen=True)
class StopDecision:
    """Whether to stop replicating, and why (a sentence for the table's header)."""

    stop: bool
    reason: str


@dataclass(frozen=True)
class Precision:
    """The least precise selected KPI: its name and relative CI half-width."""

    metric: str
    relative_half_width: float


def relative_half_width(values: np.ndarray) -> float:
    """95 % t-CI half-width over |mean|; 0 for a constant, inf when undefined."""
    mean, half_width, _sd, n = mean_ci(np.asarray(values, dtype=float))
    if n < 2 or not np.isfinite(half_width):
        return float("inf")
    if half_width == 0:
        return 0.0
    return float(half_width / abs(mean)) if mean != 0 else float("inf")


def worst_precision(tables: Sequence[pd.DataFrame], metrics: Sequence[str]) -> Precision:
    """The largest relative half-width over the metrics of every table (one per scenario)."""
    worst = Precision(metric="", relative_half_width=0.0)
    for table in tables:
        for metric in metrics:
            if metric not in table.columns:
                allowed = ", ".join(c for c in table.columns if c != "replication")
                raise ConfigError("run.precision_metrics", metric, f"unknown KPI; KPIs: {allowed}")
            rhw = relative_half_width(table[metric].to_numpy(dtype=float))
            if rhw > worst.relative_half_width or not worst.metric:
                worst = Precision(metric=metric, relative_half_width=rhw)
    return worst


def decide(run: RunConfig, tables: Sequence[pd.DataFrame]) -> StopDecision:
    """Stop after the replications in `tables` (one table per scenario run in step)?"""
    n_done = len(tables[0]) if tables else 0
    if run.replications != "auto":
        return StopDecision(
            n_done >= run.replications, f"fixed: run.replications={run.replications}"
        )
    if n_done < run.min_replications:
        if n_done:
            worst_precision(tables, run.precision_metrics)  # an unknown KPI fails at once
        return StopDecision(False, f"auto: below run.min_replications={run.min_replications}")
    worst = worst_precision(tables, run.precision_metrics)
    shown = f"{worst.metric} relative half-width {worst.relative_half_width:.3f}"
    if worst.relative_half_width <= run.precision:
        return StopDecision(True, f"auto: precision reached ({shown} <= {run.precision:g})")
    if n_done >= run.max_replications:
        return StopDecision(
            True,
            f"auto: cap run.max_replications={run.max_replications} reached before precision "
            f"({shown} > {run.precision:g})",
        )
    return StopDecision(False, f"auto: {shown} > {run.precision:g}")


def planned_replications(run: RunConfig) -> int:
    """Replications to expect: the fixed number, or the cap of an `auto` run."""
    return run.max_replications if run.replications == "auto" else run.replications


@dataclass(frozen=True)
class Truncation:
    """An MSER-5 result: observations to discard, and whether the minimum was interior."""

    n_discard: int
    n_batches: int
    at_limit: bool  # the minimum sat at the end of the search: the series is too short


def mser5(series: np.ndarray, batch_size: int = MSER_BATCH_SIZE) -> Truncation:
    """How many leading observations of `series` MSER-5 says to discard."""
    values = np.asarray(series, dtype=float)
    n_batches = len(values) // batch_size
    if n_batches < MIN_MSER_BATCHES:
        return Truncation(n_discard=0, n_batches=n_batches, at_limit=True)
    batch_means = values[: n_batches * batch_size].reshape(n_batches, batch_size).mean(axis=1)
    tail_sum = np.cumsum(batch_means[::-1])[::-1]  # sum of Z_d..Z_m for each d
    tail_sq = np.cumsum((batch_means**2)[::-1])[::-1]
    kept = np.arange(n_batches, 0, -1, dtype=float)  # m - d
    sse = tail_sq - tail_sum**2 / kept
    mser = sse / kept**2
    last_d = n_batches // 2
    best_d = int(np.argmin(mser[: last_d + 1]))
    return Truncation(best_d * batch_size, n_batches, at_limit=best_d == last_d)


def mean_series(series: Sequence[np.ndarray]) -> np.ndarray:
    """Average several replications' series index by index, cut to the shortest."""
    n_common = min((len(s) for s in series), default=0)
    if n_common == 0:
        return np.zeros(0)
    return np.mean(np.vstack([np.asarray(s, dtype=float)[:n_common] for s in series]), axis=0)
