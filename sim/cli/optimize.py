"""`jointduty optimize target.<kpi>=<bound> ... [key=value ...]`: the cheapest staffing."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import CommandParser
from sim.config.schema import ConfigError
from sim.planner.optimize import fixed_warmup, kpi_names, levers_for, optimise
from sim.planner.optimize_report import format_result, write_result
from sim.planner.search import check_kpis, split_targets
from sim.sweep.compose import compose_job

DESCRIPTION = """\
The cheapest staffing (units per role per station, per shift of each roster) that meets every
target, e.g. target.response_min_p90=20 (a bound on a KPI of the run's table: an upper
bound, a lower one for shares; `<=` or `>=` before the number says which). The current
staffing is evaluated first, as the baseline. It starts from the analytic estimate, searches
with simulation on common random numbers within each lever's bounds (at least one police
officer at every police station in every shift unless --min says otherwise), and confirms the
choice on fresh replications. When no staffing within the bounds meets every target it says
so and shows the closest one; `reproduce:` is printed only for a confirmed staffing. Levers
are named station.role, with [shift] where the roster has several. The targets stand among
the key=value overrides; the analytic start asks Erlang C for --service-level of the jobs to
wait at most --wait-min."""
EXAMPLES = [
    "jointduty optimize scenario=taozhu_2019 target.response_min_p90_prio1=15",
    "jointduty optimize target.response_min_p90=20 --roles police,mediator",
    "jointduty optimize target.response_min_p90=20 --min future_city_joint_duty.police=1 "
    "--max taozhu_police_station.police[08-16]=6",
    "jointduty optimize scenario=taozhu_2019 target.response_min_p90=15 --optuna 30",
]


def build_parser() -> CommandParser:
    p = CommandParser("optimize", DESCRIPTION, examples=EXAMPLES)
    p.add_argument("--roles", help="comma-separated roles whose staff may change (default all)")
    p.add_argument("--stations", help="comma-separated stations whose staff may change")
    p.add_argument("--max-per-shift", type=int, metavar="N", help="upper bound of every lever")
    p.add_argument(
        "--min-per-shift",
        type=int,
        default=0,
        metavar="N",
        help="lower bound of every lever (0; police at a police station: 1)",
    )
    p.add_argument(
        "--min",
        action="append",
        metavar="LEVER=N",
        help="lower bound of one lever (station.role[shift]) or of every shift of station.role",
    )
    p.add_argument("--max", action="append", metavar="LEVER=N", help="upper bound, as --min")
    p.add_argument("--max-evaluations", type=int, default=40, metavar="N", help="budget (40)")
    p.add_argument(
        "--confirm-replications", type=int, default=10, metavar="N", help="fresh ones (10)"
    )
    p.add_argument("--strict", action="store_true", help="the whole CI must meet each target")
    p.add_argument("--wait-min", type=float, default=5.0, metavar="MIN", help="start: wait (5)")
    p.add_argument(
        "--service-level", type=float, default=0.9, metavar="SHARE", help="start: share (0.9)"
    )
    p.add_argument("--out", type=Path, metavar="DIR", help="optimization.json, evaluations.csv")
    p.add_argument("--optuna", type=int, default=0, metavar="N", help="N Optuna trials instead")
    return p


def parse_args(args: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """The options and the overrides (targets among them); bad bounds are config errors."""
    options = build_parser().parse(args)
    for name in ("max_evaluations", "confirm_replications"):
        if getattr(options, name) < 1:
            raise ConfigError(f"--{name.replace('_', '-')}", getattr(options, name), "must be >= 1")
    if options.min_per_shift < 0 or (
        options.max_per_shift is not None and options.max_per_shift < options.min_per_shift
    ):
        bounds = [options.min_per_shift, options.max_per_shift]
        raise ConfigError("--min-per-shift/--max-per-shift", bounds, "need 0 <= min <= max")
    return options, list(options.overrides)


def main(args: list[str]) -> int:
    options, rest = parse_args(args)
    targets, overrides = split_targets(rest)
    if not targets:
        raise ConfigError("target", None, "name at least one, e.g. target.response_min_p90=15")
    job = fixed_warmup(compose_job(overrides))
    check_kpis(targets, kpi_names(job))
    levers = levers_for(job, options)
    if options.optuna:
        from sim.sweep.optuna_search import optuna_command  # needs the optuna extra

        return optuna_command(job, overrides, targets, levers, options)
    outcome = optimise(job, targets, levers, options)
    print(format_result(job, levers, targets, outcome))
    if options.out:
        write_result(options.out, job, levers, targets, outcome)
        print(f"\nresults written to {options.out}")
    return 0
