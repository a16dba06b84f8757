"""Invariants of the model on random small scenarios (Hypothesis)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config.checks import validate
from sim.experiment.replications import run_replication
from tests.builders import tiny

ROLES = ("police", "mediator", "grid_worker")


@st.composite
def scenarios(draw):
    data = tiny()
    n_stations = draw(st.integers(1, 3))
    data["stations"] = {}
    for index in range(n_stations):
        staff = {role: draw(st.integers(0, 2)) for role in ROLES}
        staff["police"] = max(staff["police"], 1)
        data["stations"][f"s{index}"] = {
            "kind": "joint_duty",
            "x_km": draw(st.floats(0, 10)),
            "y_km": draw(st.floats(0, 10)),
            "staff": staff,
        }
    data["dispatch"] = {"policy": draw(st.sampled_from(["nearest", "borrow"]))}
    team = {"police": 1}
    if draw(st.booleans()):
        team["mediator"] = {"count": 1, "substitutes": ["grid_worker"]}
    data["incident_types"]["joint"] = {
        "share": draw(st.floats(0.1, 1.0)),
        "priority": draw(st.integers(1, 3)),
        "team": team,
        "handling": {"dist": "exponential", "mean_min": draw(st.floats(5, 120))},
    }
    data["demand"]["per_day"] = draw(st.floats(5, 80))
    data["run"] = {"horizon_days": 2, "warmup_days": draw(st.sampled_from([0, 0.5])), "seed": 1}
    try:
        return validate(data)
    except ValueError:
        # A random team no station can field is a config error, tested elsewhere: add staff.
        for station in data["stations"].values():
            station["staff"]["mediator"] = 1
        return validate(data)


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios(), st.integers(0, 3))
def test_timestamps_are_ordered_and_waits_are_never_negative(job, replication):
    records, _ = run_replication(job.scenario, job.run, replication)
    table = records.incidents
    stamps = ["t_arrival", "t_dispatch", "t_first_on_scene", "t_team_on_scene", "t_resolved"]
    for earlier, later in itertools.pairwise(stamps):
        assert (table[later] >= table[earlier]).all()
    for duration in ("wait_min", "travel_min", "assembly_min", "handling_min"):
        assert (table[duration] >= 0).all()


@SETTINGS
@given(scenarios())
def test_every_arrival_is_resolved_and_utilisation_is_a_share(job):
    records, kpis = run_replication(job.scenario, job.run, 0)
    assert records.incidents["t_resolved"].notna().all()
    for name, value in kpis.items():
        if name.startswith("utilisation_") and not np.isnan(value):
            assert 0.0 <= value <= 1.0 + 1e-12


@SETTINGS
@given(scenarios())
def test_no_unit_is_ever_busy_twice_at_once(job):
    records, _ = run_replication(job.scenario, job.run, 0)
    for _, intervals in records.busy.sort_values("t_start").groupby("unit_id"):
        assert (intervals["t_start"].to_numpy()[1:] >= intervals["t_end"].to_numpy()[:-1]).all()


@SETTINGS
@given(scenarios())
@pytest.mark.slow
def test_the_same_seed_gives_identical_tables(job):
    first, first_kpis = run_replication(job.scenario, job.run, 1)
    second, second_kpis = run_replication(job.scenario, job.run, 1)
    pd.testing.assert_frame_equal(first.incidents, second.incidents)
    pd.testing.assert_frame_equal(first.busy, second.busy)
    assert first_kpis == second_kpis or all(
        a == b or (np.isnan(a) and np.isnan(b))
        for a, b in zip(first_kpis.values(), second_kpis.values(), strict=True)
    )


@SETTINGS
@given(scenarios(), st.integers(1, 4))
@pytest.mark.slow
def test_staffing_changes_do_not_change_the_incident_stream(job, extra_police):
    richer = dict(job.scenario.stations)
    first_name, first = next(iter(richer.items()))
    staff = {**first.staff, "police": first.staff.get("police", 0) + extra_police}
    richer[first_name] = type(first)(kind=first.kind, x_km=first.x_km, y_km=first.y_km, staff=staff)
    variant = type(job.scenario)(**{**job.scenario.__dict__, "stations": richer})
    base, _ = run_replication(job.scenario, job.run, 2)
    more, _ = run_replication(variant, job.run, 2)
    same = ["incident_id", "kind", "priority", "x_km", "y_km", "t_arrival", "handling_min"]
    pd.testing.assert_frame_equal(base.incidents[same], more.incidents[same])
