"""`jointduty validate [--quick] [--case NAME ...] [key=value ...]`: the validation suite."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

from sim.cli.common import EXIT_FAILED, EXIT_OK, CommandParser
from sim.config.schema import ConfigError
from sim.results.outdir import require_writable_dir
from sim.sweep.compose import compose_job
from sim.validation.stats import assess
from sim.validation.suite import CASES, VALIDATION_SEED, run_suite
from sim.validation.table import (
    format_table,
    print_progress,
    route_overrides,
    settings_json,
    verdict,
    write_validation,
)

DESCRIPTION = """\
Run the validation suite against exact queueing theory: every case's metrics are compared
with the replications' simultaneous 99 % confidence interval; the table is printed and
written to <out>/validation.csv with the run's settings in validation.json. Exit status: 0
every check passes, 1 a check fails, 2 a bad option or override.

Overrides change a case's scenario the way `jointduty run` does (mmc.servers=5): with one
--case every override goes to it; otherwise an override must start with a case name."""


def build_parser() -> CommandParser:
    parser = CommandParser(
        "validate",
        DESCRIPTION,
        scenario="each case's own (see --case)",
        examples=["jointduty validate --quick", "jointduty validate --case mmc mmc.servers=5"],
    )
    parser.add_argument("--quick", action="store_true", help="the short plan (about a minute)")
    parser.add_argument(
        "--case",
        action="append",
        metavar="NAME",
        help="run only this case (repeatable): " + ", ".join(CASES),
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--seed", type=int, default=VALIDATION_SEED, help="base seed")
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="where to write (results/validation/<time>/)"
    )
    return parser


def main(args: list[str]) -> int:
    options = build_parser().parse(args)
    require_writable_dir("--out", options.out or Path("results/validation"))
    for name in options.case or []:
        if name not in CASES:
            raise ConfigError("--case", name, "unknown; allowed: " + ", ".join(CASES))
    if options.jobs < 1 or options.seed < 0:
        raise ConfigError(
            "--jobs/--seed", (options.jobs, options.seed), "need jobs >= 1, seed >= 0"
        )
    names = options.case or list(CASES)
    routed = route_overrides(names, options.overrides)
    started = time.monotonic()
    observations = run_suite(
        names,
        compose=compose_job,
        quick=options.quick,
        seed=options.seed,
        n_jobs=options.jobs,
        overrides=routed,
        progress=print_progress,
    )
    elapsed_s = time.monotonic() - started
    table = assess(observations)
    print(format_table(table))
    print(verdict(table, elapsed_s))
    out_dir = options.out or Path("results/validation") / datetime.now().strftime(
        "%Y-%m-%d_%H-%M-%S"
    )
    settings = settings_json(options, names, options.overrides, table, elapsed_s)
    print(f"written: {write_validation(out_dir, table, settings)}")
    return EXIT_OK if bool(table["passed"].all()) else EXIT_FAILED
