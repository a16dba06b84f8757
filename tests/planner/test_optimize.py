"""The staffing optimiser: targets, levers, the CRN search and the command."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.analysis import erlang
from sim.config.schema import ConfigError
from sim.experiment.replications import run_replication
from sim.planner.optimize import optimise
from sim.planner.search import check_kpis, parse_target, split_targets
from sim.planner.staffing_levers import (
    apply,
    as_overrides,
    current_staffing,
    levers_of,
    staff_cost_per_day,
)
from sim.sweep.compose import compose_job
from tests.planner.support import mmc_job

REPO = Path(__file__).resolve().parents[2]


def options(**changes: object) -> argparse.Namespace:
    defaults = {
        "max_per_shift": None,
        "min_per_shift": 0,
        "max_evaluations": 20,
        "confirm_replications": 20,
        "strict": False,
        "wait_min": 5.0,
        "service_level": 0.9,
    }
    return argparse.Namespace(**{**defaults, **changes})


def test_targets_read_their_direction_from_the_kpi_or_an_explicit_sign():
    assert parse_target("target.response_min_p90_prio1=15").upper
    assert not parse_target("target.call_closed_same_day_share=0.6").upper
    assert not parse_target("target.area_future_city_call_closed_same_day_share=0.5").upper
    assert not parse_target("target.settled_same_day_share=0.5").upper
    assert not parse_target("target.settled_within_7d_share=0.9").upper
    assert parse_target("target.settle_min_p90=1440").upper
    joint = parse_target("target.joint_share=>=0.3")
    assert (joint.kpi, joint.bound, joint.upper) == ("joint_share", 0.3, False)
    targets, rest = split_targets(["scenario=mmc", "target.p_wait=0.2", "--strict"])
    assert [t.kpi for t in targets] == ["p_wait"] and rest == ["scenario=mmc", "--strict"]


@pytest.mark.parametrize(
    "arg", ["target.p_wait=soon", "target.=3", "target.p_wait=", "target.x=nan"]
)
def test_a_malformed_target_is_a_config_error(arg):
    with pytest.raises(ConfigError):
        parse_target(arg)


def test_an_unknown_kpi_is_named_with_the_kpis_allowed():
    with pytest.raises(ConfigError, match=r"unknown KPI; KPIs: .*p_wait"):
        check_kpis([parse_target("target.response_p90=3")], ["p_wait", "response_min_p90"])


def test_a_met_target_knows_the_mean_rule_from_the_strict_ci_rule():
    target = parse_target("target.response_min_p90=15")
    assert target.met(14.0, 13.0, 16.0) and not target.met(14.0, 13.0, 16.0, strict=True)
    assert target.shortfall(18.0) == pytest.approx(0.2) and target.shortfall(12.0) == 0


def test_overrides_of_a_staffing_reproduce_it_when_composed():
    scenario = compose_job(["scenario=future_city_2021"]).scenario
    levers = levers_of(scenario)
    staffing = tuple(range(1, len(levers) + 1))
    changed = apply(scenario, levers, staffing)
    recomposed = compose_job(["scenario=future_city_2021", *as_overrides(changed, levers)])
    assert current_staffing(recomposed.scenario, levers) == staffing
    assert current_staffing(scenario, levers) != staffing


def test_rostered_cost_per_day_is_the_simulated_staff_cost_without_overtime():
    job = mmc_job(servers=4, replications=1, horizon_days=2.0)
    assert staff_cost_per_day(job.scenario) == pytest.approx(4 * 24 * 100.0)
    _records, kpis = run_replication(job.scenario, job.run, 0)
    assert kpis["staff_cost"] == pytest.approx(staff_cost_per_day(job.scenario))


@pytest.mark.slow


def test_search_finds_the_fewest_servers_erlang_c_says_meet_the_wait_share():
    # Erlang C with a = 3: P(wait) is 0.51 with 4 servers, 0.24 with 5: the answer is 5.
    job = mmc_job(servers=8, replications=6, horizon_days=4.0)
    levers = levers_of(job.scenario)
    outcome = optimise(job, [parse_target("target.p_wait=0.35")], levers, options())
    assert outcome.result.best is not None
    assert outcome.result.best.staffing == (5,)
    _mean, low, high = outcome.confirmed.stats("p_wait")
    assert low <= erlang.erlang_c_wait_probability(9 / 60, 20.0, 5) <= high
    assert outcome.confirmed.cost_per_day == pytest.approx(5 * 24 * 100.0)
    assert not outcome.result.unattainable


def test_a_target_no_staffing_within_the_bounds_meets_is_reported_unattainable():
    job = mmc_job(servers=2, replications=3, horizon_days=2.0)
    levers = levers_of(job.scenario)
    # 3 units of offered load: 2 servers at most cannot keep the mean response at 5 min.
    targets = [parse_target("target.response_min_mean=5")]
    outcome = optimise(job, targets, levers, options(max_per_shift=2))
    assert [t.kpi for t in outcome.result.unattainable] == ["response_min_mean"]
    assert outcome.result.best is None


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=REPO, timeout=600
    )


@pytest.mark.slow
def test_optimize_command_reports_the_choice_its_cost_and_each_target(tmp_path):
    result = run_cli(
        "optimize",
        "scenario=taozhu_2019",
        "run.replications=3",
        "run.horizon_days=7",
        "target.response_min_p90_prio1=16",
        "target.response_min_mean=0.5",
        "--max-evaluations",
        "8",
        "--confirm-replications",
        "3",
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "UNATTAINABLE" in result.stdout and "response_min_mean" in result.stdout
    assert "no staffing within the bounds meets every target" in result.stdout
    assert "reproduce:" not in result.stdout
    assert "evaluation 1: baseline (current staffing)" in result.stderr  # progress
    record = json.loads((tmp_path / "optimization.json").read_text())
    assert record["unattainable"] == ["response_min_mean"]
    assert not record["meets_every_target"] and record["overrides"] == []
    assert (tmp_path / "evaluations.csv").is_file()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "key"),
    [
        ([], "target"),
        (["target.p_wait=often"], "target.p_wait"),
        (["target.no_such_kpi=3", "run.horizon_days=1"], "target.no_such_kpi"),
        (["target.p_wait=0.2", "--roles", "astronaut"], "--roles"),
        (["target.p_wait=0.2", "--max-evaluations", "0"], "--max-evaluations"),
        (["target.p_wait=0.2", "run.replications=auto"], "run.replications"),
        (["target.p_wait=0.2", "--min", "nowhere.police=1"], "--min"),
        (["target.p_wait=0.2", "--max", "taozhu_police_station.police=x"], "--max"),
    ],
)
def test_optimize_command_rejects_bad_input_with_one_line(args, key):
    result = run_cli("optimize", "scenario=taozhu_2019", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"jointduty: config error: {key}")


@pytest.mark.slow
def test_optuna_path_runs_its_trials_through_the_hydra_sweeper_and_reports_the_cheapest(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_optuna_sweeper", reason="optuna extra not installed")
    result = run_cli(
        "optimize",
        "scenario=taozhu_2019",
        "run.replications=2",
        "run.horizon_days=3",
        "target.response_min_p90=25",
        "--optuna",
        "6",
        "--max-per-shift",
        "7",
        "--min-per-shift",
        "1",
        "--confirm-replications",
        "2",
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "evaluation 1: baseline (current staffing)" in result.stderr  # the baseline first
    trials = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert trials == [str(i) for i in range(6)]  # one Hydra job per trial
    best = yaml.safe_load((tmp_path / "optimization_results.yaml").read_text())
    record = json.loads((tmp_path / "optimization.json").read_text())
    chosen = [lever["chosen"] for lever in record["levers"]]
    evaluations = pd.read_csv(tmp_path / "evaluations.csv")
    feasible = evaluations[evaluations["meets_all"]]
    assert record["cost_per_day"]["chosen"] == pytest.approx(feasible["cost_per_day"].min())
    assert record["cost_per_day"]["chosen"] <= best["best_value"]  # Optuna's best trial, or cheaper
    assert all(1 <= c <= 7 for c in chosen)
    assert "reproduce: jointduty run" in result.stdout
