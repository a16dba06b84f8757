"""The analytic staffing estimate: offered load over a week, Erlang C staffing, the command."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from sim.analysis import erlang
from sim.planner.simulated_load import busy_by_hour, simulate_figures
from sim.planner.staffing import StaffingTarget, estimate, response_p_wait, staff_needed
from sim.planner.workload import matter_branches, weekly_offered_load, work_streams
from sim.validation import theory
from tests.planner.support import job_of, mmc_job, with_changes

REPO = Path(__file__).resolve().parents[2]


def test_weekly_offered_load_equals_the_daily_theory_when_every_weekday_is_alike():
    rates = np.random.default_rng(7).uniform(0.0, 0.2, 24)
    load = weekly_offered_load(np.tile(rates, 7), 45.0)
    expected = [theory.mt_infinite_mean_busy(rates, 45.0, h * 60.0) for h in range(168)]
    np.testing.assert_allclose(load.at_start, expected, rtol=1e-10)


def test_hour_average_and_peak_of_the_offered_load_match_the_curve_inside_the_hour():
    rates = np.random.default_rng(8).uniform(0.0, 0.2, 24)
    load = weekly_offered_load(np.tile(rates, 7), 30.0)
    for hour in (0, 5, 13):
        curve = lambda t: theory.mt_infinite_mean_busy(rates, 30.0, t)  # noqa: E731
        average = integrate.quad(curve, hour * 60.0, hour * 60.0 + 60.0)[0] / 60.0
        assert load.mean[hour] == pytest.approx(average, rel=1e-8)
        samples = [curve(hour * 60.0 + u) for u in np.linspace(0, 60, 61)]
        assert load.peak[hour] == pytest.approx(max(samples), rel=1e-8)


def test_a_constant_rate_offers_rate_times_busy_time_in_every_hour():
    load = weekly_offered_load(np.full(168, 0.1), 20.0)
    np.testing.assert_allclose(load.mean, 2.0)
    np.testing.assert_allclose(load.peak, 2.0)


def test_staff_needed_is_the_fewest_units_that_meet_the_wait_target():
    target = StaffingTarget(wait_min=5.0, service_level=0.9)
    for load in (0.3, 2.0, 7.5, 31.0):
        n = staff_needed(load, 20.0, target)
        tail = erlang.mmc_wait_exceeds_probability(load / 20.0, 20.0, n, 5.0)
        assert tail <= 0.1
        if n - 1 > load:
            assert erlang.mmc_wait_exceeds_probability(load / 20.0, 20.0, n - 1, 5.0) > 0.1
        else:
            assert n == math.floor(load) + 1


def test_a_stricter_target_never_asks_for_fewer_units():
    loose, strict = StaffingTarget(10.0, 0.8), StaffingTarget(2.0, 0.95)
    for load in np.linspace(0.1, 20.0, 40):
        assert staff_needed(load, 30.0, strict) >= staff_needed(load, 30.0, loose)


def test_mmc_estimate_is_erlang_c_exactly():
    job = mmc_job(servers=4)
    table = estimate(job.scenario, StaffingTarget())
    police = table[table["role"] == "police"]
    np.testing.assert_allclose(police["offered_load"], 3.0)  # 9/h x 20 min
    np.testing.assert_allclose(police["rostered"], 4.0)
    expected = erlang.erlang_c_wait_probability(9 / 60, 20.0, 4)
    np.testing.assert_allclose(police["p_wait_rostered"], expected)
    assert response_p_wait(work_streams(job.scenario), table) == pytest.approx(expected)


def test_simulated_share_of_calls_that_wait_covers_the_erlang_c_value_on_mmc():
    job = mmc_job(servers=4, replications=8, horizon_days=5.0)
    figures = simulate_figures(job)
    _mean, low, high = figures.p_wait
    assert low <= erlang.erlang_c_wait_probability(9 / 60, 20.0, 4) <= high
    _u_mean, u_low, u_high = figures.utilisation("police")
    assert u_low <= 0.75 <= u_high


@pytest.mark.slow
def test_simulated_units_busy_by_hour_cover_the_time_varying_offered_load():
    """M_t/M/infinity: ample units, so units busy at t has mean m(t) (hour averages)."""
    weights = 1 + 0.8 * np.sin(2 * np.pi * (np.arange(24) + 0.5 - 9) / 24)
    data = with_changes(
        demand={"per_hour": 12.0, "hour_of_day": [float(w) for w in weights]},
        stations={
            "s": {"kind": "police_station", "x_km": 0.5, "y_km": 0.5, "staff": {"police": 60}}
        },
    )
    job = job_of(data, replications=8, horizon_days=4.0)
    analytic = estimate(job.scenario, StaffingTarget())
    figures = simulate_figures(job)
    simulated = figures.busy_by_hour
    expected = analytic[analytic["role"] == "police"].groupby("hour")["offered_load"].mean()
    # Bonferroni over the 24 hours: every hour's 1 - 0.05/24 interval must cover m(t).
    n = int(simulated["n"].iloc[0])
    widen = stats.t.ppf(1 - 0.025 / 24, n - 1) / stats.t.ppf(0.975, n - 1)
    for row in simulated[simulated["role"] == "police"].itertuples():
        half = (row.ci_high - row.mean) * widen
        assert abs(row.mean - expected[row.hour]) <= half, row


def test_busy_by_hour_counts_overlap_minutes_exactly():
    busy = pd.DataFrame(
        {
            "replication": [0, 0, 1],
            "role": ["police", "police", "police"],
            "t_start": [30.0, 1440.0 + 60.0, 90.0],
            "t_end": [90.0, 1440.0 + 120.0, 150.0],
        }
    )
    table = busy_by_hour(busy, ["police"], warmup_min=0.0, horizon_min=2880.0, replications=[0, 1])
    by_hour = table.set_index("hour")["mean"]
    # replication 0: hour 0 has 30 min over 2 days, hour 1 has 30 + 60 min over 2 days
    # replication 1: hour 1 has 30 min, hour 2 has 30 min, over 2 days
    assert by_hour[0] == pytest.approx((30 / 120 + 0) / 2)
    assert by_hour[1] == pytest.approx((90 / 120 + 30 / 120) / 2)
    assert by_hour[2] == pytest.approx((0 + 30 / 120) / 2)
    assert by_hour[5] == 0


def test_repeat_calls_and_their_stages_follow_the_original_matter():
    data = with_changes()
    data["roles"]["mediator"] = {"speed_kmh": 20.0}
    data["stations"]["station"]["staff"] = {"police": 3, "mediator": 1}
    data["incident_types"]["call"]["root_cause"] = {
        "roles": ["mediator"],
        "p_settled_with": 0.9,
        "p_settled_without": 0.5,
        "repeat_delay": {"dist": "fixed", "value_min": 600.0},
        "max_repeats": 2,
    }
    data["incident_types"]["call"]["stages"] = [
        {
            "kind": "followup",
            "p": 0.25,
            "team": {"mediator": 1},
            "handling": {"dist": "fixed", "value_min": 60.0},
            "delay": {"dist": "fixed", "value_min": 60.0},
        }
    ]
    kind = job_of(data).scenario.incident_types["call"]
    branches = {b.stages: b for b in matter_branches(kind)}
    assert branches[()].p == pytest.approx(0.75)
    assert branches[()].calls == pytest.approx(1 + 0.5 + 0.25)
    assert branches[(0,)].calls == pytest.approx(1 + 0.1 + 0.01)
    streams = {(s.role, s.source): s for s in work_streams(job_of(data).scenario)}
    per_day = lambda s: s.jobs_per_min.sum() * 60 / 7  # noqa: E731
    matters = 9.0 * 24
    assert per_day(streams["police", "call response"]) == pytest.approx(
        matters * (0.75 * 1.75 + 0.25 * 1.11)
    )
    assert per_day(streams["mediator", "call followup"]) == pytest.approx(matters * 0.25 * 1.11)


def test_a_substitute_takes_the_slot_in_the_hours_its_primary_role_is_off_duty():
    data = with_changes()
    data["roles"]["grid_worker"] = {"speed_kmh": 15.0}
    data["incident_types"]["call"]["team"] = {
        "grid_worker": {"count": 1, "substitutes": ["police"]}
    }
    data["stations"]["station"]["staff"] = {
        "police": 5,
        "grid_worker": {"pattern": "day", "count": 2},
    }
    table = estimate(job_of(data).scenario, StaffingTarget())
    jobs = table.pivot(index="hour_of_week", columns="role", values="jobs_per_hour")
    day_hours = [h for h in range(168) if 8 <= h % 24 < 18]
    night_hours = [h for h in range(168) if not 8 <= h % 24 < 18]
    np.testing.assert_allclose(jobs.loc[day_hours, "grid_worker"], 9.0)
    np.testing.assert_allclose(jobs.loc[day_hours, "police"], 0.0)
    np.testing.assert_allclose(jobs.loc[night_hours, "police"], 9.0)


def test_drive_time_is_part_of_the_busy_time_of_each_job():
    data = with_changes(travel={"metric": "manhattan"})
    data["stations"]["station"]["staff"] = {"police": 4}
    data["roles"]["police"]["turnout_min"] = 3.0
    (stream,) = work_streams(job_of(data).scenario)
    # uniform calls on the unit square, station in the middle: mean |dx| + |dy| = 0.5 km
    drive_min = 3.0 + 2 * 0.5 / 30.0 * 60.0
    assert stream.travel_min == pytest.approx(drive_min, rel=0.02)
    assert stream.busy_min == pytest.approx(20.0 + stream.travel_min)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=REPO, timeout=300
    )


@pytest.mark.slow
def test_estimate_command_prints_load_need_and_roster_for_each_role(tmp_path):
    result = run_cli("estimate", "scenario=taozhu_2019", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "police" in result.stdout and "need" in result.stdout and "roster" in result.stdout
    table = pd.read_csv(tmp_path / "estimate.csv")
    police = table[table["role"] == "police"]
    assert len(police) == 168
    assert police["rostered"].sum() / 7 == pytest.approx(144.0)  # 30 officers on 3x8: 144 h/day


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "key"),
    [
        (["--service-level", "1.5"], "--service-level"),
        (["--wait-min", "-1"], "--wait-min"),
        (["--nonsense"], "option"),
        (["scenario=no_such_scenario"], "scenario"),
        (["demand.per_day=-3"], "demand.per_day"),
    ],
)
def test_estimate_command_rejects_bad_input_with_one_line(args, key):
    result = run_cli("estimate", *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"jointduty: config error: {key}")
