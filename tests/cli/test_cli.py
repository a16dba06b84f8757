"""The `jointduty` command end to end, its config errors, and every shipped config."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.kpis import SUMMARY_COLUMNS
from sim.config.shipped import scenario_names, shipped_dir
from sim.results.tables import read_config
from sim.sweep.compose import compose_job

REPO = Path(__file__).resolve().parents[2]
FAST = ["run.replications=2", "run.horizon_days=2", "run.warmup_days=0.5"]


def jointduty(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env=env,
        timeout=300,
    )


@pytest.mark.parametrize("scenario", scenario_names())
@pytest.mark.parametrize("dispatch", [None, "nearest", "borrow"])
def test_every_shipped_scenario_composes_with_every_dispatch_option(scenario, dispatch):
    overrides = [f"scenario={scenario}"] + ([f"dispatch={dispatch}"] if dispatch else [])
    job = compose_job(overrides)
    assert job.scenario.name == scenario
    if dispatch:
        assert job.scenario.dispatch.policy == dispatch


def test_every_dispatch_config_file_is_a_known_policy():
    from sim.model.dispatch import POLICIES

    names = {p.stem for p in (shipped_dir("conf") / "dispatch").glob("*.yaml")}
    assert names == set(POLICIES)


def test_the_before_and_after_scenarios_share_their_district_and_so_their_incidents():
    before = compose_job(["scenario=taozhu_2019"]).scenario
    after = compose_job(["scenario=future_city_2021"]).scenario
    assert before.region == after.region and before.demand == after.demand
    assert list(before.incident_types) == list(after.incident_types)
    assert [t.handling for t in before.incident_types.values()] == [
        t.handling for t in after.incident_types.values()
    ]


@pytest.mark.slow


def test_run_prints_the_kpi_table_and_writes_the_results_contract(tmp_path):
    out = tmp_path / "run"
    result = jointduty("run", "scenario=taozhu_2019", *FAST, f"hydra.run.dir={out}")
    assert result.returncode == 0, result.stderr
    assert "call_close_min_p90" in result.stdout and "95% CI" in result.stdout
    incidents = pd.read_parquet(out / "incidents.parquet")
    assert set(incidents["replication"]) == {0, 1}
    replications = pd.read_csv(out / "replications.csv")
    assert len(replications) == 2
    for kpi in (
        "n_incidents",
        "response_min_mean",
        "response_min_p90",
        "call_close_min_mean",
        "call_close_min_median",
        "call_close_min_p90",
        "call_closed_same_day_share",
        "utilisation_police",
        "utilisation_mediator",
        "staff_cost",
    ):
        assert kpi in replications.columns
    summary = pd.read_csv(out / "summary.csv")
    assert tuple(summary.columns) == SUMMARY_COLUMNS
    assert set(summary["metric"]) == set(replications.columns) - {"replication"}
    assert (out / ".hydra" / "config.yaml").is_file()
    assert read_config(out / "incidents.parquet")["scenario"]["name"] == "taozhu_2019"
    assert json.loads((out / "job.json").read_text())["run"]["replications"] == 2
    # The table's n_incidents is the number of incident rows of each replication.
    counts = incidents.groupby("replication").size().tolist()
    assert replications["n_incidents"].tolist() == counts


@pytest.mark.slow
def test_the_same_seed_gives_byte_identical_tables_in_two_processes(tmp_path):
    for name in ("a", "b"):
        result = jointduty("run", *FAST, f"hydra.run.dir={tmp_path / name}")
        assert result.returncode == 0, result.stderr
    for table in ("incidents.parquet", "replications.csv", "summary.csv"):
        assert (tmp_path / "a" / table).read_bytes() == (tmp_path / "b" / table).read_bytes()


@pytest.mark.slow
def test_multirun_runs_one_job_per_value(tmp_path):
    result = jointduty(
        "run",
        "-m",
        "scenario=taozhu_2019,future_city_2021",
        *FAST,
        f"hydra.sweep.dir={tmp_path}",
    )
    assert result.returncode == 0, result.stderr
    # One directory per job, named by the swept override (so that resume can find it).
    jobs = sorted(p for p in tmp_path.iterdir() if p.is_dir())
    assert [p.name.rsplit("-", 1)[0] for p in jobs] == [
        "scenario=future_city_2021",
        "scenario=taozhu_2019",
    ]
    assert all((job / "summary.csv").is_file() for job in jobs)


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("scenario=nosuch", "scenario = 'nosuch': unknown option; allowed: future_city_2021"),
        ("foo=1", "foo = '1': unknown key"),
        ("demand.per_day=-3", "demand.per_day = -3.0: must be > 0"),
        ("run.replications=many", "run.replications = 'many': must be a whole number"),
        ("stations.taozhu_police_station.x_km=50", "must lie in the region, 0 to 10"),
        ("+incident_types.dispute.team.chef=1", "is not a declared role; declared: police"),
        ("dispatch=fastest", "dispatch = 'fastest': unknown option; allowed: borrow, nearest"),
    ],
)
def test_bad_input_gives_one_line_and_exit_status_2(override, expected, tmp_path):
    result = jointduty("run", override, f"hydra.run.dir={tmp_path}")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr


@pytest.mark.slow
def test_a_bad_value_in_one_sweep_point_is_caught_before_the_sweep_starts(tmp_path):
    result = jointduty("run", "-m", "run.replications=2,-1", f"hydra.sweep.dir={tmp_path}")
    assert result.returncode == 2
    assert "run.replications = -1: must be >= 1" in result.stderr
    assert not any(tmp_path.iterdir())


def test_an_unknown_command_is_a_one_line_error():
    result = jointduty("sail")
    assert result.returncode == 2 and "unknown command 'sail' (commands: run" in result.stderr


@pytest.mark.slow
def test_the_installed_wheel_finds_its_configs_from_another_directory(tmp_path):
    wheel_dir, target = tmp_path / "wheel", tmp_path / "site"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(wheel_dir),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(wheel_dir.glob("jointduty-*.whl"))
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = jointduty("run", "scenario=taozhu_2019", *FAST, cwd=elsewhere, env=env)
    assert result.returncode == 0, result.stderr
    assert "future_city_2021" in jointduty("scenarios", cwd=elsewhere, env=env).stdout
    probe = "from sim.config.shipped import shipped_dir; print(shipped_dir('scenarios'))"
    located = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=elsewhere, env=env
    )
    assert located.stdout.strip() == str(target / "sim" / "scenarios")
    assert list((elsewhere / "results" / "runs" / "taozhu_2019").glob("*/summary.csv"))
