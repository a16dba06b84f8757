"""The `jointduty` command: thin wrappers that call the model, experiment and table tiers.

`jointduty run [overrides]` is a Hydra app: it composes `conf/config.yaml` with a scenario
and the overrides, runs the replications, prints the KPI table and writes the tables into
Hydra's run directory (or one directory per job with `-m`). Before Hydra starts, the
overrides are composed and validated once, so that a bad value ends in one line naming the
key, the value and what is allowed, with exit status 2 and no traceback.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from sim.composition import compose_config, register_scenarios, shipped_dir, to_plain
from sim.config import JobConfig, validate
from sim.experiment import run_experiment
from sim.schema import ConfigError
from sim.tables import write_results

EXIT_CONFIG_ERROR = 2
EXIT_INTERNAL_ERROR = 1
HYDRA_FLAGS_WITH_VALUE = {
    "--config-path",
    "-cp",
    "--config-name",
    "-cn",
    "--config-dir",
    "-cd",
    "--experimental-rerun",
    "--package",
    "-p",
    "--info",
    "-i",
    "--cfg",
    "-c",
}

USAGE = """usage: jointduty COMMAND [options] [key=value ...]

commands:
  run        run the replications of one scenario (a Hydra app: add -m for a sweep)
  scenarios  list the shipped scenarios

examples:
  jointduty run
  jointduty run scenario=taozhu_2019 run.replications=10
  jointduty run -m scenario=taozhu_2019,future_city_2021
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
    return commands[command]()(rest)


# Each command lives in its own module and is imported only when it is used.
COMMAND_MODULES: dict[str, str] = {
    "run": "sim.cli:run_command",
    "scenarios": "sim.cli:scenarios_command",
    "compare": "sim.compare:compare_command",
    "collect": "sim.collect:collect_command",
    "validate": "sim.validate:validate_command",
    "fit-demand": "sim.demand_fit:fit_demand_command",
    "estimate": "sim.estimate:estimate_command",
    "optimize": "sim.optimize:optimize_command",
    "report": "sim.report:report_command",
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
    from sim.composition import scenario_names

    for name in scenario_names():
        job = validate(compose_config([f"scenario={name}"]))
        print(f"{name:24s} {job.scenario.description}")
    return 0


def run_command(args: list[str]) -> int:
    """Validate the overrides, then hand over to Hydra (which also handles -m and --help)."""
    try:
        for overrides in _override_sets(args):
            validate(compose_config(overrides))
    except ConfigError as error:
        return _fail(error)
    register_scenarios()
    sys.argv = ["jointduty run", *args]
    _hydra_app(run_task)()
    return 0


def run_task(cfg: DictConfig) -> None:
    """One Hydra job: validate, run all replications, print and write the tables."""
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        job = validate(to_plain(cfg))
        started = time.perf_counter()
        result = run_experiment(job, progress=_progress_printer(started))
        write_results(result, job, out_dir)
    except ConfigError as error:
        if _in_multirun():
            _record_failure(out_dir, str(error))
            return
        sys.exit(_fail(error))
    except Exception as error:
        log = _record_failure(out_dir, traceback.format_exc())
        print(
            f"jointduty: internal error: {type(error).__name__}: {error} (full log: {log})",
            file=sys.stderr,
        )
        if _in_multirun():
            return
        sys.exit(EXIT_INTERNAL_ERROR)
    print(format_summary(result.summary, job))
    print(f"\ntables written to {out_dir}")


def format_summary(summary: pd.DataFrame, job: JobConfig) -> str:
    """The KPI table as text: metric, mean and 95 % confidence interval."""
    run = job.run
    header = (
        f"scenario {job.scenario.name}: {run.replications} replications x "
        f"{run.horizon_days:g} days (after {run.warmup_days:g} warm-up), seed {run.seed}"
    )
    lines = [header, "", f"{'metric':34s} {'mean':>12s}   {'95% CI':>25s}  n"]
    for row in summary.itertuples(index=False):
        ci = f"[{_number(row.ci_low)}, {_number(row.ci_high)}]"
        lines.append(f"{row.metric:34s} {_number(row.mean):>12s}   {ci:>25s}  {row.n}")
    return "\n".join(lines)


def _number(value: float) -> str:
    if pd.isna(value):
        return "-"
    return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"


def _hydra_app(task: Callable[[DictConfig], None]) -> Callable[[], None]:
    import hydra

    decorate = hydra.main(
        config_path=str(shipped_dir("conf")), config_name="config", version_base="1.3"
    )
    return decorate(task)  # type: ignore[return-value]


def _override_sets(args: list[str]) -> list[list[str]]:
    """The override lists to validate up front: each sweep value with the others' first."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    overrides = _model_overrides(args)
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except Exception as error:
        raise ConfigError("override", " ".join(overrides), str(error).splitlines()[0]) from None
    choices = [_values(o) for o in parsed]
    base = [f"{o.get_key_element()}={values[0]}" for o, values in zip(parsed, choices, strict=True)]
    sets = [base]
    for index, (override, values) in enumerate(zip(parsed, choices, strict=True)):
        for value in values[1:]:
            variant = list(base)
            variant[index] = f"{override.get_key_element()}={value}"
            sets.append(variant)
    return sets


def _values(override: object) -> list[str]:
    if override.is_sweep_override():  # type: ignore[attr-defined]
        return list(override.sweep_string_iterator())  # type: ignore[attr-defined]
    return [override.get_value_element_as_str()]  # type: ignore[attr-defined]


def _model_overrides(args: list[str]) -> list[str]:
    """The key=value arguments that shape the model (not Hydra's own flags and settings)."""
    overrides: list[str] = []
    skip_next = False
    for arg in args:
        if skip_next:
            skip_next = False
            continue
        if arg.startswith("-"):
            skip_next = arg in HYDRA_FLAGS_WITH_VALUE
            continue
        key = arg.lstrip("+~").split("=", 1)[0]
        if not key.startswith(("hydra.", "hydra/")):
            overrides.append(arg)
    return overrides


def _in_multirun() -> bool:
    return HydraConfig.get().mode == RunMode.MULTIRUN


def _record_failure(out_dir: Path, text: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    log = out_dir / "error.log"
    log.write_text(text if text.endswith("\n") else text + "\n")
    return log


def _progress_printer(started: float) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        elapsed = time.perf_counter() - started
        eta = elapsed / done * (total - done)
        end = "\n" if done == total or not sys.stderr.isatty() else "\r"
        print(
            f"replication {done}/{total} done, {elapsed:.1f} s elapsed, ETA {eta:.1f} s",
            end=end,
            file=sys.stderr,
            flush=True,
        )

    return show


def _fail(error: ConfigError) -> int:
    print(f"jointduty: config error: {error}", file=sys.stderr)
    return EXIT_CONFIG_ERROR


def console_main() -> None:
    sys.exit(main())
