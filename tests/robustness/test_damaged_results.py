"""Damaged results: `collect` and `report` detect truncated or corrupted result files and say
which, instead of aggregating them or crashing; resume runs a damaged job again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.api import load_job, run_job
from sim.cli import main as cli
from sim.results.jobstatus import COMPLETED, completed_override_sets, write_status
from sim.results.tables import write_results

TINY = ["run.replications=2", "run.horizon_days=0.5", "run.warmup_days=0"]


@pytest.fixture(scope="module")
def pristine_sweep(tmp_path_factory) -> Path:
    """A sweep folder of two completed jobs, written as `run_task` writes them."""
    sweep_dir = tmp_path_factory.mktemp("pristine")
    for seed in (1, 2):
        overrides = ["scenario=taozhu_2019", *TINY, f"run.seed={seed}"]
        job = load_job(overrides=overrides)
        job_dir = sweep_dir / f"run.seed={seed}"
        write_results(run_job(job), job, job_dir)
        write_status(job_dir, COMPLETED, overrides, started="", duration_s=0.0)
    return sweep_dir


@pytest.fixture
def sweep(pristine_sweep, tmp_path) -> Path:
    return Path(shutil.copytree(pristine_sweep, tmp_path / "sweep"))


def _truncate(path: Path, keep: float = 0.6) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _forget_checksums(job_dir: Path) -> None:
    """As a marker written before checksums existed: only the file contents can tell."""
    status = json.loads((job_dir / "status.json").read_text())
    del status["files"]
    (job_dir / "status.json").write_text(json.dumps(status))


def _collect(sweep_dir: Path, capsys) -> tuple[int, pd.DataFrame, str]:
    status = cli.main(["collect", str(sweep_dir)])
    return status, pd.read_csv(sweep_dir / "sweep.csv"), capsys.readouterr().err


@pytest.mark.parametrize(
    "file, damage",
    [
        ("summary.csv", _truncate),
        ("incidents.parquet", _truncate),
        ("replications.csv", lambda p: p.write_bytes(p.read_bytes().replace(b"0", b"9", 1))),
        ("busy.parquet", Path.unlink),
    ],
)
def test_collect_marks_a_job_with_a_damaged_file_and_names_the_file(file, damage, sweep, capsys):
    damage(sweep / "run.seed=1" / file)

    status, table, err = _collect(sweep, capsys)

    assert status == 1  # the table is written, and a script learns that it is not whole
    jobs = table.drop_duplicates("job").set_index("job")
    assert jobs.loc["run.seed=1", "status"] == "damaged"
    assert jobs.loc["run.seed=1", "error"].startswith(f"{file}: ")
    assert jobs.loc["run.seed=2", "status"] == "completed"
    assert table[table["job"] == "run.seed=1"]["metric"].isna().all()  # no KPIs taken from it
    assert err.count("\n") == 1
    assert err.startswith(f"jointduty: damaged job run.seed=1: {file}: ")


@pytest.mark.parametrize("keep", [0.3, 0.97])
def test_collect_finds_a_truncated_summary_without_checksums(keep, sweep, capsys):
    _forget_checksums(sweep / "run.seed=1")
    _truncate(sweep / "run.seed=1" / "summary.csv", keep)

    status, table, err = _collect(sweep, capsys)

    assert status == 1
    jobs = table.drop_duplicates("job").set_index("job")
    assert jobs.loc["run.seed=1", "status"] == "damaged"
    assert "summary.csv" in jobs.loc["run.seed=1", "error"] and "summary.csv" in err


def test_an_intact_sweep_collects_every_kpi(sweep, capsys):
    status, table, err = _collect(sweep, capsys)

    assert status == 0 and err == ""
    assert set(table["status"]) == {"completed"} and table["metric"].notna().all()


def test_resume_runs_a_job_with_damaged_files_again(sweep):
    _truncate(sweep / "run.seed=1" / "incidents.parquet")

    done = completed_override_sets(sweep)

    assert [path.name for path in done.values()] == ["run.seed=2"]


def _report(path: Path, tmp_path: Path, capsys) -> tuple[int, str]:
    status = cli.main(["report", str(path), "--out", str(tmp_path / "report")])
    return status, capsys.readouterr().err


@pytest.mark.parametrize(
    "file, checksums, problem",
    [
        ("summary.csv", True, "truncated or changed since the job completed"),
        ("summary.csv", False, "truncated"),
        ("incidents.parquet", True, "truncated or changed since the job completed"),
        ("incidents.parquet", False, "unreadable Parquet"),
    ],
)
def test_report_refuses_a_damaged_run_in_one_line_naming_the_file(
    file, checksums, problem, sweep, tmp_path, capsys
):
    job_dir = sweep / "run.seed=1"
    if not checksums:
        _forget_checksums(job_dir)
    _truncate(job_dir / file)

    status, err = _report(job_dir, tmp_path, capsys)

    assert status == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"jointduty: config error: {job_dir / file}: damaged result file: ")
    assert problem in err
    assert not (tmp_path / "report").exists()


def test_report_refuses_a_sweep_with_a_damaged_job(sweep, tmp_path, capsys):
    assert cli.main(["collect", str(sweep)]) == 0  # the table still says completed
    _truncate(sweep / "run.seed=2" / "busy.parquet")

    status, err = _report(sweep, tmp_path, capsys)

    assert status == 2 and str(sweep / "run.seed=2" / "busy.parquet") in err


def test_report_refuses_a_corrupted_sweep_table(sweep, tmp_path, capsys):
    assert cli.main(["collect", str(sweep)]) == 0
    (sweep / "sweep.parquet").write_bytes(b"PAR1 not really parquet")

    status, err = _report(sweep, tmp_path, capsys)

    assert status == 2 and f"{sweep / 'sweep.parquet'}: damaged result file: unreadable" in err
