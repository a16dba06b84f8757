"""`jointduty run [overrides]`: one configuration, or a sweep of them with `-m`.

It is a Hydra app: it composes `conf/config.yaml` with a scenario and the overrides, runs
the replications, prints the KPI table and writes the tables into Hydra's run directory, or
one directory per job with `-m` (`sim.sweep.sweeper`: resume, failures, the sweep table). Before
Hydra starts, every point of the sweep (the command line's and the `hydra.sweeper.params` of
an experiment preset) is validated once with the others at their first value, so that a bad
value ends in one line naming the key, the value and what is allowed, with exit status 2,
before any job runs (`sim.sweep.points`).

Every job writes `status.json` last (`sim.results.jobstatus`): the completion marker resume reads.
"""

from __future__ import annotations

import functools
import gc
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from sim.config.checks import validate
from sim.config.scenario import JobConfig
from sim.config.schema import ConfigError
from sim.experiment.progress import progress_printer
from sim.results.jobstatus import COMPLETED, FAILED, now_iso, write_status
from sim.sweep.compose import (
    register_scenarios,
    shipped_dir,
    to_plain,
)
from sim.sweep.folders import with_claimed_run_dir, with_locked_sweep_dir
from sim.sweep.points import refuse_sweeps_without_multirun, validate_sweep_points
from sim.sweep.progress import progress_line
from sim.sweep.sources import is_multirun, only_shows
from sim.sweep.sweeper import LAST_SWEEP, job_identity

if TYPE_CHECKING:
    import pandas as pd

    from sim.experiment.replications import OutputAnalysis


class RunFailed(Exception):
    """The run's job, or some of the sweep's jobs, failed: the one line to show, already said
    in full in the job's `error.log` (`sim.cli.run` prints it, exit status 1)."""


# The failure of a single run (not a sweep): Hydra would print a traceback for an exception
# leaving the task function, so the task records it here and `run_command` raises it.
FAILED_RUN: list[Exception] = []


def run_command(args: list[str]) -> None:
    """Validate the overrides, then hand over to Hydra (which also handles -m and --help).

    A single run's folder is claimed here, before Hydra writes into it; a sweep's folder is
    locked for as long as Hydra runs (`sim.sweep.folders`). Raises `ConfigError` for bad
    input and `RunFailed` when the job or sweep jobs failed.
    """
    refuse_sweeps_without_multirun(args)
    first = validate_sweep_points(args)
    lock = None
    if only_shows(args):
        pass
    elif is_multirun(args):
        args, lock = with_locked_sweep_dir(args, first)
    else:
        args = with_claimed_run_dir(args, first)
    register_scenarios()
    _register_sweeper()
    sys.argv = ["jointduty run", *args]
    FAILED_RUN.clear()
    try:
        _hydra_app(run_task)()
    finally:
        if lock is not None:
            lock.release()
    if FAILED_RUN:
        raise FAILED_RUN.pop()
    _raise_if_sweep_failed()


@functools.cache
def import_job_modules() -> None:
    """Import the model and its tables (about 1 s), then freeze the heap; once per process.

    `run` imports them only when it runs a job: a sweep's main process with worker processes
    never does.
    `sim.cli.main` freezes the heap after loading a command so that the garbage collector no
    longer walks the imported modules' objects during a simulation; the model's modules are
    imported after that, so they are frozen here (once: later garbage must stay collectable).
    """
    import sim.experiment.placement
    import sim.experiment.replications
    import sim.results.tables  # noqa: F401

    gc.freeze()


def _register_sweeper() -> None:
    """Register the resuming sweeper by hand: Hydra's plugin scan misses editable installs."""
    from hydra.core.plugins import Plugins

    from hydra_plugins.jointduty_sweeper.resuming_sweeper import ResumingSweeper

    Plugins.instance().register(ResumingSweeper)


def run_task(cfg: DictConfig) -> None:
    """One Hydra job: validate, run all replications, write the tables, then `status.json`.

    `status.json` is the completion marker (see `sim.results.jobstatus`): written last, atomically,
    `completed` or `failed`. In a sweep a failure is recorded and the other jobs go on.
    """
    import_job_modules()  # before the job's clock starts: imports are not the job's time
    from sim.experiment.placement import place_stations
    from sim.experiment.replications import run_experiment
    from sim.results.tables import write_results

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
    """Record the failure (error.log, then a `failed` status); outside a sweep, keep it for
    `run_command` to raise."""
    if isinstance(error, ConfigError):
        _record_failure(out_dir, str(error))
        message, failure = f"config error: {error}", error
    else:
        log = _record_failure(out_dir, traceback.format_exc())
        message = f"internal error: {type(error).__name__}: {error}"
        failure = RunFailed(f"{message} (full log: {log})")
        if multirun:
            print(f"jointduty: {failure}", file=sys.stderr)
    duration_s = time.perf_counter() - t_start
    write_status(out_dir, FAILED, overrides, started=started, duration_s=duration_s, error=message)
    if not multirun:
        FAILED_RUN.append(failure)
        return
    _print_sweep_progress(out_dir, multirun=True)


def _print_sweep_progress(out_dir: Path, multirun: bool) -> None:
    line = progress_line(out_dir.parent) if multirun else None
    if line:
        print(line, file=sys.stderr, flush=True)


def _raise_if_sweep_failed() -> None:
    """`RunFailed` if the sweep just run left failed jobs."""
    if not LAST_SWEEP:
        return
    outcome = LAST_SWEEP.pop()
    n_failed = outcome.n_jobs - outcome.counts.get(COMPLETED, 0)
    if n_failed > 0:
        raise RunFailed(
            f"{n_failed} of {outcome.n_jobs} sweep jobs did not complete; see "
            f"{outcome.sweep_dir / 'sweep.csv'} (rerun the same command to retry only those)"
        )


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


def _in_multirun() -> bool:
    return HydraConfig.get().mode == RunMode.MULTIRUN


def _record_failure(out_dir: Path, text: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    log = out_dir / "error.log"
    log.write_text(text if text.endswith("\n") else text + "\n")
    return log
