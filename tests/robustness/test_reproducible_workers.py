"""Reproducible with workers: the same sweep run in one process (Hydra's basic launcher) and
with 2 joblib workers writes byte-identical tables for every job, and the in-process API
writes the same bytes as the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.api import load_job, run_job
from sim.results.tables import write_results
from tests.robustness.sweeps import N_JOBS, job_statuses, run_sweep

COMPARED = ("incidents.parquet", "busy.parquet", "replications.csv", "summary.csv")


def _jobs_by_overrides(sweep_dir: Path) -> dict[tuple[str, ...], Path]:
    statuses = job_statuses(sweep_dir)
    assert sorted(s["status"] for s in statuses.values()) == ["completed"] * N_JOBS
    return {tuple(s["overrides"]): sweep_dir / name for name, s in statuses.items()}


@pytest.mark.slow
def test_one_process_and_two_workers_give_byte_identical_tables(tmp_path):
    serial = run_sweep(tmp_path / "serial")
    parallel = run_sweep(tmp_path / "parallel", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2")
    assert serial.returncode == 0, serial.stderr
    assert parallel.returncode == 0, parallel.stderr
    serial_jobs = _jobs_by_overrides(tmp_path / "serial")
    parallel_jobs = _jobs_by_overrides(tmp_path / "parallel")
    assert serial_jobs.keys() == parallel_jobs.keys()
    for overrides, serial_dir in serial_jobs.items():
        assert serial_dir.name == parallel_jobs[overrides].name
        for table in COMPARED:
            serial_bytes = (serial_dir / table).read_bytes()
            assert serial_bytes == (parallel_jobs[overrides] / table).read_bytes(), (
                serial_dir.name,
                table,
            )
    # The in-process API, given one job's overrides, writes the same bytes.
    overrides, serial_dir = sorted(serial_jobs.items())[0]
    assert json.loads((serial_dir / "status.json").read_text())["status"] == "completed"
    job = load_job(overrides=list(overrides))
    write_results(run_job(job), job, tmp_path / "api")
    for table in COMPARED:
        assert (tmp_path / "api" / table).read_bytes() == (serial_dir / table).read_bytes(), table
