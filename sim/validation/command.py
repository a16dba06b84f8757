"""`jointduty validate`: run the validation suite, print and write its table, fail on a miss.

    jointduty validate [--quick] [--case NAME ...] [--jobs N] [--seed S] [--out DIR] [KEY=VALUE ...]

Every case of `sim.validation` is run, each metric's exact value is compared with the
replications' simultaneous 99 % confidence interval (see `sim.validation.stats`), the table is
printed and written atomically to `<out>/validation.csv` (default
`results/validation/<date_time>/`), with the run's settings in `validation.json`. The exit
status is 0 when every check passes, 1 when any fails, 2 on a bad option or override.

Overrides change a case's scenario the way `jointduty run` does: `mmc.servers=5`. With one
`--case` every override goes to it; otherwise an override must start with a case name.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import pandas as pd

from sim.config.schema import ConfigError
from sim.results.outdir import require_writable_dir
from sim.results.tables import write_atomic, write_csv
from sim.validation.stats import FAMILY_CONFIDENCE, assess, per_check_confidence
from sim.validation.suite import CASES, VALIDATION_SEED, run_suite

EXIT_FAILED = 1
EXIT_CONFIG_ERROR = 2


def validate_command(argv: list[str]) -> int:
    """The `jointduty validate` command; returns the exit status."""
    try:
        args, overrides = _parse(argv)
        require_writable_dir("--out", args.out or Path("results/validation"))
        names = args.case or list(CASES)
        routed = route_overrides(names, overrides)
        started = time.monotonic()
        observations = run_suite(
            names,
            quick=args.quick,
            seed=args.seed,
            n_jobs=args.jobs,
            overrides=routed,
            progress=_progress,
        )
    except ConfigError as error:
        print(f"jointduty: config error: {error}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    elapsed_s = time.monotonic() - started
    table = assess(observations)
    print(format_table(table))
    print(verdict(table, elapsed_s))
    out_dir = args.out or Path("results/validation") / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    write_csv(table, out_dir / "validation.csv")
    settings = _settings(args, names, overrides, table, elapsed_s)
    write_atomic(out_dir / "validation.json", lambda tmp: tmp.write_text(settings))
    print(f"written: {out_dir / 'validation.csv'}")
    return 0 if bool(table["passed"].all()) else EXIT_FAILED


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad option is one `ConfigError` line instead of usage and exit."""

    def error(self, message: str) -> NoReturn:
        raise ConfigError("option", message, "see `jointduty validate --help`")


def _parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = _Parser(
        prog="jointduty validate",
        description="Run the validation suite against exact theory; print and write its table.",
        epilog="KEY=VALUE overrides change a case's scenario (e.g. mmc.servers=5). Exit status:"
        " 0 all checks pass, 1 a check fails, 2 a bad option or override.",
    )
    parser.add_argument("--quick", action="store_true", help="the short plan (about a minute)")
    parser.add_argument("--case", action="append", metavar="NAME", help=_case_help())
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--seed", type=int, default=VALIDATION_SEED, help="base seed")
    parser.add_argument("--out", type=Path, default=None, help="directory for validation.csv")
    args, rest = parser.parse_known_args(argv)
    unknown = [item for item in rest if "=" not in item or item.startswith("-")]
    if unknown:
        raise ConfigError("option", unknown[0], "unknown; see `jointduty validate --help`")
    for name in args.case or []:
        if name not in CASES:
            raise ConfigError("--case", name, "unknown; allowed: " + ", ".join(CASES))
    if args.jobs < 1 or args.seed < 0:
        raise ConfigError("--jobs/--seed", (args.jobs, args.seed), "need jobs >= 1, seed >= 0")
    return args, rest


def _case_help() -> str:
    return "run only this case (repeatable): " + ", ".join(CASES)


def route_overrides(names: list[str], overrides: list[str]) -> dict[str, list[str]]:
    """Which case each `KEY=VALUE` override belongs to."""
    if len(names) == 1:
        return {names[0]: list(overrides)}
    routed: dict[str, list[str]] = {}
    for override in overrides:
        case = override.split("=", 1)[0].split(".", 1)[0].lstrip("+~")
        if case not in names:
            raise ConfigError(
                "override", override, "must start with a case name, or select one --case"
            )
        routed.setdefault(case, []).append(override)
    return routed


def format_table(table: pd.DataFrame) -> str:
    """The validation table as aligned text: one line per check."""
    header = (
        f"{'case':20s} {'metric':38s} {'theory':>10s} {'sim mean':>10s}"
        f" {'99% CI':>23s} {'simultaneous 99% CI':>23s}  result"
    )
    lines = [header, "-" * len(header)]
    for row in table.itertuples(index=False):
        lines.append(
            f"{row.case:20s} {row.metric:38s} {_num(row.theory):>10s} {_num(row.sim_mean):>10s}"
            f" {_interval(row.ci99_low, row.ci99_high):>23s}"
            f" {_interval(row.ci99_simultaneous_low, row.ci99_simultaneous_high):>23s}"
            f"  {'pass' if row.passed else 'FAIL'}"
        )
    return "\n".join(lines)


def verdict(table: pd.DataFrame, elapsed_s: float) -> str:
    """The summary lines: how many passed, and how many missed their marginal 99 % CI."""
    n_checks = len(table)
    n_failed = int((~table["passed"]).sum())
    n_outside = int((~table["inside_ci99"]).sum())
    level = per_check_confidence(n_checks)
    return (
        f"{n_checks - n_failed} of {n_checks} checks pass (theory inside the simultaneous 99 %"
        f" CI, Bonferroni: each at {100 * level:.4g} %; family-wise false-alarm rate <= 1 %)."
        f"\n{n_outside} of {n_checks} theory values lie outside their marginal 99 % CI"
        f" (about {0.01 * n_checks:.1f} expected by chance). Took {elapsed_s:.0f} s."
        + ("" if n_failed == 0 else f"\nVALIDATION FAILED: {n_failed} check(s).")
    )


def _num(value: float) -> str:
    return "nan" if not math.isfinite(value) else f"{value:.5g}"


def _interval(low: float, high: float) -> str:
    return f"[{_num(low)}, {_num(high)}]"


def _progress(case: str, done: int, total: int) -> None:
    if done == total:
        print(f"  {case}: {total} replications done", file=sys.stderr, flush=True)


def _settings(
    args: argparse.Namespace,
    names: list[str],
    overrides: list[str],
    table: pd.DataFrame,
    elapsed_s: float,
) -> str:
    settings = {
        "plan": "quick" if args.quick else "full",
        "cases": names,
        "overrides": overrides,
        "seed": args.seed,
        "jobs": args.jobs,
        "n_checks": len(table),
        "n_failed": int((~table["passed"]).sum()),
        "family_confidence": FAMILY_CONFIDENCE,
        "per_check_confidence": per_check_confidence(len(table)),
        "elapsed_s": round(elapsed_s, 1),
    }
    return json.dumps(settings, indent=2) + "\n"
