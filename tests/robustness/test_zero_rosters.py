"""Rosters whose shifts field nobody: a station with no one on duty must not hang the model."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from sim.config.rosters import iter_shift_instances, shift_instances
from sim.config.scenario import ALL_DAYS, RosterConfig, ShiftConfig
from tests.robustness.limits import deadline, run_cli

ZERO_ROSTERS = [
    RosterConfig(pattern="3x8", count=0),
    RosterConfig(pattern="2x12", counts=(0, 0)),
    RosterConfig(pattern="day", count=0),
    RosterConfig(
        pattern="custom", cover_24h=False, shifts=(ShiftConfig(18.0, 4.0, 0, ALL_DAYS),)
    ),
]


@pytest.mark.parametrize("roster", ZERO_ROSTERS, ids=lambda r: r.pattern)
def test_a_roster_of_count_zero_yields_no_shift_instead_of_looping(roster: RosterConfig) -> None:
    with deadline(5):
        assert list(itertools.islice(iter_shift_instances(roster), 3)) == []
        assert shift_instances(roster, 7 * 24 * 60.0) == []


def test_a_roster_with_one_staffed_shift_still_yields_only_that_shift() -> None:
    roster = RosterConfig(pattern="3x8", counts=(0, 2, 0))
    with deadline(5):
        shifts = shift_instances(roster, 2 * 24 * 60.0)
    assert [s.count for s in shifts] == [2, 2]
    assert [s.t_start_min for s in shifts] == [480.0, 1920.0]


@pytest.mark.slow


def test_a_run_with_a_lawyer_roster_of_count_zero_finishes(tmp_path: Path) -> None:
    result = run_cli(
        [
            "run",
            "scenario=future_city_2021",
            "stations.future_city_joint_duty.staff.lawyer.count=0",
            "run.replications=1",
            "run.horizon_days=1",
            f"hydra.run.dir={tmp_path}",
        ],
        timeout_s=90,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "summary.csv").exists()


@pytest.mark.slow
def test_optimize_from_its_analytic_start_on_the_default_scenario_finishes(
    tmp_path: Path,
) -> None:
    result = run_cli(
        [
            "optimize",
            "target.response_min_p90=20",
            "--max-evaluations",
            "2",
            "run.replications=2",
            "run.horizon_days=1",
            "--out",
            str(tmp_path / "opt"),
        ],
        cwd=tmp_path,
        timeout_s=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "opt" / "optimization.json").exists()
