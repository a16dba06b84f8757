"""`jointduty calibrate`: fit what the report does not give, so the seed's scenarios reproduce it.

The before (`taozhu_2019`) and after (`future_city_2021`) scenarios should reproduce the
published outcomes (`sim.planner.targets`): 35 incidents a day before; in the Future City area -33 %
incidents and -70 % repeat calls; 63 joint law-enforcement operations and 72 joint mediations a
year; more than half resolved the same day. The command fits the call rate, the settling
probability with the root-cause roles, the station's deterrence and the joint-operation rates
(`sim.calibration.search`), prints every target against the fitted value with its confidence
interval and notes on how plausible the fitted values are, and writes them to the calibration
files the scenarios load (`sim.calibration.files`).

`--check` fits nothing: it runs the shipped scenarios (on another seed than the fit, by
default) and says whether every target lies inside its interval. The intervals are
simultaneous (Bonferroni over the targets), so a well calibrated model passes with probability
at least 95 %; the exit status is 1 when a target is missed.
"""

from __future__ import annotations

import shlex
import sys
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sim.calibration.files import default_out_dir, write_calibration
from sim.calibration.held_out import format_held_out
from sim.calibration.identifiability import (
    IDENTIFIABILITY,
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
    current_point,
    evaluate_point,
    fit,
)
from sim.config.schema import ConfigError
from sim.results.atomic import write_atomic

EXIT_TARGET_MISSED = 1
FIT = SearchSettings()
QUICK = SearchSettings(replications=6, horizon_days=91.0, max_steps=5)
CHECK = SearchSettings(replications=10, seed=20210201)
USAGE = f"""usage: jointduty calibrate [--quick | --check | --identifiability] [--replications N]
                           [--horizon-days D]
                           [--warmup-days D] [--seed S] [--jobs J] [--out DIR]

Fits the call rate, the settling probability with the root-cause roles, the joint-duty
station's deterrence and the joint-operation rates so that taozhu_2019 (before) and
future_city_2021 (after) reproduce the published outcomes, prints target vs fitted value with
confidence intervals, and writes the calibration files the scenarios load.

  --quick           a rough fit in about a minute
                    ({QUICK.replications} x {QUICK.horizon_days:g} days); written only with --out
  --check, --dry-run  fit nothing: run the shipped scenarios and check every target
                    ({CHECK.replications} x {CHECK.horizon_days:g} days, seed {CHECK.seed});
                    exit status 1 if one is missed
  --identifiability refit quickly with each unpinned value (share settled without the
                    right agency, repeat delay, deterrence radius) at both ends of its
                    declared range; print and write identifiability.md
  --replications N  replications per evaluation (fit: {FIT.replications})
  --horizon-days D  measured days per replication (fit: {FIT.horizon_days:g})
  --warmup-days D   warm-up days (default {FIT.warmup_days:g}: repeat calls need weeks to settle)
  --seed S          base seed, the same for every evaluation (fit: {FIT.seed})
  --jobs J          worker processes (default {FIT.jobs})
  --out DIR         where to write (default scenarios/calibration/ in a source checkout,
                    ./calibration/ from an installed package)
"""
OPTIONS = {
    "--replications": ("replications", int),
    "--horizon-days": ("horizon_days", float),
    "--warmup-days": ("warmup_days", float),
    "--seed": ("seed", int),
    "--jobs": ("jobs", int),
}


@dataclass(frozen=True)
class CalibrateRequest:
    check: bool
    quick: bool
    settings: SearchSettings
    out_dir: Path | None
    identifiability: bool = False


def calibrate_command(args: list[str]) -> int:
    from sim.cli.main import _fail

    if any(a in ("-h", "--help") for a in args):
        print(USAGE)
        return 0
    try:
        request = parse_args(args)
        point, p_without = current_point()
    except ConfigError as error:
        return _fail(error)
    if request.check:
        return _check(point, p_without, request.settings)
    if request.identifiability:
        return _identifiability(point, p_without, request)
    return _fit(point, p_without, request, args)


def parse_args(args: list[str]) -> CalibrateRequest:
    """Options as in USAGE; a bad one is a `ConfigError` naming it."""
    rest, values, flags, out_dir = list(args), {}, set(), None
    while rest:
        arg = rest.pop(0)
        name, _, inline = arg.partition("=")
        if name in ("--quick", "--check", "--dry-run", "--identifiability") and not inline:
            flags.add("--check" if name == "--dry-run" else name)
        elif name in (*OPTIONS, "--out"):
            if not inline and not rest:
                raise ConfigError(name, None, "needs a value")
            value = inline or rest.pop(0)
            if name == "--out":
                out_dir = Path(value)
            else:
                values[OPTIONS[name][0]] = _number(name, value, OPTIONS[name][1])
        else:
            allowed = "--quick, --check, --dry-run, --identifiability, --out DIR, "
            allowed += ", ".join(OPTIONS)
            raise ConfigError("option", arg, f"unknown; allowed: {allowed}")
    if len(flags) > 1:
        raise ConfigError("option", " ".join(sorted(flags)), "choose one of them")
    base = CHECK if "--check" in flags else QUICK if "--quick" in flags else FIT
    if "--identifiability" in flags:
        base = IDENTIFIABILITY
    settings = replace(base, **values)
    identifiability = "--identifiability" in flags
    return CalibrateRequest(
        "--check" in flags, "--quick" in flags, settings, out_dir, identifiability
    )


def _number(name: str, text: str, kind: type) -> int | float:
    try:
        value = kind(text)
    except ValueError:
        raise ConfigError(
            name, text, f"must be a {'whole ' if kind is int else ''}number"
        ) from None
    lowest = 0 if name in ("--seed", "--warmup-days") else 1 if kind is int else 1e-9
    if not value >= lowest or (name == "--replications" and value < 2):
        raise ConfigError(name, value, f"must be >= {2 if name == '--replications' else lowest}")
    return value


def _check(point: FitPoint, p_without: dict[str, float], settings: SearchSettings) -> int:
    print(_describe("checking the shipped calibration", settings), flush=True)
    runs = evaluate_point(point, p_without, settings)
    print(format_targets(runs))
    print()
    print(format_held_out(runs))
    print()
    print("\n".join(plausibility_notes(point, p_without, runs)))
    return 0 if _all_met(runs) else EXIT_TARGET_MISSED


def _identifiability(
    point: FitPoint, p_without: dict[str, float], request: CalibrateRequest
) -> int:
    print(_describe("identifiability, a quick fit per row", request.settings), flush=True)
    rows = run_identifiability(point, p_without, after_scenario(), request.settings)
    table = format_identifiability(rows) + "\n\n" + summarise_identifiability(rows)
    print(table)
    out_dir = request.out_dir or default_out_dir()[0]
    text = IDENTIFIABILITY_INTRO + "\n" + _describe("Run", request.settings) + ".\n\n" + table
    write_atomic(out_dir / "identifiability.md", lambda tmp: tmp.write_text(text + "\n"))
    print(f"\nwritten: {out_dir / 'identifiability.md'}")
    return 0


def _fit(
    start: FitPoint, p_without: dict[str, float], request: CalibrateRequest, args: list[str]
) -> int:
    settings = request.settings
    print(_describe("fitting", settings), flush=True)
    t_start = time.perf_counter()
    evaluation = fit(start, p_without, settings, note=lambda line: print(line, flush=True))
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
    return 0 if evaluation.converged and _all_met(evaluation.runs) else EXIT_TARGET_MISSED


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
        "How: sim/calibration_search.py. Sources and reasoning: README.md, section Calibration.",
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(calibrate_command(sys.argv[1:]))
