"""A province scenario run district by district, in parallel shards (`jointduty province`).

The command (`sim.cli.province`) composes a job as for `jointduty run` (default
`scenario=zhejiang_712`); each of its `run.replications` replications runs through
`sim.experiment.province` (districts from the station names, else k-means; districts that
cannot field every team join a neighbour), on `--workers` processes or a Ray cluster. Written
atomically into `--out` (default `results/province/<scenario>/<date_time>/`):
`replications.csv` (one row of province KPIs per replication), `summary.csv` (mean and 95 % CI
of each), `districts.csv` (each district's own KPIs per replication). No incident table is
kept, so memory stays that of one district per worker plus four compact columns of the
province's incidents.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from sim.analysis.kpis import summarise
from sim.config.scenario import JobConfig
from sim.config.schema import ConfigError
from sim.experiment.province import (
    assign_districts,
    district_tasks,
    districts_from_names,
    run_province,
)
from sim.results.tables import write_csv

MIN_PER_DAY = 1440.0


def run_province_job(
    job: JobConfig, n_districts: int, n_workers: int, ray_address: str | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every replication of the province, district by district: its KPIs and each district's."""
    run, scenario = job.run, job.scenario
    if run.replications == "auto" or run.warmup_days == "auto":
        raise ConfigError("run.replications/run.warmup_days", "auto", "numbers for a province")
    district = assign_districts(scenario, n_districts, districts_from_names(scenario))
    rows, by_district = [], []
    for replication in range(run.replications):
        tasks = district_tasks(
            scenario, district, seed=run.seed, replication=replication,
            warmup_min=run.warmup_days * MIN_PER_DAY, horizon_min=run.horizon_days * MIN_PER_DAY,
        )  # fmt: skip
        kpis, districts = run_province(tasks, n_workers, ray_address)
        rows.append({"replication": replication, **kpis})
        by_district.append(districts.assign(replication=replication))
        print(f"province: replication {replication + 1}/{run.replications} done", flush=True)
    return pd.DataFrame(rows), pd.concat(by_district, ignore_index=True)


def default_out(name: str) -> Path:
    return Path("results/province") / name / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")


def write_province(out: Path, replications: pd.DataFrame, districts: pd.DataFrame) -> None:
    """The three tables, atomically, then the summary on stdout."""
    out.mkdir(parents=True, exist_ok=True)
    summary = summarise(replications)
    write_csv(replications, out / "replications.csv")
    write_csv(summary, out / "summary.csv")
    write_csv(districts, out / "districts.csv")
    print(summary.to_string(index=False))
    print(f"province: tables in {out}")

