"""Temporary files of an atomic write killed half-way are removed when a sweep starts or resumes."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.results.files import remove_stale_tmp_files
from tests.robustness.limits import run_cli

QUICK = ["scenario=taozhu_2019", "run.replications=1", "run.horizon_days=0.2", "run.warmup_days=0"]


def _litter(sweep_dir: Path) -> list[Path]:
    job = sweep_dir / "old_job-0123456789"
    (job / ".hydra").mkdir(parents=True)
    stale = [job / ".incidents.parquet.k2j3h4.tmp", sweep_dir / ".sweep.csv.abc_12.tmp"]
    for path in stale:
        path.write_bytes(b"half a file")
    return stale


def test_stale_tmp_files_are_removed_and_nothing_else(tmp_path: Path) -> None:
    stale = _litter(tmp_path)
    kept = [tmp_path / "summary.csv", tmp_path / ".sweep.lock", tmp_path / "notes.tmp"]
    for path in kept:
        path.write_text("x")

    removed = remove_stale_tmp_files(tmp_path)

    assert sorted(removed) == sorted(stale)
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in kept)
    assert (tmp_path / "old_job-0123456789" / ".hydra").is_dir()


@pytest.mark.slow


def test_resuming_a_sweep_removes_the_tmp_files_a_killed_write_left(tmp_path: Path) -> None:
    sweep_dir = tmp_path / "sweep"
    stale = _litter(sweep_dir)

    result = run_cli(["run", "-m", *QUICK, "run.seed=1", f"hydra.sweep.dir={sweep_dir}"])

    assert result.returncode == 0, result.stderr[-2000:]
    assert not any(p.exists() for p in stale)
    assert not list(sweep_dir.rglob(".*.tmp"))
