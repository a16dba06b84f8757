"""`jointduty calibrate [--quick | --check] [options]`: fit the unpublished parameters."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sim.calibration.calibrate import (
    CHECK,
    FIT,
    QUICK,
    CalibrateRequest,
    check,
    fit_and_write,
    identifiability,
)
from sim.calibration.identifiability import IDENTIFIABILITY
from sim.calibration.search import current_point
from sim.cli.common import EXIT_FAILED, EXIT_OK, CommandParser
from sim.config.schema import ConfigError
from sim.sweep.compose import compose_config, compose_job

DESCRIPTION = """\
Fit the call rate, the settling probability with the root-cause roles, the joint-duty
station's deterrence and the joint-operation rates so that taozhu_2019 (before) and
future_city_2021 (after) reproduce the published outcomes; print target against fitted value
with confidence intervals, and write the calibration files the scenarios load. The exit
status is 1 when a target is missed (or the fit did not converge)."""
# option -> (settings field, type, smallest allowed value)
NUMBERS = {
    "--replications": ("replications", int, 2),
    "--horizon-days": ("horizon_days", float, 1e-9),
    "--warmup-days": ("warmup_days", float, 0),
    "--seed": ("seed", int, 0),
    "--jobs": ("jobs", int, 1),
}
HELP = {
    "--replications": f"replications per evaluation (fit: {FIT.replications})",
    "--horizon-days": f"measured days per replication (fit: {FIT.horizon_days:g})",
    "--warmup-days": f"warm-up days (default {FIT.warmup_days:g}: repeat calls take weeks)",
    "--seed": f"base seed, the same for every evaluation (fit: {FIT.seed})",
    "--jobs": f"worker processes (default {FIT.jobs})",
}


def build_parser() -> CommandParser:
    parser = CommandParser(
        "calibrate",
        DESCRIPTION,
        overrides=False,
        scenario="taozhu_2019 and future_city_2021, always",
        examples=["jointduty calibrate --check", "jointduty calibrate --quick --out /tmp/cal"],
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a rough fit in about a minute ({QUICK.replications} x {QUICK.horizon_days:g} "
        "days); written only with --out",
    )
    parser.add_argument(
        "--check",
        "--dry-run",
        action="store_true",
        help=f"fit nothing: run the shipped scenarios and check every target "
        f"({CHECK.replications} x {CHECK.horizon_days:g} days, seed {CHECK.seed})",
    )
    parser.add_argument(
        "--identifiability",
        action="store_true",
        help="refit quickly with each unpinned value (share settled without the right agency, "
        "repeat delay, deterrence radius) at both ends of its declared range; print and "
        "write identifiability.md",
    )
    for option, (_, kind, _) in NUMBERS.items():
        metavar = "N" if kind is int else "D"
        parser.add_argument(option, type=kind, metavar=metavar, help=HELP[option])
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="where to write (default scenarios/calibration/ in a source checkout, "
        "./calibration/ from an installed package)",
    )
    return parser


def parse_args(args: list[str]) -> CalibrateRequest:
    """The request; a bad option is a `ConfigError` naming it."""
    options = build_parser().parse(args)
    modes = ("quick", "check", "identifiability")
    chosen = [f"--{name}" for name in modes if getattr(options, name)]
    if len(chosen) > 1:
        raise ConfigError("option", " ".join(chosen), "choose one of them")
    values = {}
    for option, (field, _, lowest) in NUMBERS.items():
        value = getattr(options, field)
        if value is None:
            continue
        if not value >= lowest:
            raise ConfigError(option, value, f"must be >= {lowest:g}")
        values[field] = value
    base = (
        CHECK if options.check
        else QUICK if options.quick
        else IDENTIFIABILITY if options.identifiability
        else FIT
    )  # fmt: skip
    settings = replace(base, **values)
    return CalibrateRequest(
        options.check, options.quick, settings, options.out, options.identifiability
    )


def main(args: list[str]) -> int:
    request = parse_args(args)
    point, p_without = current_point(compose_config)
    if request.identifiability:
        identifiability(point, p_without, request, compose_job)
        return EXIT_OK
    if request.check:
        met = check(point, p_without, request.settings, compose_job)
    else:
        met = fit_and_write(point, p_without, request, args, compose_job)
    return EXIT_OK if met else EXIT_FAILED
