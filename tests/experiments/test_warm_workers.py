"""A joblib sweep's workers are started while `jointduty run` gets ready, and then reused."""

from __future__ import annotations

import os
import sys

from joblib import Parallel, delayed
from omegaconf import OmegaConf

from sim import warm_workers
from sim.composition import compose_node


def launcher_config(*overrides: str) -> dict:
    composed = compose_node(list(overrides), with_hydra=True)
    return OmegaConf.to_container(composed.hydra.launcher, resolve=True)  # type: ignore[return-value]


def pid_and_model_imported() -> tuple[int, bool]:
    return os.getpid(), "sim.experiment" in sys.modules


def test_only_a_joblib_launcher_with_several_workers_is_warmed():
    basic = launcher_config()  # Hydra's basic launcher runs jobs in its own process
    one_worker = launcher_config("hydra/launcher=joblib", "hydra.launcher.n_jobs=1")

    assert not warm_workers.start(basic, n_jobs=8)
    assert not warm_workers.start(one_worker, n_jobs=8)


def test_the_launcher_runs_its_jobs_on_the_warmed_workers_with_the_model_imported():
    launcher = launcher_config("hydra/launcher=joblib", "hydra.launcher.n_jobs=2")

    assert not warm_workers.start(launcher, n_jobs=1)  # one job left: one worker
    assert warm_workers.start(launcher, n_jobs=4)
    warm_workers.wait()
    # As Hydra's joblib launcher calls it: the same arguments find the same workers.
    ran = Parallel(**warm_workers.parallel_arguments(launcher))(
        delayed(pid_and_model_imported)() for _ in range(4)
    )

    assert len(warm_workers.warmed_pids) == 2
    assert {pid for pid, _ in ran} <= warm_workers.warmed_pids
    assert all(imported for _, imported in ran)


def test_an_early_start_leaves_a_sweep_directory_with_jobs_to_the_sweeper(tmp_path):
    # Resume has not counted the completed jobs yet: the sweeper starts the workers later.
    (tmp_path / "run.seed=1-abc").mkdir()
    (tmp_path / "run.seed=1-abc" / "status.json").write_text("{}")
    composed = compose_node(
        ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2", f"hydra.sweep.dir={tmp_path}"],
        with_hydra=True,
    )

    assert not warm_workers.start_for(composed, n_jobs=8, early=True)
    assert not warm_workers.start_for(compose_node([], with_hydra=True), n_jobs=8, early=True)
