"""Hydra's joblib launch, with what every job shares sent to each worker once.

Hydra's joblib launcher (`hydra_joblib_launcher._core.launch`) hands every job, besides its
number and overrides, what all the jobs share: Hydra's context (the config loader, which holds
the configs the jobs are derived from, `sim.derived_configs`), the sweep's config, the task and
Hydra's singletons. joblib pickles them again for every job, with cloudpickle: on
`future_city_2021` about 170 kB and 20-25 ms of the main process's CPU a job, and the worker
unpickles them again. With 2 workers on 2 cores that CPU is taken from the jobs; with many
workers the main process cannot hand out more than about 45 jobs a second, however many cores
wait for them.

`launch` is Hydra's, but the shared part travels as one `SharedJobContext`: pickled once per
launch, its pickle in every job is those bytes, and a worker unpickles them for the launch's
first job it runs and keeps them for the others. That is how Hydra's basic launcher, which runs
every job in its own process, shares them: the same objects for every job, the singletons
restored from the same state. With one worker joblib runs the jobs in the main process and
nothing is pickled. Each job then runs through `execute_job` (`sim.local_jobs.run_job`).
"""

from __future__ import annotations

import logging
import pickle
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.core.utils import JobReturn
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, open_dict

log = logging.getLogger(__name__)
_UNPICKLED: dict[str, SharedJobContext] = {}  # in a worker: the last launch's shared objects

SharedObjects = tuple[HydraContext, DictConfig, TaskFunction, dict[str, Any]]


class SharedJobContext:
    """What every job of one launch shares: Hydra's context, the sweep's config, the task and
    Hydra's singletons (`objects`). Pickled, it is the bytes of those objects, pickled once
    (by the first job sent to a worker); unpickled, the objects of the launch `key`, unpickled
    once per process."""

    def __init__(self, key: str, objects: SharedObjects):
        self.key = key
        self.objects = objects
        self._pickle: bytes | None = None

    def __reduce__(self) -> tuple[Any, tuple[str, bytes]]:
        if self._pickle is None:  # joblib sends jobs from one thread: made once
            from joblib.externals import cloudpickle

            self._pickle = cloudpickle.dumps(self.objects)
        return (_unpickled_once, (self.key, self._pickle))


def _unpickled_once(key: str, pickled: bytes) -> SharedJobContext:
    """The launch `key`'s shared objects in this process: unpickled for its first job, then
    the same objects (only the last launch's are kept)."""
    shared = _UNPICKLED.get(key)
    if shared is None:
        _UNPICKLED.clear()
        shared = _UNPICKLED[key] = SharedJobContext(key, pickle.loads(pickled))
    return shared


def launch(
    launcher: Any, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
) -> Sequence[JobReturn]:
    """Hydra's joblib `launch` (hydra-joblib-launcher 1.2), with the jobs' shared part sent as
    one `SharedJobContext`."""
    from hydra.core.singleton import Singleton
    from hydra.core.utils import configure_log, filter_overrides, setup_globals
    from joblib import Parallel, delayed

    from sim.warm_workers import parallel_arguments

    setup_globals()
    assert launcher.config is not None
    assert launcher.task_function is not None
    assert launcher.hydra_context is not None
    configure_log(launcher.config.hydra.hydra_logging, launcher.config.hydra.verbose)
    sweep_dir = Path(str(launcher.config.hydra.sweep.dir))
    sweep_dir.mkdir(parents=True, exist_ok=True)
    # As Hydra builds them (loky: its threading backend is incompatible with Hydra), and the
    # very arguments the warmed workers were started with, so that joblib reuses them.
    joblib_cfg = parallel_arguments(launcher.joblib)
    arguments = ",".join(f"{key}={value}" for key, value in joblib_cfg.items())
    log.info(f"Joblib.Parallel({arguments}) is launching {len(job_overrides)} jobs")
    log.info(f"Launching jobs, sweep output dir : {sweep_dir}")
    for idx, overrides in enumerate(job_overrides):
        log.info(f"\t#{idx} : {' '.join(filter_overrides(overrides))}")
    shared = SharedJobContext(
        uuid.uuid4().hex,
        (launcher.hydra_context, launcher.config, launcher.task_function, Singleton.get_state()),
    )
    runs = Parallel(**joblib_cfg)(
        delayed(execute_job)(initial_job_idx + idx, overrides, shared)
        for idx, overrides in enumerate(job_overrides)
    )
    assert isinstance(runs, list)
    assert all(isinstance(run, JobReturn) for run in runs)
    return runs


def execute_job(idx: int, overrides: Sequence[str], shared: SharedJobContext) -> JobReturn:
    """Hydra's joblib job (`_core.execute_job`): this process's plugin registry kept, and the
    job run by `sim.local_jobs.run_job`."""
    from hydra.core.utils import setup_globals

    from sim.local_jobs import run_job

    hydra_context, config, task_function, singleton_state = shared.objects
    setup_globals()
    restore_singletons(singleton_state)
    sweep_config = hydra_context.config_loader.load_sweep_config(config, list(overrides))
    with open_dict(sweep_config):
        sweep_config.hydra.job.id = f"{sweep_config.hydra.job.name}_{idx}"
        sweep_config.hydra.job.num = idx
    return run_job(
        hydra_context=hydra_context,
        config=sweep_config,
        task_function=task_function,
        job_dir_key="hydra.sweep.dir",
        job_subdir_key="hydra.sweep.subdir",
    )


def restore_singletons(singleton_state: dict[str, Any]) -> None:
    """`Singleton.set_state(singleton_state)`, but with this process's plugin registry, if it
    has one, instead of a new one that would scan every installed Hydra plugin again (about
    30 ms of CPU a job): what Hydra itself does when it runs the jobs in its own process."""
    from hydra.core.plugins import Plugins
    from hydra.core.singleton import Singleton

    plugins = Singleton._instances.get(Plugins)
    if plugins is not None:
        singleton_state["instances"].setdefault(Plugins, plugins)
    Singleton.set_state(singleton_state)
