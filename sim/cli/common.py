"""What every command shares: exit statuses, one-line errors and an argparse parser.

Exit statuses: 0 done; 1 the work ran but failed (an internal error, a failed sweep job, a
missed validation check or calibration target); 2 bad input (`ConfigError`: an option, an
override or a file named by one); 130 interrupted.

`CommandParser` is argparse with three changes: a bad option is a `ConfigError` (one line,
exit status 2) instead of usage and two lines; `key=value` overrides may appear anywhere among
the options; the help ends with the override syntax, the default scenario and examples.
An unexpected error is one line too, `jointduty: internal error: <Type>: <message> (full log:
<path>)`: the traceback goes to a log file in the system's temporary folder
(`internal_error`).
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from sim.config.schema import ConfigError
from sim.results.files import write_atomic

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG_ERROR = 2
EXIT_INTERRUPTED = 130

DEFAULT_SCENARIO = "future_city_2021"  # conf/config.yaml's defaults
OVERRIDES_HELP = (
    "key=value overrides set any config key as for `jointduty run`, e.g. run.replications=10\n"
    "run.horizon_days=7 run.seed=3; group=option picks a config group's option, e.g.\n"
    "scenario=taozhu_2019 or dispatch=borrow (`jointduty scenarios` lists the scenarios)."
)


def fail(error: ConfigError) -> int:
    """The one line of a config error on stderr; returns exit status 2."""
    print(f"jointduty: config error: {error}", file=sys.stderr)
    return EXIT_CONFIG_ERROR


def internal_error(command: str, error: BaseException) -> int:
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
    return EXIT_FAILED


def error_log_path(command: str) -> Path:
    """A fresh log file name in the system's temporary folder (or $JOINTDUTY_LOG_DIR)."""
    folder = Path(os.environ.get("JOINTDUTY_LOG_DIR") or tempfile.gettempdir())
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return folder / f"jointduty-{command}-{stamp}-{os.getpid()}.log"


def help_epilog(
    *, overrides: bool = True, scenario: str | None = DEFAULT_SCENARIO, examples: Sequence[str] = ()
) -> str:
    """The end of a command's help: the override syntax, the default scenario, examples."""
    parts = [OVERRIDES_HELP if overrides else "This command takes no key=value config overrides."]
    if scenario:
        how = " (change it with scenario=NAME)" if overrides and " " not in scenario else ""
        parts.append(f"default scenario: {scenario}{how}")
    if examples:
        parts.append("examples:\n" + "\n".join(f"  {line}" for line in examples))
    return "\n\n".join(parts)


class CommandParser(argparse.ArgumentParser):
    """argparse for a `jointduty` command; a bad option is a one-line `ConfigError`.

    With `overrides=True` the positional `key=value` arguments are collected in
    `overrides`, wherever they stand among the options (`positional` names and explains them
    in the help, where a command takes other words among them).
    """

    def __init__(
        self,
        command: str,
        description: str,
        *,
        overrides: bool = True,
        scenario: str | None = DEFAULT_SCENARIO,
        examples: Sequence[str] = (),
        positional: tuple[str, str] = ("key=value", "config overrides (see below)"),
    ) -> None:
        self.option_names: list[str] = []  # filled by add_argument, also for --help
        super().__init__(
            prog=f"jointduty {command}",
            description=description,
            epilog=help_epilog(overrides=overrides, scenario=scenario, examples=examples),
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,
        )
        self.command = command
        if overrides:
            metavar, text = positional
            self.add_argument("overrides", nargs="*", metavar=metavar, help=text)
        self.takes_overrides = overrides

    def add_argument(self, *names: Any, **kwargs: Any) -> argparse.Action:
        """As argparse's; remembers the option names for the error message (not a group's)."""
        action = super().add_argument(*names, **kwargs)
        self.option_names += [n for n in action.option_strings if n.startswith("--")]
        return action

    def parse(self, args: Sequence[str]) -> argparse.Namespace:
        """The options and overrides; `-h` prints the help and exits with status 0."""
        options = self.parse_intermixed_args(list(args))
        for override in options.overrides if self.takes_overrides else []:
            if "=" not in override:
                raise ConfigError("override", override, "must be key=value, e.g. run.seed=3")
        return options

    def error(self, message: str) -> NoReturn:
        raise usage_error(message, self.command, self.option_names)


def usage_error(message: str, command: str, options: Sequence[str]) -> ConfigError:
    """argparse's error message as a ConfigError naming the option, the value and the rule."""
    see = f"see `jointduty {command} --help`"
    unknown = re.fullmatch(r"unrecognized arguments: (\S+).*", message)
    if unknown:
        allowed = ", ".join(o for o in options if o not in ("-h", "--help")) or "none but --help"
        return ConfigError("option", unknown[1], f"unknown; allowed: {allowed}")
    required = re.fullmatch(r"the following arguments are required: (.*)", message)
    if required:
        return ConfigError(required[1], None, f"missing; required ({see})")
    argument = re.fullmatch(r"argument (\S+?): (.*)", message)
    if argument is None:
        return ConfigError("options", None, f"{message}; {see}")
    name, problem = argument[1].split("/")[0], argument[2]
    bad_value = re.fullmatch(r"invalid (\w+) value: (.*)", problem)
    if bad_value:
        kind = {"int": "a whole number", "float": "a number"}.get(bad_value[1], bad_value[1])
        return ConfigError(name, _literal(bad_value[2]), f"must be {kind}")
    if problem.startswith("expected"):
        return ConfigError(name, None, "needs a value" if "one" in problem else problem)
    choice = re.fullmatch(r"invalid choice: (.*?) \(choose from (.*)\)", problem)
    if choice:
        return ConfigError(name, _literal(choice[1]), f"allowed: {choice[2]}")
    return ConfigError(name, None, f"{problem}; {see}")


def _literal(text: str) -> object:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
