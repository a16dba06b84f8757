"""Calibration: fit what the report does not give, so the seed's scenarios reproduce it.

The before (`taozhu_2019`) and after (`future_city_2021`) scenarios should reproduce the
published outcomes (`sim.calibration.published`). Fitted: 35 incidents a day before; in the
Future City area -33 % incidents and -70 % repeat calls; 63 joint law-enforcement operations
and 72 joint mediations a year. Held out, never fitted, and printed as a check table with CIs
(`sim.calibration.held_out`): the parking-type dispute settled in under 1 h and the leak-type
in under half a day after the reform; more than half of the area's matters settled the same
day after, and fewer before. The command fits the call rate, the settling probability with the
root-cause roles, the station's deterrence and the joint-operation rates
(`sim.calibration.search`), prints every target against the fitted value with its confidence
interval, the held-out checks and notes on how plausible the fitted values are, and writes
them to the calibration files the scenarios load (`sim.calibration.files`);
`--identifiability` refits with each unpinned value at the ends of its declared range
(`sim.calibration.identifiability`).

`--check` fits nothing: it runs the shipped scenarios (on another seed than the fit, by
default) and says whether every target lies inside its interval. The intervals are
simultaneous (Bonferroni over the targets), so a well calibrated model passes with probability
at least 95 %; the exit status is 1 when a target is missed.
"""

from __future__ import annotations

import shlex
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sim.calibration.files import default_out_dir, write_calibration
from sim.calibration.held_out import format_held_out
from sim.calibration.identifiability import (
    IDENTIFIABILITY_INTRO,
    format_identifiability,
    run_identifiability,
    summarise_identifiability,
)
from sim.calibration.notes import format_targets, plausibility_notes
from sim.calibration.published import TARGETS, Kpis, estimate, family_confidence, verdict
from sim.calibration.search import (
    Evaluation,
    FitPoint,
    SearchSettings,
    after_scenario,
    evaluate_point,
    fit,
)
from sim.config.shipped import ComposeJob
from sim.results.files import write_atomic

FIT = SearchSettings()
QUICK = SearchSettings(replications=6, horizon_days=91.0, max_steps=5)
CHECK = SearchSettings(replications=10, seed=20210201)


@dataclass(frozen=True)
class CalibrateRequest:
    check: bool
    quick: bool
    settings: SearchSettings
    out_dir: Path | None
    identifiability: bool = False
    identifiability: bool = False


def check(
    point: FitPoint,
    p_without: dict[str, float],
    settings: SearchSettings,
    compose_job: ComposeJob,
) -> bool:
    """Run the shipped scenarios (composed by `compose_job`), print every target; whether
    every one is met."""
    print(_describe("checking the shipped calibration", settings), flush=True)
    runs = evaluate_point(point, p_without, settings, compose_job)
    print(format_targets(runs))
    print()
    print(format_held_out(runs))
    print()
    print("\n".join(plausibility_notes(point, p_without, runs)))
    return _all_met(runs)


def fit_and_write(
    start: FitPoint,
    p_without: dict[str, float],
    request: CalibrateRequest,
    args: list[str],
    compose_job: ComposeJob,
) -> bool:
    """Fit, print the targets and notes, write the files; whether it converged and met all."""
    settings = request.settings
    print(_describe("fitting", settings), flush=True)
    t_start = time.perf_counter()
    evaluation = fit(start, p_without, settings, lambda line: print(line, flush=True), compose_job)
    minutes = (time.perf_counter() - t_start) / 60
    print()
    print(format_targets(evaluation.runs))
    print()
    print(format_held_out(evaluation.runs))
    print()
    print("\n".join(plausibility_notes(evaluation.point, p_without, evaluation.runs)))
    if not evaluation.converged:
        print(f"\nthe search did not converge in {evaluation.n_steps} steps: see the steps above")
    _write(evaluation, p_without, request, args, minutes)
    return evaluation.converged and _all_met(evaluation.runs)


def _write(
    evaluation: Evaluation,
    p_without: dict[str, float],
    request: CalibrateRequest,
    args: list[str],
    minutes: float,
) -> None:
    if request.quick and request.out_dir is None:
        print("\nquick fit: nothing written (give --out DIR to write it)")
        return
    out_dir, where = (request.out_dir, "") if request.out_dir else default_out_dir()
    header = _header(evaluation, request.settings, args, minutes)
    paths = write_calibration(out_dir, evaluation.point, p_without, header)
    print("\nwritten: " + ", ".join(str(p) for p in paths) + (f"\n({where})" if where else ""))


def _header(
    evaluation: Evaluation, settings: SearchSettings, args: list[str], minutes: float
) -> list[str]:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = shlex.join(["jointduty", "calibrate", *args])
    status = "converged" if evaluation.converged else "did NOT converge"
    lines = [
        f"Fitted by `{command}` on {now} ({minutes:.1f} min); do not edit by hand.",
        f"{_describe('search', settings)}; {status} in {evaluation.n_steps} steps.",
        "How: sim/calibration/search.py. Sources and reasoning: docs/calibration.md.",
        f"unsettled factor s = {evaluation.point.unsettled_factor:.4f}: "
        "p_settled_with = 1 - s (1 - p_settled_without) for every type with a root cause.",
        "Achieved at these values (mean and 95 % CI over the replications):",
    ]
    for target in TARGETS:
        found = estimate(target, evaluation.runs)
        lines.append(
            f"  {target.label}: {found.mean:.4g} [{found.ci_low:.4g}, {found.ci_high:.4g}]"
            f" (published: {'more than ' if target.kind == 'above' else ''}{target.value:g})"
        )
    return lines


def _describe(what: str, settings: SearchSettings) -> str:
    return (
        f"{what}: {settings.replications} replications x {settings.horizon_days:g} days after "
        f"{settings.warmup_days:g} days' warm-up, seed {settings.seed}, common random numbers, "
        f"{settings.jobs} worker process{'es' if settings.jobs > 1 else ''}"
    )


def _all_met(runs: dict[str, Kpis]) -> bool:
    level = family_confidence()
    return all(verdict(t, estimate(t, runs, level)) for t in TARGETS)


def identifiability(
    point: FitPoint, p_without: dict[str, float], request: CalibrateRequest, compose_job: ComposeJob
) -> None:
    """Refit quickly with each unpinned value at both ends of its declared range; print the
    table and its summary and write them as identifiability.md."""
    print(_describe("identifiability, a quick fit per row", request.settings), flush=True)
    rows = run_identifiability(
        point, p_without, after_scenario(compose_job), compose_job, request.settings
    )
    table = format_identifiability(rows) + "\n\n" + summarise_identifiability(rows)
    print(table)
    out_dir = request.out_dir or default_out_dir()[0]
    text = IDENTIFIABILITY_INTRO + "\n" + _describe("Run", request.settings) + ".\n\n" + table
    write_atomic(out_dir / "identifiability.md", lambda tmp: tmp.write_text(text + "\n"))
    print(f"\nwritten: {out_dir / 'identifiability.md'}")
