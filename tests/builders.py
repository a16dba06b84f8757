"""Shared builders for small hand-made scenarios."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from sim.config.checks import validate
from sim.config.scenario import ScenarioConfig
from sim.model.incidents import IncidentStream

TINY: dict[str, Any] = {
    "name": "tiny",
    "region": {"width_km": 10.0, "height_km": 10.0},
    "roles": {
        "police": {"speed_kmh": 30.0},
        "mediator": {"speed_kmh": 15.0},
        "grid_worker": {"speed_kmh": 15.0},
    },
    "incident_types": {
        "theft": {
            "share": 1.0,
            "priority": 2,
            "team": {"police": 1},
            "handling": {"dist": "fixed", "value_min": 30.0},
        }
    },
    "demand": {"per_day": 24.0},
    "stations": {"a": {"kind": "police_station", "x_km": 0.0, "y_km": 0.0, "staff": {"police": 1}}},
    "travel": {"metric": "euclidean", "detour_factor": 1.0},
}


def tiny(**changes: Any) -> dict[str, Any]:
    """A copy of the tiny scenario mapping with top-level keys replaced."""
    data = copy.deepcopy(TINY)
    data.update(copy.deepcopy(changes))
    return data


def scenario_of(data: dict[str, Any]) -> ScenarioConfig:
    return validate(data).scenario


def hand_made(
    t_arrival_min: list[float],
    xy_km: list[tuple[float, float]],
    handling_min: list[float],
    type_index: list[int] | None = None,
) -> IncidentStream:
    """An explicit incident stream for exact event-log tests."""
    n = len(t_arrival_min)
    return IncidentStream(
        t_arrival_min=np.array(t_arrival_min, dtype=float),
        type_index=np.array(type_index or [0] * n, dtype=np.int32),
        x_km=np.array([x for x, _ in xy_km], dtype=float),
        y_km=np.array([y for _, y in xy_km], dtype=float),
        handling_min=np.array(handling_min, dtype=float),
    )


def run_logged(data: dict[str, Any], incidents: IncidentStream, horizon_min: float = 1440.0):
    """Run a hand-made incident stream with an event log: (records, log, model)."""
    from sim.model.replication import Model
    from sim.model.streams import Streams

    log: list[tuple[float, str, int, str]] = []
    model = Model(
        scenario_of(data),
        Streams(1, 0),
        warmup_min=0.0,
        horizon_min=horizon_min,
        event_log=log,
        incidents=incidents,
    )
    return model.run(), log, model


@pytest.fixture
def tiny_data() -> dict[str, Any]:
    return tiny()
