"""Shared paths and helpers for the demand-from-logs tests."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml

from sim.config.checks import validate
from sim.config.scenario import ScenarioConfig
from sim.model.projection import Projection
from tests.real_data import REAL_DIR, real_file

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "data" / "mke_calls_sample.csv"
MKE = REAL_DIR / "mke_police_cfs_2018-05-01_2018-05-21.csv.gz"
LA = [
    REAL_DIR / "la311_2017-12-27_2017-12-31.csv.gz",
    REAL_DIR / "la311_2018-01-01_2018-01-04.csv.gz",
]


def need_real_data() -> None:
    """Fail the test, saying where the samples were looked for, unless they are all there."""
    for path in (MKE, *LA):
        real_file(path.name)


def scenario_from_district(path: Path, n_police: int = 2) -> tuple[ScenarioConfig, Projection]:
    """A fitted district plus one station at its centre with `n_police` officers and one of
    every other role the district declares (a base scenario's teams may need them), validated;
    and its projection.

    The `incidents` block (projection, source) is kept when the config schema knows it and
    set aside otherwise, so these tests work before and after it is wired into sim.config.scenario.
    """
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    incidents = data.get("incidents", {})
    if "incidents" not in {f.name for f in dataclasses.fields(ScenarioConfig)}:
        data.pop("incidents", None)
    region = data["region"]
    data["name"] = "fitted"
    data["stations"] = {
        "centre": {
            "kind": "police_station",
            "x_km": region["width_km"] / 2,
            "y_km": region["height_km"] / 2,
            "staff": {
                "police": n_police,
                **{role: 1 for role in data.get("roles") or {} if role != "police"},
            },
        }
    }
    return validate(data).scenario, Projection(**incidents["projection"])
