"""Replications of one configuration, and the tables they make.

A replication is one run of the model on `Streams(seed, replication)`; replications are
independent, so their KPIs are the observations behind every confidence interval. Because
each stochastic input has its own stream, two configurations run on the same seed see the
same incidents (common random numbers), which sharpens comparisons between them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from sim.config import JobConfig, RunConfig, ScenarioConfig
from sim.metrics import replication_kpis, summarise
from sim.model import Model
from sim.records import EventLog, ReplicationRecords
from sim.rng import Streams

MIN_PER_DAY = 1440.0

Progress = Callable[[int, int], None]
"""Called with (replications done, replications in all) after each replication."""


@dataclass(frozen=True)
class ExperimentResult:
    """The tables of one configuration's replications."""

    incidents: pd.DataFrame  # one row per measured incident, with a `replication` column
    busy: pd.DataFrame  # one row per unit busy interval, with a `replication` column
    replications: pd.DataFrame  # one row per replication, one column per KPI
    summary: pd.DataFrame  # metric, mean, sd, ci_low, ci_high, n


def run_replication(
    scenario: ScenarioConfig, run: RunConfig, replication: int, event_log: EventLog | None = None
) -> tuple[ReplicationRecords, dict[str, float]]:
    """Simulate one replication; return its records and KPIs."""
    warmup_min, horizon_min = run.warmup_days * MIN_PER_DAY, run.horizon_days * MIN_PER_DAY
    model = Model(
        scenario,
        Streams(run.seed, replication),
        warmup_min=warmup_min,
        horizon_min=horizon_min,
        event_log=event_log,
    )
    records = model.run()
    kpis = replication_kpis(
        records.incidents, records.busy, scenario, warmup_min=warmup_min, horizon_min=horizon_min
    )
    return records, kpis


def run_experiment(job: JobConfig, progress: Progress | None = None) -> ExperimentResult:
    """All replications of a job, and their summary with 95 % confidence intervals."""
    incidents, busy, rows = [], [], []
    n_replications = job.run.replications
    for replication in range(n_replications):
        records, kpis = run_replication(job.scenario, job.run, replication)
        incidents.append(records.incidents.assign(replication=replication))
        busy.append(records.busy.assign(replication=replication))
        rows.append({"replication": replication, **kpis})
        if progress is not None:
            progress(replication + 1, n_replications)
    replications = pd.DataFrame(rows)
    return ExperimentResult(
        incidents=_replication_first(pd.concat(incidents, ignore_index=True)),
        busy=_replication_first(pd.concat(busy, ignore_index=True)),
        replications=replications,
        summary=summarise(replications),
    )


def _replication_first(table: pd.DataFrame) -> pd.DataFrame:
    columns = ["replication"] + [c for c in table.columns if c != "replication"]
    return table[columns]
