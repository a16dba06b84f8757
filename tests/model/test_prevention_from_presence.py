"""Prevention comes from the agents' presence: none without staff, more with more staff.

A 4 x 4 km district is one presence cell. Disputes arrive at 40 a day and are answered by the
one officer; grid workers, never sent to calls, walk their blocks all day, and their walking
time settles brewing disputes before they become calls (`grid_visits`: p_max 0.6, half of it
at 2 visit-hours per km² per day). Every run sees the same candidate disputes and the same
uniforms (common random numbers), so the sweep over grid workers shows staffing, not noise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim.model.replication import Model
from sim.model.streams import Streams
from sim.sweep.compose import compose_job
from tests.builders import scenario_of, tiny

DAYS = 14


def _district(n_grid_workers: int) -> dict[str, Any]:
    data = tiny(region={"width_km": 4.0, "height_km": 4.0}, demand={"per_day": 40.0})
    data["incident_types"] = {
        "dispute": {
            "share": 1.0,
            "priority": 3,
            "team": {"police": 1},
            "handling": {"dist": "fixed", "value_min": 5.0},
        }
    }
    walk = {"kind": "grid_walk", "speed_kmh": 4.0, "stop_min": 15.0}
    data["roles"]["grid_worker"]["routine"] = walk
    data["stations"]["a"].update(x_km=2.0, y_km=2.0)
    data["stations"]["a"]["staff"] = {"police": 1, "grid_worker": n_grid_workers}
    data["prevention"] = {
        "areas": {"cell_km": 4.0},
        "effects": {
            "grid_visits": {
                "roles": ["grid_worker"],
                "states": ["grid_walk"],
                "incident_types": ["dispute"],
                "p_max": 0.6,
                "dose_half_h_per_km2_day": 2.0,
            }
        },
    }
    return data


def _run(n_grid_workers: int) -> tuple[int, int]:
    """(calls that happened, candidates prevented) over the horizon."""
    model = Model(
        scenario_of(_district(n_grid_workers)),
        Streams(5, 0),
        warmup_min=0.0,
        horizon_min=DAYS * 1440.0,
    )
    records = model.run()
    assert records.n_deterred == 0 and records.prevented is not None  # no static deterrence
    return len(records.incidents), len(records.prevented)


def test_without_grid_workers_presence_prevents_nothing():
    calls, prevented = _run(0)
    assert prevented == 0 and calls > 30 * DAYS


def test_more_grid_workers_prevent_more_disputes_with_diminishing_returns():
    counts = {n: _run(n) for n in (0, 1, 2, 4, 8)}
    calls = np.array([counts[n][0] for n in (0, 1, 2, 4, 8)])
    prevented = np.array([counts[n][1] for n in (0, 1, 2, 4, 8)])
    assert (calls + prevented == calls[0]).all()  # the same candidates in every run (CRN)
    assert (np.diff(calls) < 0).all(), calls  # each added worker prevents more
    per_added_worker = -np.diff(calls) / np.diff([0, 1, 2, 4, 8])
    assert (np.diff(per_added_worker) < 0).all(), per_added_worker  # ... and less each


def test_the_presence_ledger_holds_exactly_the_agents_counted_state_intervals():
    # future_city_2021 for three weeks: patrols, grid walks and posts, dispatches cutting walks
    # short, releases and dispatches in one instant, shift changes with handovers
    scenario = compose_job(["scenario=future_city_2021"]).scenario
    model = Model(scenario, Streams(3, 0), warmup_min=0.0, horizon_min=21 * 1440.0)
    states = model.run().states
    prevention = model.prevention
    assert prevention is not None and states is not None
    t1 = model.t_stop_min
    t0 = t1 - 7 * 1440.0  # the ledger forgets at most what is older than a window and a week
    ledger, state_names = prevention.ledger, states["state"].astype(str)
    for index, (name, effect) in enumerate(zip(prevention.names, prevention.effects, strict=True)):
        in_ledger_min = sum(
            ledger.staff_min(index, area, t0, t1) for area in range(ledger.areas.n_areas)
        )
        counted = states[states["role"].isin(effect.roles) & state_names.isin(effect.states)]
        overlap_min = (np.minimum(counted["t_end"], t1) - np.maximum(counted["t_start"], t0)).clip(
            0
        )
        assert in_ledger_min == pytest.approx(overlap_min.sum(), rel=1e-9), name
        assert in_ledger_min > 1000.0, name  # (and something to count)
