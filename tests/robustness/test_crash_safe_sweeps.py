"""Crash-safe sweeps: a sweep killed with SIGKILL at random moments, then rerun, loses no
finished job, redoes none, takes no partial file as complete, and ends in the same table as
a sweep that was never interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.robustness.sweeps import (
    N_JOBS,
    REPO,
    RESULT_FILES,
    fingerprint,
    job_statuses,
    kpi_table,
    run_sweep,
    sweep_command,
)

N_KILLS = 3


def _completed(sweep_dir: Path) -> list[str]:
    return sorted(n for n, s in job_statuses(sweep_dir).items() if s["status"] == "completed")


def _start_and_kill(sweep_dir: Path, n_done_before_kill: int, delay_s: float) -> bool:
    """Start the sweep, wait until `n_done_before_kill` jobs are complete and `delay_s` more,
    then SIGKILL its whole process group. True if it was still running when killed."""
    process = subprocess.Popen(
        sweep_command(sweep_dir),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while len(_completed(sweep_dir)) < n_done_before_kill and process.poll() is None:
            assert time.monotonic() < deadline, "the sweep made no progress"
            time.sleep(0.05)
        time.sleep(delay_s)
        running = process.poll() is None
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    return running


def _check_complete_jobs_are_whole(sweep_dir: Path) -> None:
    """Every job with a `completed` marker has all its tables, and they parse."""
    for name in _completed(sweep_dir):
        job_dir = sweep_dir / name
        assert (job_dir / "summary.csv").is_file(), name
        for file in RESULT_FILES:
            path = job_dir / file
            table = pd.read_parquet(path) if file.endswith(".parquet") else pd.read_csv(path)
            assert len(table) > 0, path


@pytest.mark.slow
def test_a_sweep_killed_at_random_moments_resumes_to_the_uninterrupted_table(tmp_path):
    reference = run_sweep(tmp_path / "reference")
    assert reference.returncode == 0, reference.stderr
    rng = np.random.default_rng(20261129)
    crashed = tmp_path / "crashed"
    snapshots: dict[str, dict[str, tuple[int, int, str]]] = {}
    n_interrupted = 0
    # Kill 1: before any job is done; then after k of the jobs (seeded), plus a random delay.
    kill_after = [0, *sorted(rng.choice(np.arange(1, N_JOBS - 1), N_KILLS - 1, replace=False))]
    for n_done in kill_after:
        n_interrupted += _start_and_kill(crashed, int(n_done), float(rng.uniform(0.0, 0.3)))
        _check_complete_jobs_are_whole(crashed)
        for name in _completed(crashed):
            snapshots.setdefault(name, fingerprint(crashed / name))
    assert n_interrupted >= 1, "no kill landed while the sweep was running"
    assert 0 < len(snapshots) < N_JOBS, "the kills left no partly done sweep to resume"

    rerun = run_sweep(crashed)

    assert rerun.returncode == 0, rerun.stderr
    statuses = job_statuses(crashed)
    assert sorted(s["status"] for s in statuses.values()) == ["completed"] * N_JOBS
    override_sets = [tuple(s["overrides"]) for s in statuses.values()]
    assert len(set(override_sets)) == N_JOBS  # each job exactly once
    for name, before in snapshots.items():  # finished before a kill: never touched again
        assert fingerprint(crashed / name) == before, name
    assert f"{len(snapshots)} already completed (skipped)" in rerun.stderr + rerun.stdout
    pd.testing.assert_frame_equal(kpi_table(crashed), kpi_table(tmp_path / "reference"))
