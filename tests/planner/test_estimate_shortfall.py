"""`estimate` as a planner reads it: work still running counts, a narrow table, and a closing
list of where and when the roster falls short, by how many units and at what weekly cost."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.planner.estimate import shortfall_lines, shortfalls, when_text
from sim.planner.staffing import (
    StaffingTarget,
    estimate,
    needed_units,
    station_estimate,
    units_for_running_work,
)
from sim.planner.workload import weekly_offered_load
from tests.planner.support import job_of, with_changes

REPO = Path(__file__).resolve().parents[2]
TARGET = StaffingTarget(wait_min=5.0, service_level=0.9)


def test_work_started_in_one_hour_is_offered_load_in_the_next_computed_by_hand():
    # Two jobs an hour arrive in hour 0 only, each busy 30 min on average (exponential).
    rate_per_min, busy_min = 1 / 30, 30.0
    jobs = np.zeros(168)
    jobs[0] = rate_per_min
    load = weekly_offered_load(jobs, busy_min)
    # m(t) = r s (1 - exp(-t/s)) in hour 0, then decays by exp(-(t-60)/s): hour averages
    # r s (1 - (s/60)(1 - e^-2)) and r s (1 - e^-2) (s/60)(1 - e^-2); r s = 1.
    assert load.mean[0] == pytest.approx(1 - 0.5 * (1 - math.exp(-2)), rel=1e-9)
    assert load.mean[1] == pytest.approx(0.5 * (1 - math.exp(-2)) ** 2, rel=1e-9)
    assert load.mean[1] > 0.37  # no new job in hour 1, yet more than a third of a unit busy


def test_an_hour_whose_load_is_running_work_alone_still_needs_the_units_that_carry_it():
    # Poisson(0.53): P(N <= 0) = 0.589, P(N <= 1) = 0.901 >= 0.9: one unit.
    assert units_for_running_work(0.53, 0.9) == 1
    assert needed_units(0.53, 120.0, False, TARGET) == 1  # not "need 0"
    assert units_for_running_work(0.05, 0.9) == 0  # P(N = 0) = 0.951: a tail needs nobody
    assert needed_units(0.53, 120.0, True, TARGET) >= 1


def test_the_estimate_counts_work_still_running_after_the_calls_stop():
    hour_of_day = [0.0] * 24
    hour_of_day[8] = 1.0  # calls only between 08:00 and 09:00
    data = with_changes(demand={"per_hour": 2.0, "hour_of_day": hour_of_day})
    data["incident_types"]["call"]["handling"] = {"dist": "exponential", "mean_min": 60.0}
    data["stations"]["station"]["staff"] = {"police": 3}
    table = estimate(job_of(data).scenario, TARGET)
    monday = table[(table["role"] == "police") & (table["day"] == 0)].set_index("hour")
    assert monday.loc[9, "jobs_per_hour"] == 0
    busy_min = monday.loc[8, "busy_min_per_job"]
    assert busy_min == pytest.approx(60.0)
    rate_per_min = monday.loc[8, "jobs_per_hour"] / 60
    decay = math.exp(-60 / busy_min)
    by_hand = rate_per_min * busy_min * (1 - decay) * (busy_min / 60) * (1 - decay)
    assert monday.loc[9, "offered_load"] == pytest.approx(by_hand, rel=1e-6)
    assert monday.loc[9, "needed"] >= 1


def test_hours_short_are_written_as_weekday_groups_with_clock_ranges_and_units():
    short = np.zeros(168, dtype=int)
    for day in range(7):
        short[day * 24 + 18 : day * 24 + 20] = 1
    for day in (5, 6):
        short[day * 24 + 9 : day * 24 + 17] = 2
    assert when_text(short) == "Mo-Fr 18-20 +1; Sa,Su 09-17 +2, 18-20 +1"
    assert when_text(np.ones(168, dtype=int)) == "daily 00-24 +1"


def test_a_day_roster_facing_calls_around_the_clock_is_short_at_night_at_its_hourly_cost():
    data = with_changes()
    data["stations"]["station"]["staff"] = {"police": {"pattern": "day", "count": 6}}
    scenario = job_of(data).scenario
    stations = station_estimate(scenario, TARGET)
    night = stations[(stations["hour_of_week"] % 24 < 8)]
    assert (night["short"] == night["needed"]).all() and (night["needed"] >= 4).all()
    (item,) = shortfalls(scenario, stations)
    assert (item.station, item.role) == ("station", "police")
    assert item.unit_hours_per_week == stations["short"].sum()
    assert item.cost_per_week == pytest.approx(item.unit_hours_per_week * 100.0)
    assert item.when.startswith("daily 00-")
    text = "\n".join(shortfall_lines(scenario, stations))
    assert "station.police: up to +" in text and "CNY/week" in text


@pytest.mark.parametrize(
    "extra", [[], ["--simulate", "run.replications=2", "run.horizon_days=2"]], ids=["", "simulate"]
)
@pytest.mark.slow
def test_estimate_on_the_default_scenario_is_narrow_and_ends_with_its_shortfall_summary(extra):
    result = subprocess.run(
        [sys.executable, "-m", "sim", "estimate", *extra],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) < 100
    assert "nan" not in result.stdout
    summary = result.stdout[result.stdout.index("Where the roster falls short") :]
    assert "future_city_joint_duty.mediator: up to +" in summary
    assert "unit-hours/week" in summary and "CNY/week" in summary
    assert "closing every gap:" in summary
