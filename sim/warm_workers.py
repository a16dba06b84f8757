"""A sweep's joblib workers, started while the main process is still getting ready.

With `hydra/launcher=joblib` and more than one worker, Hydra's launcher starts its loky worker
processes when it launches the first batch, and each worker then imports NumPy, pandas,
SciPy, Hydra and the model (1-2 s) before its first job can start; the main process waits.
`start(launcher, n_jobs)` starts the same workers from a background thread, with a task that
does those imports, while the main process gets ready: `jointduty run -m` calls it
(`start_for(..., early=True)`) as soon as it has composed the sweep's first point, so the
workers import while the points are checked and Hydra composes the sweep; when the sweep
directory already holds jobs, the sweeper calls it once resume has counted the jobs left
(none when resuming a finished sweep). joblib keeps its workers for the next `Parallel` with
the same arguments, so the launcher finds them ready; the sweeper calls `wait()` before
launching, so the two never run at the same time. The thread then imports what the sweep
table needs at the end (`sim.collect`: pandas, SciPy) while the jobs run. Only an
optimisation: if anything goes wrong here, the launcher starts its workers as it always did.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

JOBLIB_LAUNCHER = "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher"
log = logging.getLogger(__name__)
_READY: list[threading.Event] = []  # set when the workers started by `start` are ready
_LAUNCHING = threading.Event()  # set when the sweep launches its jobs (`wait`)
warmed_pids: set[int] = set()  # the worker processes warmed so far


def start_for(config: DictConfig, n_jobs: int, *, early: bool = False) -> bool:
    """`start` with the launcher of a config composed with its `hydra` node. `early`: called
    by `jointduty run -m` before Hydra starts (`sim.sweep_points`), when resume has not yet
    counted the completed jobs; then only for a sweep directory without jobs yet (the sweeper
    starts the workers for the others once it knows how many jobs are left)."""
    if OmegaConf.select(config, "hydra.launcher._target_") != JOBLIB_LAUNCHER:
        return False
    try:
        if early and _has_jobs(Path(str(OmegaConf.select(config, "hydra.sweep.dir")))):
            return False
        launcher = OmegaConf.to_container(config.hydra.launcher, resolve=True)
    except Exception as error:  # e.g. an interpolation only Hydra's own run resolves
        log.debug(f"not warming the workers: {error!r}")
        return False
    assert isinstance(launcher, dict)
    return start(launcher, n_jobs)


def start(launcher: Mapping[str, Any], n_jobs: int) -> bool:
    """Start the workers of this `hydra.launcher` config in the background for `n_jobs` jobs,
    if it is joblib's and they would use more than one worker, and none are starting yet;
    True if started."""
    if launcher.get("_target_") != JOBLIB_LAUNCHER or _READY:
        return False
    from joblib import effective_n_jobs

    arguments = parallel_arguments(launcher)
    n_workers = min(effective_n_jobs(arguments.get("n_jobs", -1)), n_jobs)
    if n_workers <= 1:
        return False
    ready = threading.Event()
    thread = threading.Thread(
        target=_warm,
        args=(arguments, n_workers, ready),
        name="jointduty-warm-workers",
        daemon=True,
    )
    thread.start()
    _READY.append(ready)
    return True


def wait() -> None:
    """Wait until the workers started by `start` are ready (at once if none were); the sweep
    is about to launch its jobs."""
    _LAUNCHING.set()
    while _READY:
        _READY.pop().wait()


def parallel_arguments(launcher: Mapping[str, Any]) -> dict[str, Any]:
    """`joblib.Parallel`'s arguments, as Hydra's joblib launcher builds them from its config."""
    from hydra_plugins.hydra_joblib_launcher._core import process_joblib_cfg

    arguments = {str(key): value for key, value in launcher.items() if key != "_target_"}
    arguments["backend"] = "loky"
    process_joblib_cfg(arguments)
    return arguments


def _warm(arguments: dict[str, Any], n_workers: int, ready: threading.Event) -> None:
    from joblib import Parallel, delayed

    try:
        pids = Parallel(**arguments)(delayed(_import_for_jobs)() for _ in range(n_workers))
        warmed_pids.update(pids)
    except Exception as error:  # the launcher starts its workers itself
        log.debug(f"warming the workers failed: {error!r}")
    finally:
        ready.set()
    _LAUNCHING.wait()  # not while the main process still prepares: it would wait for the GIL
    try:  # the sweep table at the end needs pandas and SciPy: import them while jobs run
        import sim.collect  # noqa: F401
    except Exception:  # e.g. the process is already exiting: the table imports them itself
        return


def _has_jobs(sweep_dir: Path) -> bool:
    from sim.jobstatus import STATUS_FILE

    return sweep_dir.is_dir() and any(sweep_dir.glob(f"*/{STATUS_FILE}"))


def _import_for_jobs() -> int:
    """In a worker: what its first job would import, and Hydra's plugin scan."""
    import hydra_plugins.hydra_joblib_launcher._core  # noqa: F401
    from hydra.core.plugins import Plugins

    import sim.joblib_launch  # noqa: F401
    from sim.run import import_job_modules

    import_job_modules()
    Plugins.instance()
    return os.getpid()
