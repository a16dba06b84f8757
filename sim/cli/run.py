"""`jointduty run [-m] [key=value ...]`: one configuration, or a sweep of them (a Hydra app).

Hydra parses the command line and prints `--help` (the template `conf/hydra/help/jointduty.yaml`);
the task function and the sweep are `sim.sweep.run`. Before Hydra sees the arguments, a flag
it does not know, or one missing its value, is refused in one line (Hydra would print its
usage and two lines).
"""

from __future__ import annotations

import signal
import sys

from sim.cli.common import EXIT_FAILED, EXIT_OK, CommandParser
from sim.sweep.run import RunFailed, run_command

HELP_FLAGS = ("-h", "--help", "--hydra-help", "-sc", "--shell-completion")
# Flags with which Hydra only prints and exits: no job, no worker process, no socket.
PRINT_ONLY = (*HELP_FLAGS, "--cfg", "-c", "--info", "-i", "--version")
INFO = ("all", "config", "defaults", "defaults-tree", "plugins", "searchpath")


def flag_parser() -> CommandParser:
    """Hydra's flags, to check them (Hydra itself parses them again)."""
    parser = CommandParser("run", "(Hydra's flags)")
    parser.add_argument("--version", action="store_true")
    parser.add_argument("--cfg", "-c", choices=["job", "hydra", "all"])
    parser.add_argument("--resolve", action="store_true")
    parser.add_argument("--package", "-p")
    parser.add_argument("--run", "-r", action="store_true")
    parser.add_argument("--multirun", "-m", action="store_true")
    parser.add_argument("--config-path", "-cp")
    parser.add_argument("--config-name", "-cn")
    parser.add_argument("--config-dir", "-cd")
    parser.add_argument("--experimental-rerun")
    parser.add_argument("--info", "-i", nargs="?", const="all", choices=INFO)
    return parser


def main(args: list[str]) -> int:
    if not any(a in HELP_FLAGS for a in args):
        flag_parser().parse_intermixed_args(args)  # overrides such as ~key need no "="
    if any(a.split("=")[0] in PRINT_ONLY for a in args):
        # Hydra reports a BrokenPipeError (`run --cfg job | head`) with a traceback; when it
        # only prints, a closed pipe may end the process quietly, as it does `cat`.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        run_command(args)
    except RunFailed as failure:
        print(f"jointduty: {failure}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
