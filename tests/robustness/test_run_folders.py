"""Run folders: two runs never share one, and a folder that holds a run is never overwritten."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.robustness.limits import REPO, assert_clean_refusal, limit_memory, run_cli

QUICK = ["scenario=taozhu_2019", "run.replications=1", "run.horizon_days=0.2", "run.warmup_days=0"]


@pytest.mark.slow


def test_a_folder_that_already_holds_a_run_is_refused_and_left_untouched(tmp_path: Path) -> None:
    first = run_cli(["run", *QUICK, f"hydra.run.dir={tmp_path / 'out'}"], timeout_s=90)
    assert first.returncode == 0, first.stderr[-2000:]
    before = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}

    second = run_cli(["run", *QUICK, "run.seed=9", f"hydra.run.dir={tmp_path / 'out'}"])

    assert_clean_refusal(second, "hydra.run.dir", "already holds a run")
    after = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert after == before


def test_a_run_folder_that_cannot_be_made_is_a_config_error(tmp_path: Path) -> None:
    result = run_cli(["run", *QUICK, "hydra.run.dir=/dev/null/x"])
    assert_clean_refusal(result, "hydra.run.dir", "/dev/null/x")


def test_two_default_run_folders_claimed_in_the_same_second_differ(tmp_path: Path) -> None:
    from sim.sweep.folders import claim_run_dir

    template = "results/runs/${name}/${now:%Y-%m-%d_%H-%M-%S}"
    resolved = tmp_path / "results" / "runs" / "x" / "2026-01-01_00-00-00"
    first = claim_run_dir(resolved, template)
    second = claim_run_dir(resolved, template)
    assert first != second
    assert first.parent == second.parent == resolved.parent
    assert (first / ".hydra").is_dir() and (second / ".hydra").is_dir()


@pytest.mark.slow
def test_two_runs_started_together_write_two_folders_and_both_keep_their_tables(
    tmp_path: Path,
) -> None:
    command = [sys.executable, "-m", "sim", "run", *QUICK]
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    processes = [
        subprocess.Popen(
            [*command, f"run.seed={seed}"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=limit_memory(3 * 1024**3),
        )
        for seed in (1, 2)
    ]
    outputs = [process.communicate(timeout=180) for process in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    folders = sorted((tmp_path / "results" / "runs" / "taozhu_2019").iterdir())
    assert len(folders) == 2
    overrides = [(f / ".hydra" / "overrides.yaml").read_text() for f in folders]
    assert sorted(text.count("run.seed=1") for text in overrides) == [0, 1]
    assert all((f / "summary.csv").exists() and (f / "status.json").exists() for f in folders)


@pytest.mark.parametrize("flag", ["-m", "--multirun", "-r"])
@pytest.mark.slow
def test_a_flag_after_the_overrides_still_runs(flag: str, tmp_path: Path) -> None:
    where = "hydra.run.dir" if flag == "-r" else "hydra.sweep.dir"
    result = run_cli(["run", *QUICK, f"{where}={tmp_path / 'out'}", flag])
    assert result.returncode == 0, result.stderr[-2000:]
