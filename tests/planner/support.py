"""Small hand-made scenarios for the planner outputs (no shipped scenario files needed)."""

from __future__ import annotations

import copy
from typing import Any

from sim.config.checks import validate
from sim.config.scenario import JobConfig

BASE: dict[str, Any] = {
    "name": "planner_tiny",
    "region": {"width_km": 1.0, "height_km": 1.0, "background_weight": 1.0},
    "roles": {"police": {"speed_kmh": 30.0, "cost_per_hour": 100.0}},
    "incident_types": {
        "call": {
            "share": 1.0,
            "priority": 1,
            "team": {"police": 1},
            "handling": {"dist": "exponential", "mean_min": 20.0},
        }
    },
    "demand": {"per_hour": 9.0},
    "stations": {"station": {"kind": "police_station", "x_km": 0.5, "y_km": 0.5, "staff": {}}},
    "travel": {"metric": "zero"},
    "dispatch": {"policy": "nearest"},
}


def mmc_job(servers: int = 4, replications: int = 5, horizon_days: float = 7.0) -> JobConfig:
    """M/M/c: Poisson calls (9 an hour), exponential handling (20 min), zero travel."""
    data = copy.deepcopy(BASE)
    data["stations"]["station"]["staff"] = {"police": servers}
    return job_of(data, replications, horizon_days)


def job_of(data: dict[str, Any], replications: int = 5, horizon_days: float = 7.0) -> JobConfig:
    run = {"replications": replications, "horizon_days": horizon_days, "warmup_days": 0.5}
    return validate({**copy.deepcopy(data), "run": run})


def with_changes(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(changes))
    return data
