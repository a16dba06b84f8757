"""`jointduty estimate [scenario=NAME] [key=value ...]`: the analytic first answer.

Prints, for each role and hour of the day, the offered load (mean units busy if no job
waited), the staff Erlang C asks for to meet the wait target (`sim.planner.staffing`) and the units
the scenario's roster puts on duty; then per role the jobs a day, busy minutes per job, the
staff-hours needed and rostered and the utilisation the load implies. It takes well under a
second after the config is composed. With `--simulate` it also runs the scenario's
replications and prints the simulated mean units busy by hour, utilisation and share of calls
that waited, so that the gaps of the analytic answer (teammates waiting for each other,
travel, follow-ups, dispatch between stations) show. `--out DIR` writes `estimate.csv`
(one row per role and hour of the week) and, with `--simulate`, `estimate_simulated.csv`.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from sim.config.scenario import JobConfig
from sim.config.schema import ConfigError
from sim.planner.simulated_load import SimulatedFigures, simulate_figures
from sim.planner.staffing import (
    StaffingTarget,
    by_hour_of_day,
    estimate,
    response_p_wait,
    role_summary,
)
from sim.planner.workload import work_streams
from sim.results.outdir import require_writable_dir

USAGE_EPILOG = """examples:
  jointduty estimate                                   # the default scenario
  jointduty estimate scenario=taozhu_2019 --wait-min 10 --service-level 0.8
  jointduty estimate scenario=future_city_2021 --simulate run.replications=5
"""


def estimate_command(args: list[str]) -> int:
    from sim.cli.main import _fail
    from sim.sweep.compose import compose_job

    try:
        options, overrides = parse_args(args)
        if options.out is not None:
            require_writable_dir("--out", options.out)
        target = StaffingTarget(options.wait_min, options.service_level)
        job = compose_job(overrides)
    except ConfigError as error:
        return _fail(error)
    started = time.perf_counter()
    streams = work_streams(job.scenario)
    table = estimate(job.scenario, target, streams)
    p_wait = response_p_wait(streams, table)
    elapsed_s = time.perf_counter() - started
    simulated = run_simulation(job) if options.simulate else None
    print(format_estimate(job, target, table, p_wait, simulated))
    print(f"\n(analytic estimate computed in {elapsed_s:.2f} s)")
    if options.out is not None:
        write_estimate(Path(options.out), table, simulated)
        print(f"tables written to {options.out}")
    return 0


def parse_args(args: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Options (argparse) and the key=value overrides for the config."""
    parser = _parser()
    flags = [a for a in args if a.startswith("-") or "=" not in a]
    overrides = [a for a in args if not a.startswith("-") and "=" in a]
    options = _parse_known(parser, flags)
    if not 0 < options.service_level < 1:
        raise ConfigError("--service-level", options.service_level, "must be between 0 and 1")
    if not options.wait_min >= 0:
        raise ConfigError("--wait-min", options.wait_min, "must be minutes >= 0")
    return options, overrides


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jointduty estimate",
        description="Analytic staffing estimate (Erlang C on the time-varying offered load).",
        epilog=USAGE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--wait-min", type=float, default=5.0, help="target wait (minutes)")
    parser.add_argument(
        "--service-level",
        type=float,
        default=0.9,
        help="share of jobs that must wait at most --wait-min (0-1)",
    )
    parser.add_argument("--simulate", action="store_true", help="also run the simulation")
    parser.add_argument("--out", help="write estimate.csv (and estimate_simulated.csv) here")
    return parser


def _parse_known(parser: argparse.ArgumentParser, flags: list[str]) -> argparse.Namespace:
    """argparse, but an unknown or malformed option is a ConfigError, not a usage exit."""
    if any(f in ("-h", "--help") for f in flags):
        parser.print_help()
        raise SystemExit(0)
    try:
        options, unknown = parser.parse_known_args(flags)
    except SystemExit:
        raise ConfigError("options", " ".join(flags), "malformed; see --help") from None
    if unknown:
        raise ConfigError("option", unknown[0], "unknown; see --help")
    return options


def run_simulation(job: JobConfig) -> SimulatedFigures:
    from sim.experiment.progress import progress_printer

    return simulate_figures(job, progress_printer("replication"))


def format_estimate(
    job: JobConfig,
    target: StaffingTarget,
    table: pd.DataFrame,
    p_wait: float,
    simulated: SimulatedFigures | None = None,
) -> str:
    """The estimate as text: the hour-of-day table, the role summary, the wait shares."""
    roles = [
        r for r, t in table.groupby("role", sort=False) if t[["needed", "rostered"]].any().any()
    ]
    lines = [
        f"Analytic staffing estimate for {job.scenario.name} "
        "(Erlang C on the time-varying offered load)",
        f"target: a job waits at most {target.wait_min:g} min for a free unit of each role, "
        f"{target.service_level:.0%} of the time",
        "load = mean units busy if no job waited (average day); need = units Erlang C asks for "
        "(most on any weekday);",
        "roster = units on duty (fewest on any weekday)"
        + ("; sim = simulated mean units busy" if simulated else ""),
        "",
        *_hour_table(by_hour_of_day(table), roles, simulated),
        "",
        *_summary_lines(role_summary(table), roles, simulated),
        "",
        f"share of calls whose first response waits for a unit: analytic {p_wait:.1%}"
        + (f", simulated {_ci_text(simulated.p_wait, '{:.1%}')}" if simulated else ""),
    ]
    return "\n".join(lines)


def _hour_table(
    folded: pd.DataFrame, roles: list[str], simulated: SimulatedFigures | None
) -> list[str]:
    columns = ["load", "sim", "need", "roster"] if simulated else ["load", "need", "roster"]
    width = 7 * len(columns)
    header = "hour " + "".join(f"| {r[: width - 2]:^{width - 2}s} " for r in roles)
    sub = "     " + "".join("| " + "".join(f"{c:>7s}" for c in columns)[2:] + " " for _ in roles)
    lines = [header, sub]
    for hour in range(24):
        cells = []
        for role in roles:
            row = folded[(folded["role"] == role) & (folded["hour"] == hour)].iloc[0]
            values = [f"{row.offered_load:7.2f}"]
            if simulated:
                values.append(f"{simulated.busy_mean(role, hour):7.2f}")
            values += [f"{int(row.needed):7d}", f"{row.rostered:7.3g}"]
            cells.append("| " + "".join(values)[2:] + " ")
        lines.append(f"{hour:02d}   " + "".join(cells))
    return lines


def _summary_lines(
    summary: pd.DataFrame, roles: list[str], simulated: SimulatedFigures | None
) -> list[str]:
    header = (
        f"{'role':14s}{'jobs/day':>9s}{'busy min/job':>13s}{'needed h/day':>13s}"
        f"{'rostered h/day':>15s}{'utilisation':>12s}"
    )
    lines = [header + ("   simulated utilisation [95% CI]" if simulated else "")]
    for row in summary[summary["role"].isin(roles)].itertuples(index=False):
        text = (
            f"{row.role:14s}{row.jobs_per_day:9.1f}{row.busy_min_per_job:13.1f}"
            f"{row.needed_hours_per_day:13.1f}{row.rostered_hours_per_day:15.1f}"
            f"{row.utilisation:12.1%}"
        )
        if simulated:
            text += "   " + _ci_text(simulated.utilisation(row.role), "{:.1%}")
        lines.append(text)
    return lines


def _ci_text(values: tuple[float, float, float], fmt: str) -> str:
    mean, low, high = values
    if pd.isna(mean):
        return "-"
    return f"{fmt.format(mean)} [{fmt.format(low)}, {fmt.format(high)}]"


def write_estimate(out_dir: Path, table: pd.DataFrame, simulated: SimulatedFigures | None) -> None:
    from sim.results.tables import write_csv

    write_csv(table, out_dir / "estimate.csv")
    if simulated is not None:
        write_csv(simulated.busy_by_hour, out_dir / "estimate_simulated.csv")
