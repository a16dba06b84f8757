"""The validation suite's report: its table as text and files, and how overrides reach cases.

For `jointduty validate` (`sim.cli.validate`): every case of `sim.validation` is run, each
metric's exact value is compared with the replications' simultaneous 99 % confidence interval
(see `sim.validation.stats`), the table is printed and written atomically to
`<out>/validation.csv` (default `results/validation/<date_time>/`), with the run's settings
in `validation.json`. The exit status is 0 when every check passes, 1 when any fails, 2 on a
bad option or override.

Overrides change a case's scenario the way `jointduty run` does: `mmc.servers=5`. With one
`--case` every override goes to it; otherwise an override must start with a case name.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import pandas as pd

from sim.config.schema import ConfigError
from sim.results.files import write_atomic, write_csv
from sim.validation.stats import FAMILY_CONFIDENCE, per_check_confidence


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


def write_validation(out_dir: Path, table: pd.DataFrame, settings: str) -> Path:
    """`validation.csv` and `validation.json` into `out_dir`, atomically; the table's path."""
    write_csv(table, out_dir / "validation.csv")
    write_atomic(out_dir / "validation.json", lambda tmp: tmp.write_text(settings))
    return out_dir / "validation.csv"


def print_progress(case: str, done: int, total: int) -> None:
    if done == total:
        print(f"  {case}: {total} replications done", file=sys.stderr, flush=True)


def settings_json(
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
