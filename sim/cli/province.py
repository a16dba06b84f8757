"""`jointduty province [key=value ...] [--workers N | --ray ADDRESS]`: a province, by district."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from sim.analysis.kpis import summarise
from sim.cli.common import CommandParser
from sim.config.schema import ConfigError
from sim.experiment.province import run_province_job
from sim.results.files import write_csv
from sim.results.outdir import require_writable_dir
from sim.sweep.compose import compose_job

DEFAULT_SCENARIO = "zhejiang_712"
DESCRIPTION = """\
Run a province scenario district by district, in parallel shards: each of its
run.replications replications runs its districts (from the station names, else k-means;
a district that cannot field every team joins a neighbour) on --workers processes or a Ray
cluster. Writes replications.csv (province KPIs per replication), summary.csv (mean and
95 % CI of each) and districts.csv (each district's KPIs) into --out (default
results/province/<scenario>/<date_time>/)."""


def build_parser() -> CommandParser:
    parser = CommandParser(
        "province",
        DESCRIPTION,
        scenario=DEFAULT_SCENARIO,
        examples=[
            "jointduty province run.replications=3 run.horizon_days=7 --workers 2",
            "jointduty province scenario=future_city_2021 run.replications=2 --districts 2",
        ],
    )
    parser.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes")
    parser.add_argument("--ray", metavar="ADDRESS", help="a Ray cluster (or 'local')")
    parser.add_argument(
        "--districts", type=int, default=90, help="k-means districts if the names show none (90)"
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="output folder")
    return parser


def main(args: list[str]) -> int:
    options = build_parser().parse(args)
    if options.out is not None:
        require_writable_dir("--out", options.out)
    if options.workers < 1 or options.districts < 1:
        raise ConfigError("--workers/--districts", (options.workers, options.districts), ">= 1")
    overrides = list(options.overrides)
    if not any(o.startswith("scenario=") for o in overrides):
        overrides.insert(0, f"scenario={DEFAULT_SCENARIO}")
    job = compose_job(overrides)
    replications, districts = run_province_job(job, options.districts, options.workers, options.ray)
    write_province(options.out or default_out(job.scenario.name), replications, districts)
    return 0


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

