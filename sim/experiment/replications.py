"""Replications of one configuration, and the tables they make.

A replication is one run of the model on `Streams(seed, replication)`; replications are
independent, so their KPIs are the observations behind every confidence interval. Because
each stochastic input has its own stream, two configurations run on the same seed see the
same incidents (common random numbers), which sharpens comparisons between them.

How many replications (`run.replications`, a number or `auto`) and how much warm-up
(`run.warmup_days`, a number or `auto`) are decided here with `sim.analysis.output_analysis`; the
decisions and their reasons come back in `ExperimentResult.analysis`. The replications run on
`run.n_workers` processes through `sim.experiment.executor`; each owns its streams and they are
taken in order, so the tables are the same for any number of workers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, replace
from itertools import count

import pandas as pd

from sim.analysis.kpis import replication_kpis, summarise
from sim.analysis.output_analysis import decide, mean_series, mser5, planned_replications
from sim.config.scenario import JobConfig, RunConfig, ScenarioConfig
from sim.experiment.executor import Workers
from sim.experiment.placement import place_stations
from sim.model.records import EventLog, ReplicationRecords
from sim.model.replication import Model
from sim.model.streams import Streams

MIN_PER_DAY = 1440.0

Progress = Callable[[int, int], None]
"""Called with (replications done, replications planned) after each replication; for
`replications: auto` the planned number is the cap `run.max_replications`."""


@dataclass(frozen=True)
class OutputAnalysis:
    """How many replications were run and why, and which warm-up was used and why."""

    n_replications: int
    stop_reason: str
    warmup_days: float
    warmup_reason: str


@dataclass(frozen=True)
class ExperimentResult:
    """The tables of one configuration's replications."""

    incidents: pd.DataFrame  # one row per measured incident, with a `replication` column
    busy: pd.DataFrame  # one row per unit busy interval, with a `replication` column
    replications: pd.DataFrame  # one row per replication, one column per KPI
    summary: pd.DataFrame  # metric, mean, sd, ci_low, ci_high, n
    analysis: OutputAnalysis | None = None
    matters: pd.DataFrame | None = None  # one row per measured matter, with `replication`
    states: pd.DataFrame | None = None  # the staff's state intervals that reach the window


def run_replication(
    scenario: ScenarioConfig, run: RunConfig, replication: int, event_log: EventLog | None = None
) -> tuple[ReplicationRecords, dict[str, float]]:
    """Simulate one replication; return its records and KPIs (`run.warmup_days` is a number)."""
    warmup_days = run.warmup_days
    if warmup_days == "auto":
        raise ValueError("run_replication needs a numeric warm-up: resolve it with choose_warmup")
    warmup_min, horizon_min = warmup_days * MIN_PER_DAY, run.horizon_days * MIN_PER_DAY
    model = Model(
        scenario,
        Streams(run.seed, replication),
        warmup_min=warmup_min,
        horizon_min=horizon_min,
        event_log=event_log,
    )
    records = model.run()
    kpis = replication_kpis(
        records.incidents,
        records.busy,
        scenario,
        warmup_min=warmup_min,
        horizon_min=horizon_min,
        jobs=records.jobs,
        overtime=records.overtime,
        n_deterred=records.n_deterred,
        matters=records.matters,
        states=records.states,
        prevented=records.prevented,
    )
    return records, kpis


def kpis_of_replication(
    scenario: ScenarioConfig, run: RunConfig, replication: int
) -> dict[str, float]:
    """One replication's KPIs only (what a worker process sends back when no table is kept)."""
    return run_replication(scenario, run, replication)[1]


@dataclass(frozen=True)
class WarmupChoice:
    """The warm-up to use, in days, and how it was chosen."""

    days: float
    reason: str


def choose_warmup(
    scenario: ScenarioConfig, run: RunConfig, workers: Workers | None = None
) -> WarmupChoice:
    """The configured warm-up, or MSER-5 on pilot replications run without warm-up."""
    if run.warmup_days != "auto":
        return WarmupChoice(run.warmup_days, f"fixed: run.warmup_days={run.warmup_days:g}")
    pilot = replace(run, warmup_days=0.0)
    n_pilot = run.min_replications
    series, arrivals = [], []
    tasks = [(scenario, pilot, replication) for replication in range(n_pilot)]
    for records, _kpis in (workers or Workers(1)).map(run_replication, tasks):
        ordered = records.incidents.sort_values("t_arrival", kind="stable")
        series.append(ordered[run.mser_metric].to_numpy(dtype=float))
        arrivals.append(ordered["t_arrival"].to_numpy(dtype=float))
    truncation = mser5(mean_series(series))
    t_cut_min = mean_series(arrivals)[truncation.n_discard - 1] if truncation.n_discard else 0.0
    days = math.ceil(t_cut_min / MIN_PER_DAY * 100) / 100  # up to the next 0.01 day
    reason = (
        f"auto: MSER-5 on {run.mser_metric} over {n_pilot} pilot replications discards "
        f"{truncation.n_discard} of {truncation.n_batches * 5} incidents ({days:g} days)"
    )
    if truncation.at_limit:
        reason += "; the minimum is at the search limit, so lengthen run.horizon_days"
    return WarmupChoice(days, reason)


def run_experiment(job: JobConfig, progress: Progress | None = None) -> ExperimentResult:
    """All replications of a job, and their summary with 95 % confidence intervals."""
    scenario = place_stations(job).scenario
    incidents, busy, matters, states, rows = [], [], [], [], []
    with Workers(job.run.n_workers) as workers:
        warmup = choose_warmup(scenario, job.run, workers)
        run = replace(job.run, warmup_days=warmup.days)
        decision = decide(run, [pd.DataFrame(rows)])
        with closing(workers.imap(run_replication, _replication_tasks(scenario, run))) as done:
            for replication, (records, kpis) in enumerate(done):
                incidents.append(records.incidents.assign(replication=replication))
                busy.append(records.busy.assign(replication=replication))
                if records.matters is not None:
                    matters.append(records.matters.assign(replication=replication))
                in_window = records.states[records.states["t_end"] > run.warmup_days * MIN_PER_DAY]
                states.append(in_window.assign(replication=replication))
                rows.append({"replication": replication, **kpis})
                decision = decide(run, [pd.DataFrame(rows)])
                if progress is not None:
                    progress(len(rows), len(rows) if decision.stop else planned_replications(run))
                if decision.stop:
                    break
    replications = pd.DataFrame(rows)
    return ExperimentResult(
        incidents=_replication_first(pd.concat(incidents, ignore_index=True)),
        busy=_replication_first(pd.concat(busy, ignore_index=True)),
        replications=replications,
        summary=summarise(replications),
        analysis=OutputAnalysis(len(rows), decision.reason, warmup.days, warmup.reason),
        matters=_replication_first(pd.concat(matters, ignore_index=True)) if matters else None,
        states=_replication_first(pd.concat(states, ignore_index=True)) if states else None,
    )


def replication_numbers(run: RunConfig) -> Iterable[int]:
    """0, 1, ... up to `run.replications`, or endless for `auto` (the stopping rule ends it)."""
    return count() if run.replications == "auto" else range(run.replications)


def _replication_tasks(
    scenario: ScenarioConfig, run: RunConfig
) -> Iterable[tuple[ScenarioConfig, RunConfig, int]]:
    """The arguments of `run_replication` for each replication of `run`."""
    return ((scenario, run, replication) for replication in replication_numbers(run))


def _replication_first(table: pd.DataFrame) -> pd.DataFrame:
    columns = ["replication"] + [c for c in table.columns if c != "replication"]
    return table[columns]
