"""A sweep folder has one sweep at a time: a second sweep into a locked folder says so and stops."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

from sim.sweep.sweeper import SWEEP_LOCK
from tests.robustness.limits import REPO, assert_clean_refusal, limit_memory, run_cli

QUICK = ["scenario=taozhu_2019", "run.replications=1", "run.horizon_days=0.2", "run.warmup_days=0"]


def test_a_sweep_into_a_locked_folder_is_refused_in_one_line_and_runs_nothing(
    tmp_path: Path,
) -> None:
    sweep_dir = tmp_path / "sweep"
    sweep_dir.mkdir()
    with FileLock(str(sweep_dir / SWEEP_LOCK)):
        result = run_cli(["run", "-m", *QUICK, "run.seed=1,2", f"hydra.sweep.dir={sweep_dir}"])
    assert_clean_refusal(result, "hydra.sweep.dir", "another sweep")
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in sweep_dir.iterdir()) == [SWEEP_LOCK]


def test_a_sweep_folder_that_cannot_be_made_is_a_config_error() -> None:
    result = run_cli(["run", "-m", *QUICK, "run.seed=1,2", "hydra.sweep.dir=/dev/null/x"])
    assert_clean_refusal(result, "hydra.sweep.dir", "/dev/null/x")


@pytest.mark.slow


def test_the_lock_is_released_when_the_sweep_ends(tmp_path: Path) -> None:
    sweep_dir = tmp_path / "sweep"
    result = run_cli(["run", "-m", *QUICK, "run.seed=1", f"hydra.sweep.dir={sweep_dir}"])
    assert result.returncode == 0, result.stderr[-2000:]
    FileLock(str(sweep_dir / SWEEP_LOCK)).acquire(timeout=0)


@pytest.mark.slow
def test_two_sweeps_started_together_into_one_folder_run_each_job_once(tmp_path: Path) -> None:
    sweep_dir = tmp_path / "sweep"
    command = [sys.executable, "-m", "sim", "run", "-m", *QUICK, f"hydra.sweep.dir={sweep_dir}"]
    grids = ["run.seed=1,2,3", "run.seed=3,4"]
    processes = []
    for grid in grids:
        processes.append(
            subprocess.Popen(
                [*command, grid],
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                preexec_fn=limit_memory(3 * 1024**3),
            )
        )
        time.sleep(0.5)
    outputs = [process.communicate(timeout=300) for process in processes]
    codes = sorted(p.returncode for p in processes)
    assert codes in ([0, 0], [0, 2]), outputs
    statuses = [json.loads(p.read_text()) for p in sweep_dir.glob("*/status.json")]
    override_sets = [tuple(s["overrides"]) for s in statuses]
    assert len(override_sets) == len(set(override_sets))  # no job ran twice
    assert all(s["status"] == "completed" for s in statuses)
    if codes == [0, 2]:
        refused = next(out for p, out in zip(processes, outputs, strict=True) if p.returncode)
        assert "another sweep" in refused[1] and "Traceback" not in refused[1]
