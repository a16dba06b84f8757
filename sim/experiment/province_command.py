"""`jointduty province`: a province scenario run district by district, in parallel shards.

    jointduty province [key=value ...] [--workers N | --ray ADDRESS] [--out DIR]

The overrides compose a job as for `jointduty run` (default `scenario=zhejiang_712`); each of
its `run.replications` replications runs through `sim.experiment.province`
(districts from the station
names, else k-means; districts that cannot field every team join a neighbour), on `--workers`
processes or a Ray cluster. Written atomically into `--out` (default
`results/province/<scenario>/<date_time>/`): `replications.csv` (one row of province KPIs per
replication), `summary.csv` (mean and 95 % CI of each), `districts.csv` (each district's own
KPIs per replication). No incident table is kept, so memory stays that of one district per
worker plus four compact columns of the province's incidents.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd

from sim.analysis.kpis import summarise
from sim.config.schema import ConfigError
from sim.experiment.province import (
    assign_districts,
    district_tasks,
    districts_from_names,
    run_province,
)
from sim.results.outdir import require_writable_dir
from sim.results.tables import write_csv
from sim.sweep.compose import compose_job

MIN_PER_DAY = 1440.0
DEFAULT_SCENARIO = "scenario=zhejiang_712"


def province_command(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="jointduty province", description=__doc__)
    parser.add_argument("overrides", nargs="*", help="key=value, as for jointduty run")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--ray", metavar="ADDRESS", help="a Ray cluster (or 'local')")
    parser.add_argument("--districts", type=int, default=90, help="k-means districts if the "
                        "station names show none")  # fmt: skip
    parser.add_argument("--out", type=Path, help="output folder")
    options = parser.parse_args(args)
    try:
        return _run(options)
    except ConfigError as error:
        print(f"jointduty: config error: {error}", file=sys.stderr)
        return 2


def _run(options: argparse.Namespace) -> int:
    if options.workers < 1 or options.districts < 1:
        raise ConfigError("--workers/--districts", (options.workers, options.districts), ">= 1")
    if options.out is not None:
        require_writable_dir("--out", options.out)
    overrides = list(options.overrides)
    if not any(o.startswith("scenario=") for o in overrides):
        overrides.insert(0, DEFAULT_SCENARIO)
    job = compose_job(overrides)
    run, scenario = job.run, job.scenario
    if run.replications == "auto" or run.warmup_days == "auto":
        raise ConfigError("run.replications/run.warmup_days", "auto", "numbers for a province")
    district = assign_districts(scenario, options.districts, districts_from_names(scenario))
    rows, by_district = [], []
    for replication in range(run.replications):
        tasks = district_tasks(
            scenario, district, seed=run.seed, replication=replication,
            warmup_min=run.warmup_days * MIN_PER_DAY, horizon_min=run.horizon_days * MIN_PER_DAY,
        )  # fmt: skip
        kpis, districts = run_province(tasks, options.workers, options.ray)
        rows.append({"replication": replication, **kpis})
        by_district.append(districts.assign(replication=replication))
        print(f"province: replication {replication + 1}/{run.replications} done", flush=True)
    out = options.out or _default_out(scenario.name)
    _write(out, pd.DataFrame(rows), pd.concat(by_district, ignore_index=True))
    return 0


def _default_out(name: str) -> Path:
    return Path("results/province") / name / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")


def _write(out: Path, replications: pd.DataFrame, districts: pd.DataFrame) -> None:
    out.mkdir(parents=True, exist_ok=True)
    summary = summarise(replications)
    write_csv(replications, out / "replications.csv")
    write_csv(summary, out / "summary.csv")
    write_csv(districts, out / "districts.csv")
    print(summary.to_string(index=False))
    print(f"province: tables in {out}")


if __name__ == "__main__":
    raise SystemExit(province_command(sys.argv[1:]))
