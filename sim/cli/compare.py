"""`jointduty compare [SCENARIO ...] [key=value ...]`: scenarios side by side on the same seeds.

Parsing and printing only; the comparison itself is `sim.experiment.compare`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sim.cli.common import CommandParser
from sim.config.schema import ConfigError
from sim.experiment.compare import (
    DEFAULT_OUT,
    DEFAULT_SCENARIOS,
    DEFAULT_WARMUP_DAYS,
    format_comparison,
    format_variance_reduction,
    run_comparison,
    variance_reduction,
)
from sim.experiment.progress import progress_printer
from sim.results.files import write_csv
from sim.results.jobstatus import COMPLETED, now_iso, write_status
from sim.results.outdir import require_writable_dir
from sim.results.tables import write_comparison
from sim.sweep.compose import compose_jobs

DESCRIPTION = """\
Run each scenario on the same seeds (common random numbers) and print a headline of the key
figures (time to settlement of a matter, same-day settlement, calls per matter, repeat calls,
response, staff cost): each scenario's mean and 95 % CI, the paired difference to the first
scenario with its CI, whether that is better or worse, and a one-line verdict. --all prints
every KPI with its Holm-adjusted p-value; comparison.csv always holds them all. The
overrides apply to every scenario; without run.warmup_days the warm-up is 28 days (repeat
calls take weeks to reach their level). Tables (comparison.csv and
.parquet, replications.csv, jobs.json, analysis.json, status.json) go to --out DIR, or
hydra.run.dir=DIR, else results/compare/<date_time>/."""
EXAMPLES = [
    "jointduty compare                                    # before vs after",
    "jointduty compare taozhu_2019 future_city_2021 run.replications=auto run.precision=0.02",
    "jointduty compare run.replications=10 --variance-reduction",
]


@dataclass(frozen=True)
class CompareRequest:
    scenarios: tuple[str, ...]
    overrides: tuple[str, ...]
    out_dir: Path | None
    independent_seeds: bool
    variance_reduction: bool = False
    show_all: bool = False


def build_parser() -> CommandParser:
    parser = CommandParser(
        "compare",
        DESCRIPTION,
        overrides=True,
        scenario=" vs ".join(DEFAULT_SCENARIOS) + " (before vs after), when none is named",
        examples=EXAMPLES,
        positional=("SCENARIO|key=value", "two or more scenarios, and config overrides"),
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="where to write the tables")
    parser.add_argument(
        "--all", action="store_true", dest="show_all", help="print every KPI, not the headline"
    )
    parser.add_argument(
        "--independent-seeds",
        action="store_true",
        help="scenario k runs on seed run.seed + k instead of common random numbers",
    )
    parser.add_argument(
        "--variance-reduction",
        action="store_true",
        help="measure what common random numbers buy, KPI by KPI (variance_reduction.csv)",
    )
    return parser


def parse_args(args: list[str]) -> CompareRequest:
    """Scenario names, overrides (`key=value`), `--out DIR` and the seed options."""
    options = build_parser().parse_intermixed_args(list(args))
    words = options.overrides  # scenario names and overrides, in their order
    scenarios = [a for a in words if "=" not in a]
    overrides = [a for a in words if "=" in a and not a.startswith("hydra.run.dir=")]
    out_dir = options.out
    for arg in words:
        if arg.startswith("hydra.run.dir="):
            out_dir = Path(arg.split("=", 1)[1])
    if options.independent_seeds and options.variance_reduction:
        both = "--independent-seeds --variance-reduction"
        raise ConfigError("option", both, "choose one of them")
    chosen = tuple(scenarios) or DEFAULT_SCENARIOS
    if len(chosen) < 2 or len(set(chosen)) < len(chosen):
        raise ConfigError("scenarios", list(chosen), "name at least two different scenarios")
    if not any(o.lstrip("+").startswith("run.warmup_days=") for o in overrides):
        overrides.insert(0, f"run.warmup_days={DEFAULT_WARMUP_DAYS:g}")
    return CompareRequest(
        chosen,
        tuple(overrides),
        out_dir,
        options.independent_seeds,
        options.variance_reduction,
        options.show_all,
    )


def main(args: list[str]) -> int:
    request = parse_args(args)
    require_writable_dir("--out", request.out_dir or Path(DEFAULT_OUT))
    jobs = compose_jobs(request.scenarios, request.overrides)
    started, t_start = now_iso(), time.perf_counter()
    out_dir = request.out_dir or Path(DEFAULT_OUT) / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    if request.variance_reduction:
        ratios = variance_reduction(jobs)
        write_csv(ratios, out_dir / "variance_reduction.csv")
        text = format_variance_reduction(ratios)
    else:
        auto = jobs[0].run.replications == "auto"
        progress = progress_printer(f"replication of {len(jobs)} scenarios:", total_is_cap=auto)
        comparison = run_comparison(jobs, progress, request.independent_seeds)
        write_comparison(comparison, out_dir)
        text = format_comparison(comparison, jobs[0].run, show_all=request.show_all)
    duration_s = time.perf_counter() - t_start
    write_status(out_dir, COMPLETED, args, started=started, duration_s=duration_s)  # last file
    print(text)
    print(f"\ntables written to {out_dir}")
    return 0
