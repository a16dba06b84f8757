"""The `jointduty` command: a dispatcher to thin command functions that call the tiers.

Each command lives in its own module and is imported only when used (`COMMAND_MODULES`):
`run` (`sim.sweep.run`, a Hydra app, `-m` for a sweep), `compare` (`sim.experiment.compare`),
`collect`
(`sim.results.collect`), `scenarios` (here) and the commands other modules add. A command takes its
arguments as a list and returns the exit status; bad input ends in one line naming the key,
the value and what is allowed, with exit status 2 and no traceback (`_fail`). An unexpected
internal error in any command is one line too, `jointduty: internal error: <Type>: <message>
(full log: <path>)`, exit status 1; the traceback is saved atomically to that log file in the
system's temporary folder (`_internal_error`).
"""

from __future__ import annotations

import functools
import gc
import importlib
import importlib.util
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from sim.config.scenario import validate
from sim.config.schema import ConfigError
from sim.results.atomic import write_atomic
from sim.sweep.compose import compose_config

EXIT_CONFIG_ERROR = 2
EXIT_INTERNAL_ERROR = 1

USAGE = """usage: jointduty COMMAND [options] [key=value ...]

commands:
  run        run the replications of one scenario (a Hydra app: add -m for a sweep)
  compare    run scenarios on common random numbers and compare them, KPI by KPI
  collect    rebuild a sweep directory's table (sweep.parquet, sweep.csv)
  report     write report.md, report.html and plots for a run, comparison or sweep
  estimate   analytic staffing estimate (Erlang C on the time-varying load) beside the roster
  optimize   cheapest staffing that meets targets, e.g. target.response_min_p90=15
  validate   check the simulator against queueing theory (--quick: about a minute)
  calibrate  fit the unpublished parameters to the published outcomes (--check: evaluate)
  fit-demand fit a district's demand (profile, type mix, hotspots) to a call log
  province   run a province scenario district by district, on processes or a Ray cluster
  scenarios  list the shipped scenarios

examples:
  jointduty compare                        # taozhu_2019 (before) vs future_city_2021 (after)
  jointduty run scenario=taozhu_2019 run.replications=auto run.precision=0.02
  jointduty run -m +experiment=station_sweep hydra/launcher=joblib
  jointduty collect results/sweeps/station_sweep
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    command, rest = args[0], args[1:]
    commands = available_commands()
    if command not in commands:
        return _fail(ConfigError("command", command, "unknown; allowed: " + ", ".join(commands)))
    try:
        run = commands[command]()
        # What the command imported by now (Hydra, pandas, numpy: ~100,000 objects) lives as
        # long as the process: frozen, the cyclic garbage collector no longer walks it on
        # every full collection during a long simulation (measured: 15 % of a 50,000-call run).
        # `run` imports the model later, only for a job, and freezes again then
        # (`sim.sweep.run.import_job_modules`). Once here per process: a caller that runs many
        # commands in one process (the tests) would otherwise freeze, and so never collect,
        # whatever garbage each call left behind.
        if not gc.get_freeze_count():
            gc.freeze()
        return run(rest)
    except ConfigError as error:
        return _fail(error)
    except KeyboardInterrupt:
        print("jointduty: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        return _internal_error(command, error)


# Each command lives in its own module and is imported only when it is used.
COMMAND_MODULES: dict[str, str] = {
    "run": "sim.sweep.run:run_command",
    "scenarios": "sim.cli.main:scenarios_command",
    "compare": "sim.experiment.compare:compare_command",
    "collect": "sim.results.collect:collect_command",
    "validate": "sim.validation.command:validate_command",
    "fit-demand": "sim.demand.fit:fit_demand_command",
    "calibrate": "sim.calibration.calibrate:calibrate_command",
    "estimate": "sim.planner.estimate:estimate_command",
    "optimize": "sim.planner.optimize:optimize_command",
    "report": "sim.report.command:report_command",
    "province": "sim.experiment.province_command:province_command",
}


def available_commands() -> dict[str, Callable[[], Callable[[list[str]], int]]]:
    """Command name -> loader of its function, for the commands whose module exists."""
    found: dict[str, Callable[[], Callable[[list[str]], int]]] = {}
    for name, target in COMMAND_MODULES.items():
        module_name, _, function = target.partition(":")
        if importlib.util.find_spec(module_name) is not None:
            found[name] = functools.partial(_load_command, module_name, function)
    return found


def _load_command(module_name: str, function: str) -> Callable[[list[str]], int]:
    return getattr(importlib.import_module(module_name), function)


def scenarios_command(args: list[str]) -> int:
    from sim.config.shipped import scenario_names

    for name in scenario_names():
        job = validate(compose_config([f"scenario={name}"]))
        print(f"{name:24s} {job.scenario.description}")
    return 0


def _fail(error: ConfigError) -> int:
    print(f"jointduty: config error: {error}", file=sys.stderr)
    return EXIT_CONFIG_ERROR


def _internal_error(command: str, error: Exception) -> int:
    """One line on stderr; the full traceback in a log file whose path the line gives."""
    log = error_log_path(command)
    text = f"jointduty {command}: {type(error).__name__}: {error}\n\n{traceback.format_exc()}"
    try:
        write_atomic(log, lambda tmp: tmp.write_text(text))
        where = str(log)
    except OSError as write_error:
        where = f"not saved: {write_error}"
    message = str(error).splitlines()[0] if str(error) else ""
    print(
        f"jointduty: internal error: {type(error).__name__}: {message} (full log: {where})",
        file=sys.stderr,
    )
    return EXIT_INTERNAL_ERROR


def error_log_path(command: str) -> Path:
    """A fresh log file name in the system's temporary folder (or $JOINTDUTY_LOG_DIR)."""
    folder = Path(os.environ.get("JOINTDUTY_LOG_DIR") or tempfile.gettempdir())
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return folder / f"jointduty-{command}-{stamp}-{os.getpid()}.log"


def console_main() -> None:
    sys.exit(main())
