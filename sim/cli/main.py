"""The `jointduty` command: a dispatcher to one module per command under `sim.cli`.

`jointduty COMMAND [options] [key=value ...]` imports `sim.cli.<module>` of the command (only
that one: `run` should not pay for matplotlib) and calls its `main(args)`, which returns the
exit status (`sim.cli.common`). Bad input ends in one line naming the key, the value and what
is allowed, exit status 2; an unexpected error is one line naming a log file with the
traceback, exit status 1. `console_main` is the console script: it also turns a closed
standard output (`jointduty -h | head -1`) into a quiet exit.
"""

from __future__ import annotations

import gc
import importlib
import importlib.metadata
import os
import sys
from collections.abc import Callable, Sequence

from sim.cli.common import EXIT_CONFIG_ERROR, EXIT_INTERRUPTED, fail, internal_error
from sim.config.schema import ConfigError

# name -> (module under sim.cli, one-line summary)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run", "run the replications of one scenario (a Hydra app: add -m for a sweep)"),
    "compare": ("compare", "run scenarios on common random numbers and compare them, KPI by KPI"),
    "collect": ("collect", "rebuild a sweep directory's table (sweep.parquet, sweep.csv)"),
    "report": ("report", "write report.md, report.html and plots for a run, comparison or sweep"),
    "map": ("map", "draw a scenario's district: stations, staff, hotspots, call density"),
    "estimate": ("estimate", "analytic staffing estimate (Erlang C) beside the roster"),
    "optimize": ("optimize", "cheapest staffing meeting targets, e.g. target.response_min_p90=15"),
    "validate": ("validate", "check the simulator against queueing theory (--quick: a minute)"),
    "calibrate": ("calibrate", "fit the unpublished parameters to the published outcomes"),
    "fit-demand": ("fit_demand", "fit a district's demand (profile, types, hotspots) to a log"),
    "province": ("province", "run a province scenario district by district, in parallel"),
    "scenarios": ("scenarios", "list the shipped scenarios"),
}

EXAMPLES = """examples:
  jointduty compare                        # taozhu_2019 (before) vs future_city_2021 (after)
  jointduty run scenario=taozhu_2019 run.replications=auto run.precision=0.02
  jointduty run -m +experiment=station_sweep hydra/launcher=joblib
  jointduty collect results/sweeps/station_sweep
  jointduty COMMAND --help                 # a command's options"""


def usage() -> str:
    """The top-level help: usage, the commands and a few examples."""
    width = max(map(len, COMMANDS)) + 2
    lines = [f"  {name:{width}s}{summary}" for name, (_, summary) in COMMANDS.items()]
    return (
        "usage: jointduty [-h | --version] COMMAND [options] [key=value ...]\n\n"
        "Discrete-event simulation of joint-duty police stations.\n\n"
        "commands:\n" + "\n".join(lines) + "\n\n" + EXAMPLES
    )


def version() -> str:
    """The installed package's version."""
    return importlib.metadata.version("jointduty")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    if args[0] in ("-V", "--version"):
        print(f"jointduty {version()}")
        return 0
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        names = ", ".join(COMMANDS)
        print(f"jointduty: unknown command {command!r} (commands: {names})", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    try:
        run = load_command(command)
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
        return fail(error)
    except SystemExit as exit_:  # argparse's and Hydra's --help
        if exit_.code is None or isinstance(exit_.code, int):
            return exit_.code or 0
        print(exit_.code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("jointduty: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        raise  # a closed standard output: console_main ends quietly
    except Exception as error:
        return internal_error(command, error)


def load_command(name: str) -> Callable[[list[str]], int]:
    """The `main` function of command `name`'s module; a missing module is an error."""
    module, _ = COMMANDS[name]
    return importlib.import_module(f"sim.cli.{module}").main


def console_main() -> None:
    """The console script; a closed standard output ends it without a traceback."""
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at /dev/null so that this is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        status = 128 + 13  # as if killed by SIGPIPE, the way `head` leaves `cat`
    sys.exit(status)
