"""Sweeps: Hydra multirun that resumes, keeps going after failures and ends in one table.

`jointduty run -m ...` uses the resuming sweeper (`conf/hydra/sweeper/resume.yaml`), Hydra's
basic sweeper (the same cartesian grid of the command line and `hydra.sweeper.params`) with
four changes:

- **Resume.** Before launching, it reads every `*/status.json` under the sweep directory and
  leaves out the jobs whose override set already completed there; their directories are not
  touched. A grown grid therefore runs only its new points, and a failed job runs again.
  Job directories are named by override set (`${jd_job_dir:...}`, see `sim.results.jobstatus`), so
  a new point never lands in an old job's directory however Hydra numbers the jobs.
- **Failures.** A job that raises records `error.log` and a `failed` status in its directory
  (`sim.sweep.run.run_task`); the other jobs and batches go on.
- **Table.** At the end, also after failures, `sweep.parquet` and `sweep.csv` are rebuilt at
  the sweep root (`sim.results.collect`); `jointduty collect DIR` does the same at any time.
- **Stock launchers.** Jobs go to whichever Hydra launcher is configured (basic, joblib, Ray,
  submitit) through its public `launch`; each job is one configuration with all its
  replications.

Lock: a sweep holds `.sweep.lock` in its folder (`lock_sweep_dir`, taken by `jointduty run -m`
before Hydra starts); a second sweep into the same folder is refused in one line instead of
running every job again beside the first.

Progress: the sweeper writes `sweep.json` (the planned jobs and the start time) and every job,
when it ends, prints how many of the sweep's jobs are done, the elapsed time and an ETA
(`sim.sweep.progress`).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from hydra.core.utils import JobReturn, JobStatus
from hydra.errors import HydraException
from hydra.plugins.launcher import Launcher
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf

from sim.config.schema import ConfigError
from sim.results.files import write_atomic
from sim.results.jobstatus import (
    COMPLETED,
    FAILED,
    completed_override_sets,
    job_dir_name,
    now_iso,
    override_set,
    read_status,
    write_status,
)
from sim.sweep.progress import SWEEP_FILE, progress_line

log = logging.getLogger(__name__)
SWEEP_LOCK = ".sweep.lock"


def lock_sweep_dir(sweep_dir: Path) -> FileLock:
    """Make the sweep folder and take its lock (held until released or the process ends);
    `ConfigError` if another sweep holds it or the folder cannot be made."""
    try:
        sweep_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(sweep_dir / SWEEP_LOCK))
        lock.acquire(timeout=0)
    except Timeout:
        raise ConfigError(
            "hydra.sweep.dir",
            str(sweep_dir),
            f"is in use by another sweep (lock {sweep_dir / SWEEP_LOCK}); wait for it to end",
        ) from None
    except OSError as error:
        raise ConfigError(
            "hydra.sweep.dir", str(sweep_dir), f"cannot make the folder: {error.strerror}"
        ) from None
    return lock


@dataclass(frozen=True)
class SweepOutcome:
    """What the last sweep of this process did (read by the CLI for its exit status)."""

    sweep_dir: Path
    n_jobs: int
    n_skipped: int
    counts: dict[str, int]


LAST_SWEEP: list[SweepOutcome] = []


def register_resolvers() -> None:
    """`${jd_job_dir:${hydra.overrides.task}}`: the job directory named by its overrides."""
    if not OmegaConf.has_resolver("jd_job_dir"):
        OmegaConf.register_new_resolver("jd_job_dir", lambda overrides: job_dir_name(overrides))


register_resolvers()


class ResumingSweeperBase(Sweeper):
    """Hydra's basic sweeper that skips completed jobs and always writes the sweep table.

    It derives from `Sweeper`, not `BasicSweeper`: Hydra's plugin scan re-executes the core
    plugin modules, so a subclass of `BasicSweeper` made before the scan breaks its `super()`.
    """

    def __init__(self, max_batch_size: int | None = None, params: dict[str, str] | None = None):
        super().__init__()
        self.max_batch_size = max_batch_size
        self.params = dict(params or {})
        self.hydra_context: HydraContext | None = None
        self.config: DictConfig | None = None
        self.launcher: Launcher | None = None

    def setup(
        self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig
    ) -> None:
        """As Hydra's basic sweeper: keep the context and instantiate the configured launcher."""
        from hydra.core.plugins import Plugins

        self.hydra_context = hydra_context
        self.config = config
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config
        )

    def sweep(self, arguments: list[str]) -> Any:
        assert self.config is not None and self.launcher is not None
        assert self.hydra_context is not None
        params = [*(f"{key}={value}" for key, value in self.params.items()), *arguments]
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        overrides = parser.parse_overrides(params)
        batches = split_into_batches(overrides, self.max_batch_size)
        sweep_dir = Path(self.config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
        all_jobs = [job for batch in batches for job in batch]
        done = completed_override_sets(sweep_dir)
        todo = [[job for job in batch if override_set(job) not in done] for batch in batches]
        n_todo = sum(len(batch) for batch in todo)
        _announce(sweep_dir, all_jobs, n_skipped=len(all_jobs) - n_todo)
        returns: list[Sequence[JobReturn]] = []
        try:
            returns = self._launch_all(
                [batch for batch in todo if batch], _varying_keys(all_jobs), sweep_dir.resolve()
            )
        finally:
            outcome = _finish(sweep_dir, all_jobs, n_skipped=len(all_jobs) - n_todo)
            LAST_SWEEP.append(outcome)
        return returns

    def _launch_all(
        self, batches: list[list[list[str]]], varying: set[str], sweep_dir: Path
    ) -> list[Sequence[JobReturn]]:
        """Launch the batches: each job in a directory named by its overrides, under the
        sweep directory as an absolute path (Ray workers on a cluster run in another cwd)."""
        assert self.launcher is not None and self.config is not None
        name_dirs = not _subdir_overridden(self.config)
        returns: list[Sequence[JobReturn]] = []
        initial_job_idx = 0
        for batch in batches:
            batch = [[*job, f"hydra.sweep.dir='{sweep_dir}'"] for job in batch]
            if name_dirs:
                batch = [
                    [*job, f"hydra.sweep.subdir='{job_dir_name(job[:-1], varying)}'"]
                    for job in batch
                ]
            # No validate_batch_is_legal here: `jointduty run` validated every point of the grid
            # before Hydra started (`sim.sweep.points.validate_sweep_points`), more strictly and
            # without composing each job a second time in this process.
            results = self.launcher.launch(batch, initial_job_idx=initial_job_idx)
            for result in results:
                _mark_if_crashed(result)
            initial_job_idx += len(batch)
            returns.append(results)
        return returns


def split_into_batches(
    overrides: list[Override], max_batch_size: int | None
) -> list[list[list[str]]]:
    """The cartesian grid of the overrides, as Hydra's basic sweeper builds it: one list of
    `key=value` strings per job, in batches of at most `max_batch_size` jobs."""
    choices: dict[str, list[str]] = {}
    for override in overrides:
        key = override.get_key_element()
        if not override.is_sweep_override():
            choices[key] = [f"{key}={override.get_value_element_as_str()}"]
        elif override.is_discrete_sweep():
            choices[key] = [f"{key}={value}" for value in override.sweep_string_iterator()]
        else:
            raise HydraException(
                f"the sweep of {key} is not a list of values (range sweeps "
                f"only: use key=range(a,b) or key=a,b,c)"
            )
    jobs = [list(job) for job in itertools.product(*choices.values())]
    if max_batch_size is None or max_batch_size <= 0:
        return [jobs]
    return [jobs[i : i + max_batch_size] for i in range(0, len(jobs), max_batch_size)]


def _varying_keys(jobs: list[list[str]]) -> set[str]:
    """The override keys whose value differs between the jobs (for readable directory names)."""
    values: dict[str, set[str]] = {}
    for job in jobs:
        for override in job:
            key, _, value = override.partition("=")
            values.setdefault(key, set()).add(value)
    return {key for key, seen in values.items() if len(seen) > 1 or len(jobs) == 1}


def _subdir_overridden(config: DictConfig) -> bool:
    """Did the user choose `hydra.sweep.subdir`? Then resume still skips completed jobs, but a
    grown grid may put a new job in an old job's numbered directory."""
    chosen = any(str(o).startswith("hydra.sweep.subdir=") for o in config.hydra.overrides.hydra)
    if chosen:
        log.warning(
            "hydra.sweep.subdir is set by hand: jobs are not in directories named by their "
            "overrides, so growing this grid later may mix old and new jobs' directories"
        )
    return chosen


def _announce(sweep_dir: Path, all_jobs: list[list[str]], n_skipped: int) -> None:
    record = {
        "started": now_iso(),
        "t_started": time.time(),
        "n_jobs": len(all_jobs),
        "n_skipped": n_skipped,
        "jobs": [list(override_set(job)) for job in all_jobs],
    }
    write_atomic(sweep_dir / SWEEP_FILE, lambda tmp: tmp.write_text(json.dumps(record) + "\n"))
    log.info(
        f"sweep of {len(all_jobs)} jobs in {sweep_dir}: {n_skipped} already completed "
        f"(skipped), {len(all_jobs) - n_skipped} to run"
    )


def _mark_if_crashed(result: JobReturn) -> None:
    """A job that raised past run_task (a lost worker, say) gets a `failed` marker too."""
    if result.status != JobStatus.FAILED or result.hydra_cfg is None:
        return
    job_dir = Path(str(result.hydra_cfg.hydra.runtime.output_dir))
    error = _failure_of(result)
    if read_status(job_dir) is None:
        write_status(
            job_dir, FAILED, result.overrides or [], started="", duration_s=0.0, error=error
        )
    log.error(f"job {job_dir.name} failed: {error}")


def _failure_of(result: JobReturn) -> str:
    """The exception a failed job raised, read through `JobReturn.return_value` (public),
    which re-raises it and writes a line to stderr that we keep out of the sweep's output."""
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            value = result.return_value
    except Exception as error:
        return repr(error)
    return repr(value)


def _finish(sweep_dir: Path, all_jobs: list[list[str]], n_skipped: int) -> SweepOutcome:
    from sim.results.collect import write_sweep_table

    table = write_sweep_table(sweep_dir)
    wanted = {override_set(job) for job in all_jobs}
    jobs = table.drop_duplicates("job")
    mine = jobs[[override_set(json.loads(o)) in wanted for o in jobs["overrides"]]]
    counts = {str(k): int(v) for k, v in mine["status"].value_counts().items()}
    log.info(
        f"sweep finished: {counts.get(COMPLETED, 0)} of {len(all_jobs)} jobs completed "
        f"({n_skipped} before this run), {counts.get(FAILED, 0)} failed; "
        f"table: {sweep_dir / 'sweep.csv'}"
    )
    return SweepOutcome(sweep_dir, len(all_jobs), n_skipped, counts)


def job_identity() -> tuple[Path, list[str]]:
    """This Hydra job's directory and overrides (inside a running job)."""
    from hydra.core.hydra_config import HydraConfig

    hydra_cfg = HydraConfig.get()
    return Path(hydra_cfg.runtime.output_dir), list(hydra_cfg.overrides.task)


__all__ = [
    "COMPLETED",
    "LAST_SWEEP",
    "SWEEP_FILE",
    "SWEEP_LOCK",
    "ResumingSweeperBase",
    "SweepOutcome",
    "job_identity",
    "lock_sweep_dir",
    "progress_line",
    "register_resolvers",
]
