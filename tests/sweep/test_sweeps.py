"""Sweeps: one tidy table, resume by override set, failures recorded, presets, launchers."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.config.checks import validate
from sim.config.shipped import shipped_dir
from sim.experiment.placement import place_stations
from sim.sweep.compose import compose_config, compose_node
from sim.sweep.points import PointDeriver, sweep_grid, validate_sweep_points
from sim.sweep.sources import config_source
from tests.cli.test_cli import jointduty

FAST = ["scenario=taozhu_2019", "run.replications=2", "run.horizon_days=1", "run.warmup_days=0.25"]
POLICE = "stations.taozhu_police_station.staff.police"


def sweep(sweep_dir: Path, *args: str, env: dict[str, str] | None = None):
    return jointduty("run", "-m", *FAST, *args, f"hydra.sweep.dir={sweep_dir}", env=env)


def job_dirs(sweep_dir: Path) -> list[Path]:
    return sorted(p for p in sweep_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


def snapshot(directory: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under `directory` with its modification time and bytes."""
    return {
        str(p.relative_to(directory)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def police_sweep(tmp_path_factory) -> Path:
    """One small sweep, run once for the tests that read it or work on a copy of it."""
    sweep_dir = tmp_path_factory.mktemp("police_sweep")
    result = sweep(sweep_dir, f"{POLICE}=4,5")
    assert result.returncode == 0, result.stderr
    return sweep_dir


def copy_of(sweep_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "sweep"
    shutil.copytree(sweep_dir, copy)
    return copy


@pytest.mark.slow


def test_a_sweep_ends_in_one_tidy_table_of_jobs_and_kpis_with_the_swept_keys(police_sweep):
    tmp_path = police_sweep
    table = pd.read_parquet(tmp_path / "sweep.parquet")
    as_csv = pd.read_csv(tmp_path / "sweep.csv")
    assert list(as_csv.columns) == list(table.columns)
    for column in ("job", "metric", "mean", "ci_low", "ci_high", "n", POLICE):
        assert as_csv[column].tolist() == pytest.approx(table[column].tolist(), nan_ok=True) or (
            as_csv[column].astype(str).tolist() == table[column].astype(str).tolist()
        )
    assert sorted(table[POLICE].unique()) == [4, 5]
    assert set(table["status"]) == {"completed"}
    kpis = pd.read_csv(job_dirs(tmp_path)[0] / "summary.csv")["metric"]
    assert len(table) == 2 * len(kpis)
    measured = table.dropna(subset=["ci_low"])
    assert (
        (measured["ci_low"] <= measured["mean"]) & (measured["mean"] <= measured["ci_high"])
    ).all()
    assert set(measured["n"]) == {2}


@pytest.mark.slow
def test_rerunning_a_sweep_skips_what_completed_and_a_grown_grid_runs_only_new_points(
    police_sweep, tmp_path
):
    tmp_path = copy_of(police_sweep, tmp_path)
    before = {job.name: snapshot(job) for job in job_dirs(tmp_path)}
    again = sweep(tmp_path, f"{POLICE}=4,5")
    assert again.returncode == 0, again.stderr
    assert "2 already completed (skipped), 0 to run" in again.stdout
    grown = sweep(tmp_path, f"{POLICE}=3,4,5")
    assert grown.returncode == 0, grown.stderr
    assert "2 already completed (skipped), 1 to run" in grown.stdout
    assert {job.name: snapshot(job) for job in job_dirs(tmp_path) if job.name in before} == before
    assert len(job_dirs(tmp_path)) == 3
    table = pd.read_csv(tmp_path / "sweep.csv")
    assert sorted(table[POLICE].unique()) == [3, 4, 5]


@pytest.mark.slow
def test_a_failing_job_is_recorded_in_its_directory_and_the_table_and_the_others_go_on(tmp_path):
    # replications=auto with an unknown precision KPI only fails once the job runs.
    args = ["run.replications=2,auto", "run.precision_metrics=[nope]", f"{POLICE}=4,5"]
    result = jointduty("run", "-m", *FAST[:1], *FAST[2:], *args, f"hydra.sweep.dir={tmp_path}")
    assert result.returncode == 1
    assert "2 of 4 sweep jobs did not complete" in result.stderr
    table = pd.read_csv(tmp_path / "sweep.csv").drop_duplicates("job")
    assert sorted(table["status"]) == ["completed", "completed", "failed", "failed"]
    failed = table[table["status"] == "failed"]
    assert (failed["run.replications"] == "auto").all()
    assert failed["error"].str.contains("unknown KPI").all()
    for job in failed["job"]:
        assert "unknown KPI" in (tmp_path / job / "error.log").read_text()
    retried = jointduty("run", "-m", *FAST[:1], *FAST[2:], *args, f"hydra.sweep.dir={tmp_path}")
    assert "2 already completed (skipped), 2 to run" in retried.stdout  # failed jobs run again
    assert "sweep: 4/4 jobs done (2 skipped, 2 failed)" in retried.stderr


def test_collect_rebuilds_the_table_and_marks_a_job_without_its_marker_incomplete(
    police_sweep, tmp_path
):
    tmp_path = copy_of(police_sweep, tmp_path)
    (tmp_path / "sweep.csv").unlink()
    (tmp_path / "sweep.parquet").unlink()
    died = job_dirs(tmp_path)[0]
    (died / "status.json").unlink()  # as if the job died before its completion marker
    result = jointduty("collect", str(tmp_path))
    assert result.returncode == 1, result.stderr  # a job is not complete: a script must notice
    assert "2 jobs: 1 completed, 1 incomplete" in result.stdout
    table = pd.read_parquet(tmp_path / "sweep.parquet")
    incomplete = table[table["status"] == "incomplete"]
    assert incomplete["job"].tolist() == [died.name] and incomplete["metric"].isna().all()
    assert incomplete[POLICE].notna().all()  # read back from .hydra/overrides.yaml


def test_collect_of_a_directory_that_does_not_exist_is_a_config_error(tmp_path):
    result = jointduty("collect", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "must be an existing directory" in result.stderr


@pytest.mark.parametrize(
    "preset", sorted(p.stem for p in (shipped_dir("conf") / "experiment").glob("*.yaml"))
)
@pytest.mark.slow
def test_every_experiment_preset_declares_a_sweep_whose_points_all_validate(preset):
    sets = sweep_grid([f"+experiment={preset}"])
    assert len(sets) > 2
    for overrides in sets:
        place_stations(validate(compose_config(overrides)))


@pytest.mark.parametrize(
    "args",
    [
        ["run.seed=1,2,3", "scenario=taozhu_2019,future_city_2021"],
        ["stations.future_city_joint_duty.staff.grid_worker.count=1,3", "run.horizon_days=2,5"],
        ["+experiment=staffing_sweep"],
    ],
)
@pytest.mark.slow
def test_a_derived_sweep_point_is_the_config_hydra_composes_for_it(args):
    first = compose_node(sweep_grid(args)[0], with_hydra=True)
    derive = PointDeriver(config_source([]), [], first)
    for overrides in sweep_grid(args):
        assert derive(overrides) == compose_config(overrides), overrides
    assert len(derive.bases) < len(sweep_grid(args))  # plain values were derived, not composed


def test_a_bad_value_in_a_preset_sweep_is_caught_before_the_sweep_starts(tmp_path):
    result = jointduty(
        "run",
        "-m",
        "+experiment=station_sweep",
        "placement.n_stations=0,2",
        f"hydra.sweep.dir={tmp_path}",
    )
    assert result.returncode == 2
    assert "placement.n_stations = 0: must be >= 1" in result.stderr
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


@pytest.mark.slow
def test_the_station_sweep_places_more_stations_per_job(tmp_path):
    result = jointduty(
        "run", "-m", "+experiment=station_sweep", *FAST[1:], "placement.n_stations=1,3",
        "dispatch=borrow", f"hydra.sweep.dir={tmp_path}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for job in job_dirs(tmp_path):
        n = int(re.search(r"n_stations=(\d)", job.name).group(1))
        stations = pd.read_parquet(job / "incidents.parquet")["station"].astype(str)
        assert {s for s in stations if s.startswith("placed_")} <= {
            f"placed_{i}" for i in range(1, n + 1)
        }
        assert f'"placed_{n}"' in (job / "job.json").read_text()


def _launcher_sweep(tmp_path: Path, *launcher: str):
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}  # never join a stray cluster
    env["RAY_USAGE_STATS_ENABLED"] = "0"
    result = sweep(tmp_path, *launcher, f"{POLICE}=4,5", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    table = pd.read_csv(tmp_path / "sweep.csv")
    assert sorted(table.drop_duplicates("job")[POLICE]) == [4, 5]
    assert set(table["status"]) == {"completed"}
    return table


@pytest.mark.slow


def test_a_sweep_runs_on_local_cores_through_the_joblib_launcher(tmp_path):
    _launcher_sweep(tmp_path, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2")


@pytest.mark.slow
@pytest.mark.ray
def test_a_sweep_runs_on_a_local_ray_instance_through_the_ray_launcher(tmp_path):
    _launcher_sweep(tmp_path, "hydra/launcher=ray_local", "hydra.launcher.ray.init.num_cpus=2")


@pytest.mark.slow
def test_a_sweep_runs_through_submitit_locally_as_on_slurm(tmp_path):
    _launcher_sweep(tmp_path, "hydra/launcher=submitit_local", "hydra.launcher.timeout_min=10")
    assert (tmp_path / ".submitit").is_dir()


@pytest.fixture
def ray_head(tmp_path_factory):
    """A Ray head node of our own, as on a cluster: its own port, token and working directory.

    Stopped by signalling its own process (never `ray stop`, which stops every Ray of the user).
    """
    ray = Path(sys.executable).with_name("ray")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", **auth}
    env.pop("RAY_ADDRESS", None)
    command = [str(ray), "start", "--head", "--block", f"--port={port}", "--num-cpus=2"]
    command += ["--include-dashboard=false", "--disable-usage-stats"]
    head = subprocess.Popen(
        command, cwd=tmp_path_factory.mktemp("ray_head_cwd"), env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        _wait_for_line(head, "Ray runtime started", timeout_s=180)
        yield f"127.0.0.1:{port}", auth
    finally:
        head.send_signal(signal.SIGTERM)
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            head.kill()


def _wait_for_line(process: subprocess.Popen, text: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    seen = []
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if text in line:
            return
    raise AssertionError("ray head did not start:\n" + "".join(seen[-30:]))


@pytest.mark.slow
@pytest.mark.ray
def test_a_sweep_joins_a_running_ray_cluster_with_the_cluster_preset(ray_head, tmp_path):
    address, auth = ray_head
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    env.update(auth, RAY_USAGE_STATS_ENABLED="0")
    result = jointduty(
        "run", "-m", *FAST, f"{POLICE}=4,5", "hydra/launcher=ray_cluster",
        f"hydra.launcher.ray.init.address={address}", "hydra.sweep.dir=sweep",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    # The workers run in the head node's directory: jobs still land in this sweep directory.
    table = pd.read_csv(tmp_path / "sweep" / "sweep.csv")
    assert set(table["status"]) == {"completed"} and table["job"].nunique() == 2


def test_the_points_check_reports_the_grid_size_as_soon_as_the_first_point_is_composed():
    seen = []

    validate_sweep_points(
        ["-m", "run.seed=1,2,3", "run.replications=1,2"],
        on_first=lambda first, n_jobs: seen.append((first.run.seed, n_jobs)),
    )

    assert seen == [(1, 6)]


def test_the_progress_line_reads_each_version_of_a_jobs_marker_once(tmp_path, monkeypatch):
    import json

    import sim.sweep.progress as progress
    from sim.results.jobstatus import job_dir_name, write_status

    jobs = [[f"run.seed={seed}"] for seed in range(1, 4)]
    plan = {"t_started": time.time() - 1, "n_jobs": 3, "n_skipped": 0, "jobs": jobs}
    (tmp_path / progress.SWEEP_FILE).write_text(json.dumps(plan))
    reads, read = [], progress.read_status
    monkeypatch.setattr(progress, "read_status", lambda d: reads.append(d) or read(d))

    def mark(job, status):
        (tmp_path / job_dir_name(job)).mkdir(exist_ok=True)
        write_status(tmp_path / job_dir_name(job), status, job, started="", duration_s=0.0)

    mark(jobs[0], "completed")
    mark(jobs[1], "failed")
    first = progress.progress_line(tmp_path)
    again = progress.progress_line(tmp_path)
    n_reads = len(reads)
    mark(jobs[1], "completed")  # a new version of the marker is read again
    changed = progress.progress_line(tmp_path)

    assert first.startswith("sweep: 2/3 jobs done (0 skipped, 1 failed)")
    assert again.startswith("sweep: 2/3 jobs done (0 skipped, 1 failed)")
    assert n_reads == 2
    assert changed.startswith("sweep: 2/3 jobs done (0 skipped, 0 failed)")
    assert len(reads) == 3
