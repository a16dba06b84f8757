"""`jointduty run [overrides]`: one configuration, or a sweep of them with `-m`.

It is a Hydra app: it composes `conf/config.yaml` with a scenario and the overrides, runs
the replications, prints the KPI table and writes the tables into Hydra's run directory, or
one directory per job with `-m` (`sim.sweep`: resume, failures, the sweep table). Before
Hydra starts, every point of the sweep (the command line's and the `hydra.sweeper.params` of
an experiment preset) is validated once with the others at their first value, so that a bad
value ends in one line naming the key, the value and what is allowed, with exit status 2,
before any job runs. Points that differ only in plain values are derived from one
composition rather than composed each (`validate_sweep_points`).

Every job writes `status.json` last (`sim.jobstatus`): the completion marker resume reads.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from sim.cli import EXIT_CONFIG_ERROR, EXIT_INTERNAL_ERROR, _fail
from sim.composition import (
    register_scenarios,
    shipped_dir,
    sweeper_params,
    sweeper_params_in,
    to_plain,
)
from sim.config import JobConfig, validate
from sim.derived_configs import Composer
from sim.jobstatus import COMPLETED, FAILED, now_iso, write_status
from sim.progress import progress_printer
from sim.safety import check_targets
from sim.schema import ConfigError
from sim.sweep import LAST_SWEEP, job_identity, progress_line

if TYPE_CHECKING:
    import pandas as pd

    from sim.experiment import OutputAnalysis

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


def run_command(args: list[str]) -> int:
    """Validate the overrides, then hand over to Hydra (which also handles -m and --help)."""
    try:
        _refuse_sweeps_without_multirun(args)
        validate_sweep_points(args)
    except ConfigError as error:
        return _fail(error)
    register_scenarios()
    _register_sweeper()
    sys.argv = ["jointduty run", *args]
    _hydra_app(run_task)()
    return _sweep_exit_status()


def _refuse_sweeps_without_multirun(args: list[str]) -> None:
    """`key=a,b` is a sweep: Hydra runs it only with -m (otherwise it fails in several lines)."""
    if "-m" in args or "--multirun" in args:
        return
    for override in _parse_overrides(_model_overrides(args)):
        if override.is_sweep_override():
            raise ConfigError(
                override.get_key_element(),
                ",".join(override.sweep_string_iterator()),
                "is a sweep of several values; add -m to run one job per value",
            )


def validate_sweep_points(args: list[str]) -> DictConfig:
    """Compose and validate every point of the sweep (`_override_sets`), or `ConfigError`.

    One full composition with the `hydra` node (at every value's first) serves the check of
    `_target_`s and the sweep an experiment preset declares; the points that differ from it
    only in plain values (`run.seed=1,...,16`) are derived from it, not composed again
    (`sim.derived_configs`). Returns that first composition.
    """
    composer = Composer(_first_values(_parse_overrides(_hydra_overrides(args))))
    first = composer.compose_with_hydra(_first_values(_parse_overrides(_model_overrides(args))))
    check_targets(OmegaConf.to_container(first, resolve=False))
    for overrides in _override_sets(args, sweeper_params_in(first)):
        _placed(validate(composer.compose_config(overrides)))
    return first


def _placed(job: JobConfig) -> JobConfig:
    """`sim.placement.place_stations`, imported only for a point that places stations."""
    if job.placement.n_stations is None:
        return job
    from sim.placement import place_stations

    return place_stations(job)


def import_job_modules() -> None:
    """Import the model and its tables (about 1 s). `run` imports them only when it runs a
    job: a sweep's main process with worker processes never does, and joblib's workers
    import them while it gets ready (`sim.warm_workers`)."""
    import sim.experiment
    import sim.placement
    import sim.tables  # noqa: F401


def _register_sweeper() -> None:
    """Register the resuming sweeper by hand: Hydra's plugin scan misses editable installs."""
    from hydra.core.plugins import Plugins

    from hydra_plugins.jointduty_sweeper.resuming_sweeper import ResumingSweeper

    Plugins.instance().register(ResumingSweeper)


def run_task(cfg: DictConfig) -> None:
    """One Hydra job: validate, run all replications, write the tables, then `status.json`.

    `status.json` is the completion marker (see `sim.jobstatus`): written last, atomically,
    `completed` or `failed`. In a sweep a failure is recorded and the other jobs go on.
    """
    import_job_modules()  # before the job's clock starts: imports are not the job's time
    from sim.experiment import run_experiment
    from sim.placement import place_stations
    from sim.tables import write_results

    out_dir, overrides = job_identity()
    started, t_start = now_iso(), time.perf_counter()
    multirun = _in_multirun()
    try:
        job = place_stations(validate(to_plain(cfg)))
        auto = job.run.replications == "auto"
        progress = None if multirun else progress_printer("replication", total_is_cap=auto)
        result = run_experiment(job, progress=progress)
        write_results(result, job, out_dir)
    except Exception as error:
        _job_failed(error, out_dir, overrides, started, t_start, multirun)
        return
    duration_s = time.perf_counter() - t_start
    _job_completed(out_dir, overrides, started, duration_s, result.analysis)
    if multirun:
        n_done = result.analysis.n_replications if result.analysis else 0
        print(f"job {out_dir.name}: {n_done} replications in {duration_s:.1f} s")
        _print_sweep_progress(out_dir, multirun)
        return
    print(format_summary(result.summary, job, result.analysis))
    print(f"\ntables written to {out_dir}")


def _job_completed(
    out_dir: Path,
    overrides: list[str],
    started: str,
    duration_s: float,
    analysis: OutputAnalysis | None,
) -> None:
    extra = {
        "n_replications": analysis.n_replications if analysis else None,
        "stop_reason": analysis.stop_reason if analysis else None,
        "warmup_days": analysis.warmup_days if analysis else None,
    }
    write_status(out_dir, COMPLETED, overrides, started=started, duration_s=duration_s, extra=extra)


def _job_failed(
    error: Exception,
    out_dir: Path,
    overrides: list[str],
    started: str,
    t_start: float,
    multirun: bool,
) -> None:
    """Record the failure (error.log, then a `failed` status); outside a sweep, exit."""
    if isinstance(error, ConfigError):
        _record_failure(out_dir, str(error))
        message, status = f"config error: {error}", EXIT_CONFIG_ERROR
    else:
        log = _record_failure(out_dir, traceback.format_exc())
        message, status = f"internal error: {type(error).__name__}: {error}", EXIT_INTERNAL_ERROR
        print(f"jointduty: {message} (full log: {log})", file=sys.stderr)
    duration_s = time.perf_counter() - t_start
    write_status(out_dir, FAILED, overrides, started=started, duration_s=duration_s, error=message)
    if not multirun:
        if isinstance(error, ConfigError):
            _fail(error)
        sys.exit(status)
    _print_sweep_progress(out_dir, multirun=True)


def _print_sweep_progress(out_dir: Path, multirun: bool) -> None:
    line = progress_line(out_dir.parent) if multirun else None
    if line:
        print(line, file=sys.stderr, flush=True)


def _sweep_exit_status() -> int:
    """1 (with a one-line note) if the sweep just run left failed jobs, else 0."""
    if not LAST_SWEEP:
        return 0
    outcome = LAST_SWEEP.pop()
    n_failed = outcome.n_jobs - outcome.counts.get(COMPLETED, 0)
    if n_failed <= 0:
        return 0
    print(
        f"jointduty: {n_failed} of {outcome.n_jobs} sweep jobs did not complete; see "
        f"{outcome.sweep_dir / 'sweep.csv'} (rerun the same command to retry only those)",
        file=sys.stderr,
    )
    return EXIT_INTERNAL_ERROR


def format_summary(
    summary: pd.DataFrame, job: JobConfig, analysis: OutputAnalysis | None = None
) -> str:
    """The KPI table as text: metric, mean, sd, 95 % confidence interval and n."""
    run = job.run
    n_replications = analysis.n_replications if analysis else run.replications
    warmup_days = analysis.warmup_days if analysis else run.warmup_days
    header = (
        f"scenario {job.scenario.name}: {n_replications} replications x "
        f"{run.horizon_days:g} days (after {warmup_days:g} warm-up), seed {run.seed}"
    )
    lines = [header]
    if analysis is not None:
        lines += [f"replications: {analysis.stop_reason}", f"warm-up: {analysis.warmup_reason}"]
    width = max([len("metric"), *map(len, summary["metric"])]) + 1
    lines += ["", f"{'metric':{width}s} {'mean':>12s} {'sd':>10s}   {'95% CI':>25s}  n"]
    for row in summary.itertuples(index=False):
        ci = f"[{_number(row.ci_low)}, {_number(row.ci_high)}]"
        lines.append(
            f"{row.metric:{width}s} {_number(row.mean):>12s} {_number(row.sd):>10s}   "
            f"{ci:>25s}  {row.n}"
        )
    return "\n".join(lines)


def _number(value: float) -> str:
    import pandas as pd

    if pd.isna(value):
        return "-"
    return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"


def _hydra_app(task: Callable[[DictConfig], None]) -> Callable[[], None]:
    import hydra

    decorate = hydra.main(
        config_path=str(shipped_dir("conf")), config_name="config", version_base="1.3"
    )
    return decorate(task)  # type: ignore[return-value]


def _override_sets(args: list[str], params: dict[str, str] | None = None) -> list[list[str]]:
    """The override lists to validate up front: each sweep value with the others' first.

    The sweep is the command line's overrides plus `params`, the `hydra.sweeper.params` of
    the composed config (an experiment preset; composed here if not given), the command line
    winning, as in Hydra's basic sweeper.
    """
    command_line = _parse_overrides(_model_overrides(args))
    if params is None:
        params = sweeper_params(_first_values(command_line))
    merged = {
        o.get_key_element(): o for o in _parse_overrides([f"{k}={v}" for k, v in params.items()])
    }
    merged.update({o.get_key_element(): o for o in command_line})
    choices = {key: _values(override) for key, override in merged.items()}
    base = [f"{key}={values[0]}" for key, values in choices.items()]
    sets = [base]
    for index, (key, values) in enumerate(choices.items()):
        for value in values[1:]:
            variant = list(base)
            variant[index] = f"{key}={value}"
            sets.append(variant)
    return sets


def _parse_overrides(overrides: list[str]) -> list[Any]:
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        return OverridesParser.create().parse_overrides(overrides)
    except Exception as error:
        raise ConfigError("override", " ".join(overrides), str(error).splitlines()[0]) from None


def _first_values(parsed: list[Any]) -> list[str]:
    return [f"{o.get_key_element()}={_values(o)[0]}" for o in parsed]


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
        if not _is_hydra_key(arg):
            overrides.append(arg)
    return overrides


def _is_hydra_key(override: str) -> bool:
    return override.lstrip("+~").split("=", 1)[0].startswith(("hydra.", "hydra/"))


def _hydra_overrides(args: list[str]) -> list[str]:
    """The key=value arguments that set Hydra itself (`hydra.*`, `hydra/...`)."""
    return [o for o in _plain_overrides(args) if _is_hydra_key(o)]


def _plain_overrides(args: list[str]) -> list[str]:
    """Every key=value argument, Hydra's own settings included (not the command-line flags)."""
    overrides: list[str] = []
    skip_next = False
    for arg in args:
        if skip_next:
            skip_next = False
        elif arg.startswith("-"):
            skip_next = arg in HYDRA_FLAGS_WITH_VALUE
        else:
            overrides.append(arg)
    return overrides


def _in_multirun() -> bool:
    return HydraConfig.get().mode == RunMode.MULTIRUN


def _record_failure(out_dir: Path, text: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    log = out_dir / "error.log"
    log.write_text(text if text.endswith("\n") else text + "\n")
    return log
