"""`jointduty estimate [key=value ...]`: the analytic staffing estimate beside the roster."""

from __future__ import annotations

import time
from pathlib import Path

from sim.cli.common import CommandParser
from sim.config.schema import ConfigError
from sim.planner.estimate import format_estimate, run_simulation, write_estimate
from sim.planner.staffing import StaffingTarget, estimate, response_p_wait, station_estimate
from sim.planner.workload import work_streams
from sim.results.outdir import require_writable_dir
from sim.sweep.compose import compose_job

DESCRIPTION = """\
Analytic staffing estimate (Erlang C on the time-varying offered load, work still running
from earlier hours included): for each role and hour of the day the offered load, the units
needed to meet the wait target and the units the scenario's roster puts on duty; then per
role the jobs a day, the staff-hours needed and rostered, and the utilisation; and last,
where (station, role) and when (hours of the week) the roster falls short, by how many units,
and what closing the gap costs a week. With --simulate it also runs the scenario's
replications and shows the simulated figures beside the analytic ones."""
EXAMPLES = [
    "jointduty estimate                                   # the default scenario",
    "jointduty estimate scenario=taozhu_2019 --wait-min 10 --service-level 0.8",
    "jointduty estimate scenario=future_city_2021 --simulate run.replications=5",
]


def build_parser() -> CommandParser:
    parser = CommandParser("estimate", DESCRIPTION, examples=EXAMPLES)
    parser.add_argument(
        "--wait-min", type=float, default=5.0, metavar="MIN", help="target wait (min; default 5)"
    )
    parser.add_argument(
        "--service-level",
        type=float,
        default=0.9,
        metavar="SHARE",
        help="share of jobs that must wait at most --wait-min (0-1; default 0.9)",
    )
    parser.add_argument("--simulate", action="store_true", help="also run the simulation")
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write estimate.csv, estimate_stations.csv (and estimate_simulated.csv) here",
    )
    return parser


def main(args: list[str]) -> int:
    options = build_parser().parse(args)
    if options.out is not None:
        require_writable_dir("--out", options.out)
    if not 0 < options.service_level < 1:
        raise ConfigError("--service-level", options.service_level, "must be between 0 and 1")
    if not options.wait_min >= 0:
        raise ConfigError("--wait-min", options.wait_min, "must be minutes >= 0")
    target = StaffingTarget(options.wait_min, options.service_level)
    job = compose_job(options.overrides)
    started = time.perf_counter()
    streams = work_streams(job.scenario)
    table = estimate(job.scenario, target, streams)
    p_wait = response_p_wait(streams, table)
    stations = station_estimate(job.scenario, target, streams)
    elapsed_s = time.perf_counter() - started
    simulated = run_simulation(job) if options.simulate else None
    print(format_estimate(job, target, table, p_wait, simulated, stations))
    print(f"\n(analytic estimate computed in {elapsed_s:.2f} s)")
    if options.out is not None:
        write_estimate(options.out, table, simulated, stations)
        print(f"tables written to {options.out}")
    return 0
