"""Invariants of the joint-duty mechanisms on random small scenarios (Hypothesis)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config.checks import validate
from sim.model.replication import Model
from sim.model.streams import Streams
from tests.builders import tiny

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROSTERS = [
    {"pattern": "3x8", "counts": [1, 2, 1]},
    {"pattern": "2x12", "count": 2},
    {
        "pattern": "custom",
        "shifts": [
            {"start_hour": 6, "hours": 9, "count": 2},
            {"start_hour": 15, "hours": 15, "count": 1},
        ],
    },
]


JOINT_TEAMS = [
    {"police": 1, "mediator": 1},
    {"police": {"count": 1, "substitutes": ["mediator"]}},
    {"mediator": {"count": 1, "substitutes": ["police"]}, "police": 1},
]


@st.composite
def mechanism_jobs(draw, joint_teams: bool = False):
    data = tiny()
    data["roles"]["police"]["shift_change"] = draw(st.sampled_from(["finish", "handover"]))
    data["stations"]["a"]["staff"] = {"police": draw(st.sampled_from(ROSTERS)), "mediator": 1}
    data["stations"]["b"] = {
        "kind": "joint_duty",
        "x_km": 6.0,
        "y_km": 6.0,
        "staff": {"police": 1, "mediator": 1},
    }
    data["deterrence"] = {
        "joint_duty": {"radius_km": draw(st.floats(0.5, 5)), "factor": draw(st.floats(0, 1))}
    }
    theft = data["incident_types"]["theft"]
    theft["deterrable"] = True
    theft["handling"] = {"dist": "exponential", "mean_min": draw(st.floats(5, 90))}
    if joint_teams:
        theft["team"] = draw(st.sampled_from([theft["team"], *JOINT_TEAMS]))
    if draw(st.booleans()):
        theft["stages"] = [
            {
                "kind": "followup",
                "p": draw(st.floats(0, 1)),
                "sessions": draw(st.integers(1, 3)),
                "delay": {"dist": "exponential", "mean_min": 300.0},
                "team": {"mediator": 1},
                "handling": {"dist": "exponential", "mean_min": 30.0},
                "office_hours": {"start_hour": 8, "end_hour": 17},
            }
        ]
    theft["root_cause"] = {
        "roles": ["mediator"],
        "p_settled_with": draw(st.floats(0, 1)),
        "p_settled_without": draw(st.floats(0, 1)),
        "repeat_delay": {"dist": "exponential", "mean_min": 600.0},
        "max_repeats": draw(st.integers(0, 3)),
    }
    data["demand"]["per_day"] = draw(st.floats(5, 60))
    data["dispatch"] = {"policy": draw(st.sampled_from(["nearest", "borrow"]))}
    data["run"] = {"horizon_days": 3, "warmup_days": 0, "seed": draw(st.integers(0, 10))}
    return validate(data)


def run_model(job, replication=0):
    model = Model(
        job.scenario,
        Streams(job.run.seed, replication),
        warmup_min=0.0,
        horizon_min=job.run.horizon_days * 1440.0,
    )
    return model, model.run()


@SETTINGS
@given(mechanism_jobs())
def test_no_unit_works_outside_its_shift_unless_finishing_a_job(job):
    model, records = run_model(job)
    overtime_end = dict(zip(records.overtime["unit_id"], records.overtime["t_free"], strict=True))
    for row in records.busy.itertuples():
        shift = model.shift_of(row.unit_id)
        if shift is None:
            continue  # a plain count: on duty around the clock
        assert row.t_start >= shift.t_start_min - 1e-9
        assert row.t_start <= shift.t_end_min + 1e-9  # never sent out after its shift
        if row.t_end > shift.t_end_min + 1e-9:
            assert overtime_end.get(row.unit_id) == row.t_end


@SETTINGS
@given(mechanism_jobs())
def test_a_repeat_call_follows_its_original_after_it_ended_or_as_a_flare_up(job):
    _, records = run_model(job)
    table = records.incidents.set_index("incident_id")
    assert table["t_resolved"].notna().all()
    for incident_id, row in table[table["is_repeat"]].iterrows():
        earlier = table[
            (table["original_id"] == row.original_id) & (table["generation"] == row.generation - 1)
        ]
        assert len(earlier) == 1 and incident_id > earlier.index[0]
        assert row.t_arrival > earlier["t_arrival"].iloc[0]
        if row.t_arrival <= earlier["t_resolved"].iloc[0]:
            # A flare-up: the matter called again while it waited for a later session (a
            # referral, a follow-up) planned at its first call, which therefore has more than
            # one job (a flare-up's own call stays open until that session ends).
            first = table.loc[row.original_id]
            assert first["generation"] == 0 and first["n_jobs"] > 1
        assert (row.kind, row.x_km, row.y_km) == (
            earlier["kind"].iloc[0],
            earlier["x_km"].iloc[0],
            earlier["y_km"].iloc[0],
        )


@SETTINGS
@given(mechanism_jobs())
def test_deterrence_never_adds_incidents_and_changes_no_other_incident(job):
    without = dataclasses.replace(job, scenario=dataclasses.replace(job.scenario, deterrence={}))
    _, deterred = run_model(job)
    _, full = run_model(without)
    first = ["incident_id", "kind", "x_km", "y_km", "t_arrival"]
    kept = deterred.incidents[~deterred.incidents["is_repeat"]][first].set_index("incident_id")
    all_candidates = full.incidents[~full.incidents["is_repeat"]][first].set_index("incident_id")
    assert set(kept.index) <= set(all_candidates.index)
    shared = all_candidates.loc[kept.index]
    assert np.array_equal(shared.to_numpy(), kept.to_numpy())


@SETTINGS
@given(mechanism_jobs(joint_teams=True))
def test_passes_that_skip_jobs_the_freed_unit_cannot_serve_change_nothing(job):
    """When a unit comes free, the model offers only the waiting jobs that could use it: the
    others could not be fielded after the last pass, and units only leave the pool in
    between. Offering every waiting job at every chance, as a model without that shortcut
    does, must give the same tables."""
    _, skipping = run_model(job)
    model = Model(job.scenario, Streams(job.run.seed, 0), warmup_min=0.0, horizon_min=3 * 1440.0)
    every_role = frozenset(job.scenario.roles)
    for slots in [*model.type_slots, *(s for stages in model.stage_slots for s in stages)]:
        slots.usable = every_role  # no volunteers here: `usable` only decides what is offered
    offering_all = model.run()
    for table in ("incidents", "busy", "jobs"):
        pd.testing.assert_frame_equal(getattr(skipping, table), getattr(offering_all, table))
