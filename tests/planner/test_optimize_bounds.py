"""The optimiser as a planner reads it: labelled levers, the baseline first, per-lever bounds,
a plain verdict when targets are missed, and `reproduce:` only for a confirmed staffing."""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.config.schema import ConfigError
from sim.planner.optimize import lever_bounds, optimise
from sim.planner.optimize_report import format_result
from sim.planner.search import Evaluation, closest, parse_target
from sim.planner.staffing_levers import analytic_start, current_staffing, levers_of
from sim.sweep.compose import compose_job
from tests.planner.support import mmc_job

REPO = Path(__file__).resolve().parents[2]
# A staffing as a bare vector, e.g. [3, 4, 4, 0, 2, 5] (three counts or more; a CI has two).
UNLABELLED_VECTOR = re.compile(r"[\[(]\d+(, \d+){2,}[\])]")


def options(**changes: object) -> argparse.Namespace:
    defaults = {
        "max_per_shift": None,
        "min_per_shift": 0,
        "min": None,
        "max": None,
        "max_evaluations": 12,
        "confirm_replications": 4,
        "strict": False,
        "wait_min": 5.0,
        "service_level": 0.9,
    }
    return argparse.Namespace(**{**defaults, **changes})


@pytest.fixture(scope="module")
def future_city():
    return compose_job(["scenario=future_city_2021"]).scenario


def test_every_lever_is_labelled_station_role_with_the_shift_where_the_roster_has_several(
    future_city,
):
    labels = [lever.label for lever in levers_of(future_city)]
    assert "taozhu_police_station.police[08-16]" in labels
    assert "future_city_joint_duty.police[20-08]" in labels
    assert "future_city_joint_duty.grid_worker" in labels  # a one-shift roster: no [shift]
    assert "future_city_joint_duty.volunteer[Sa,Su 09-17]" in labels
    assert all(re.fullmatch(r"[a-z0-9_]+\.[a-z_]+(\[[^\]]+\])?", label) for label in labels)
    assert len(set(labels)) == len(labels)


def test_by_default_every_police_station_keeps_one_officer_in_every_shift(future_city):
    levers = levers_of(future_city)
    zero_need = pd.DataFrame(
        [
            {"hour_of_week": h, "role": role, "needed": 0}
            for h in range(168)
            for role in future_city.roles
        ]
    )
    start = analytic_start(future_city, levers, zero_need)
    now = current_staffing(future_city, levers)
    lower, _upper = lever_bounds(future_city, levers, now, start, options())
    for lever, s, lo in zip(levers, start, lower, strict=True):
        at_police_station = lever.station == "taozhu_police_station" and lever.role == "police"
        assert lo == (1 if at_police_station else 0), lever.label
        assert s == lo, lever.label  # the analytic start never proposes 0 officers there


def test_min_and_max_options_bound_one_shift_or_every_shift_of_a_station_role(future_city):
    levers = levers_of(future_city)
    now = current_staffing(future_city, levers)
    chosen = options(
        min=["taozhu_police_station.police=2"], max=["taozhu_police_station.police[08-16]=6"]
    )
    lower, upper = lever_bounds(future_city, levers, now, now, chosen)
    bounds = {lv.label: (lo, hi) for lv, lo, hi in zip(levers, lower, upper, strict=True)}
    assert bounds["taozhu_police_station.police[00-08]"][0] == 2
    assert bounds["taozhu_police_station.police[08-16]"] == (2, 6)
    assert bounds["future_city_joint_duty.police[08-20]"][0] == 0


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"min": ["nowhere.police=1"]}, "--min"),
        ({"max": ["taozhu_police_station.police=-1"]}, "--max"),
        ({"min": ["taozhu_police_station.police"]}, "--min"),
        ({"max": ["taozhu_police_station.police=0"]}, "bounds of taozhu_police_station.police"),
    ],
)
def test_a_bad_lever_bound_is_a_config_error_naming_the_option(future_city, changes, key):
    levers = levers_of(future_city)
    now = current_staffing(future_city, levers)
    with pytest.raises(ConfigError) as error:
        lever_bounds(future_city, levers, now, now, options(**changes))
    assert error.value.key.startswith(key)


def test_the_current_staffing_is_evaluated_first_and_shown_as_the_baseline(capsys):
    job = mmc_job(servers=7, replications=3, horizon_days=2.0)
    levers = levers_of(job.scenario)
    targets = [parse_target("target.p_wait=0.35")]
    outcome = optimise(job, targets, levers, options())
    assert outcome.evaluations[0].staffing == (7,)
    progress = capsys.readouterr().err
    first = next(line for line in progress.splitlines() if line.startswith("evaluation "))
    assert first.startswith("evaluation 1: baseline (current staffing)")
    text = format_result(job, levers, targets, outcome)
    assert "baseline" in text and "station.police" in text
    assert not UNLABELLED_VECTOR.search(text) and not UNLABELLED_VECTOR.search(progress)


def test_no_evaluation_puts_a_lever_below_its_minimum():
    job = mmc_job(servers=8, replications=3, horizon_days=2.0)
    levers = levers_of(job.scenario)
    # Erlang C asks for 5 servers for this target; the minimum of 6 must hold anyway.
    targets = [parse_target("target.p_wait=0.35")]
    outcome = optimise(job, targets, levers, options(min=["station.police=6"]))
    assert outcome.lower == (6,)
    assert all(e.staffing[0] >= 6 for e in outcome.evaluations)
    assert outcome.result.best is not None and outcome.result.best.staffing == (6,)


def test_when_no_staffing_meets_the_targets_it_says_so_shows_the_closest_and_no_reproduce():
    job = mmc_job(servers=2, replications=3, horizon_days=2.0)
    levers = levers_of(job.scenario)
    # 3 units of offered load: 2 servers at most can never keep the mean response at 5 min.
    targets = [parse_target("target.response_min_mean=5")]
    outcome = optimise(job, targets, levers, options(max_per_shift=2))
    text = format_result(job, levers, targets, outcome)
    assert "no staffing within the bounds meets every target" in text
    assert outcome.closest is not None and "closest" in text
    assert outcome.closest.staffing == (2,)  # more servers always respond sooner here
    assert "reproduce:" not in text


def test_a_choice_that_misses_on_fresh_replications_gets_no_reproduce_line():
    job = mmc_job(servers=6, replications=3, horizon_days=2.0)
    levers = levers_of(job.scenario)
    targets = [parse_target("target.p_wait=0.35")]
    outcome = optimise(job, targets, levers, options())
    assert "reproduce: jointduty run" in format_result(job, levers, targets, outcome)
    # The same outcome, but the confirmation replications miss the target.
    missed = dataclasses.replace(outcome.confirmed, staffing=outcome.confirmed.staffing)
    summary = missed.summary.copy()
    summary.loc[summary["metric"] == "p_wait", ["mean", "ci_low", "ci_high"]] = [0.6, 0.5, 0.7]
    outcome.confirmed = dataclasses.replace(missed, summary=summary)
    text = format_result(job, levers, targets, outcome)
    assert "reproduce:" not in text and "not confirmed" in text


def test_closest_is_the_least_summed_relative_shortfall():
    def evaluation(staffing: tuple[int, ...], mean: float, cost: float) -> Evaluation:
        summary = pd.DataFrame(
            [{"metric": "response_min_mean", "mean": mean, "ci_low": mean, "ci_high": mean}]
        )
        return Evaluation(staffing, cost, summary)

    target = parse_target("target.response_min_mean=10")
    found = closest(
        [evaluation((1,), 30.0, 1.0), evaluation((3,), 12.0, 3.0), evaluation((2,), 12.0, 2.0)],
        [target],
    )
    assert found is not None and found.staffing == (2,)  # 20 % short, the cheaper of two


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=REPO, timeout=900
    )


@pytest.mark.slow
def test_optimize_on_the_default_scenario_finishes_labelled_within_its_minimums(tmp_path):
    result = run_cli(
        "optimize",
        "run.replications=2",
        "run.horizon_days=3",
        "target.response_min_p90=20",
        "--max-evaluations",
        "5",
        "--confirm-replications",
        "2",
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "taozhu_police_station.police[08-16]" in result.stdout
    assert not UNLABELLED_VECTOR.search(result.stdout + result.stderr)
    evaluations = pd.read_csv(tmp_path / "evaluations.csv")
    assert bool(evaluations["baseline"].iloc[0])
    for shift in ("00-08", "08-16", "16-24"):
        assert (evaluations[f"taozhu_police_station.police[{shift}]"] >= 1).all()
    record = json.loads((tmp_path / "optimization.json").read_text())
    if not record["meets_every_target"]:
        assert "reproduce:" not in result.stdout
        assert "no staffing" in result.stdout or "not confirmed" in result.stdout


@pytest.mark.slow


def test_a_staffing_with_every_shift_of_a_roster_at_zero_is_simulated_not_hung():
    # The search proposes such staffings (no lawyer on duty, say); the model used to look for
    # the roster's next shift for ever. A subprocess, so that a regression fails, not hangs.
    code = """
from sim.experiment.replications import run_replication
from tests.planner.support import job_of, with_changes
stations = {
    "station": {"kind": "police_station", "x_km": 0.5, "y_km": 0.5, "staff": {"police": 3}},
    "room": {"kind": "police_room", "x_km": 0.2, "y_km": 0.2,
             "staff": {"police": {"pattern": "day", "count": 0}}},
}
job = job_of(with_changes(stations=stations), replications=1, horizon_days=1.0)
print(run_replication(job.scenario, job.run, 0)[1]["n_incidents"])
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert float(result.stdout.strip()) > 0


class _TwoWays:
    """A stand-in evaluator: a target met with 3 units of lever a or 5 of lever b, each unit
    costing 1 a day, so that the trim from (0, 5) ends in a local optimum dearer than (3, 0)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[int, ...], Evaluation] = {}
        self.levers: list[object] = []

    @property
    def n_evaluations(self) -> int:
        return len(self.cache)

    def price(self, staffing: tuple[int, ...]) -> float:
        return float(sum(staffing))

    def describe(self, staffing: tuple[int, ...]) -> str:
        return str(staffing)

    def __call__(self, staffing: tuple[int, ...]) -> Evaluation:
        a, b = staffing
        wait = 0.1 if a >= 3 or b >= 5 else 0.9
        row = {"metric": "p_wait", "mean": wait, "ci_low": wait, "ci_high": wait}
        found = Evaluation(staffing, self.price(staffing), pd.DataFrame([row]))
        return self.cache.setdefault(staffing, found)


def test_the_baseline_is_chosen_when_it_is_the_cheapest_staffing_that_meets_the_targets():
    from sim.planner.search import search

    evaluate = _TwoWays()
    evaluate((3, 0))  # the baseline, evaluated first
    targets = [parse_target("target.p_wait=0.35")]
    result = search(evaluate, targets, (0, 5), (0, 0), (5, 5), max_evaluations=30)  # type: ignore[arg-type]
    assert result.best is not None and result.best.staffing == (3, 0)
