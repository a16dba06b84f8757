"""Amdahl's bound of the sweep item: what 2 workers could reach given the serial part."""

from __future__ import annotations

import pytest

from bench.sweep import SweepRun


def test_the_bound_shares_out_all_but_the_time_before_the_first_job_and_after_the_last():
    run = SweepRun(1, wall_s=10.0, job_s=(4.0, 4.0), first_start_s=1.0, last_end_s=9.5)

    assert run.serial_s == pytest.approx(1.5)
    assert run.amdahl_bound(2) == pytest.approx(10.0 / (1.5 + 8.5 / 2))
    assert run.amdahl_bound(1) == pytest.approx(1.0)


def test_a_sweep_with_no_serial_part_is_bound_only_by_the_workers():
    run = SweepRun(1, wall_s=8.0, job_s=(4.0, 4.0), first_start_s=0.0, last_end_s=8.0)

    assert run.amdahl_bound(2) == pytest.approx(2.0)
