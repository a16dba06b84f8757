"""Fuzzed scenario configs: every one is either accepted and runs, or refused with one clear error.

A rich valid scenario (rosters, volunteers, later stages, root causes, deterrence) is mutated
at random: a value anywhere replaced by a wrong type, a negative, NaN, infinity, a huge or an
empty value; a key deleted or misspelt; and targeted mistakes (empty teams, unknown roles, no
staff for a needed role, overlapping or gappy shifts, probabilities outside [0, 1]). The
validator must answer each with a `ConfigError` that names a key, the value and what is
allowed, or accept it, and then the model must run it without an exception.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config.checks import validate
from sim.config.schema import ConfigError
from sim.model.replication import Model
from sim.model.streams import Streams
from tests.builders import tiny

BAD_VALUES: list[Any] = [-1, 0, -0.5, 1e300, math.nan, math.inf, "x", None, [], {}, True, 2, 1.5]
HOURS_RUN = 6.0


def rich_scenario() -> dict[str, Any]:
    data = tiny()
    data["roles"]["volunteer"] = {
        "speed_kmh": 15.0,
        "is_volunteer": True,
        "p_accept": 0.7,
        "callout_delay": {"dist": "lognormal", "median_min": 8.0, "p90_min": 20.0},
    }
    data["roles"]["police"]["shift_change"] = "handover"
    data["stations"]["a"]["staff"] = {
        "police": {"pattern": "3x8", "counts": [1, 2, 2]},
        "mediator": {"pattern": "day", "count": 1},
        "volunteer": {
            "pattern": "custom",
            "cover_24h": False,
            "shifts": [{"start_hour": 18, "hours": 4, "count": 2}],
        },
        "grid_worker": 1,
    }
    data["stations"]["b"] = {"kind": "joint_duty", "x_km": 6, "y_km": 6, "staff": {"police": 1}}
    data["deterrence"] = {"joint_duty": {"radius_km": 1.5, "factor": 0.6}}
    data["joint_categories"] = {"mediation": ["mediator"]}
    data["areas"] = {"centre": {"x_km": 5, "y_km": 5, "radius_km": 2}}
    data["incident_types"]["dispute"] = {
        "share": 0.5,
        "priority": 1,
        "deterrable": True,
        "team": {"police": {"count": 1, "substitutes": ["volunteer"]}},
        "handling": {"dist": "exponential", "mean_min": 40.0},
        "stages": [
            {
                "kind": "followup",
                "p": 0.5,
                "sessions": 2,
                "delay": {"dist": "fixed", "value_min": 60.0},
                "office_hours": {"start_hour": 8, "end_hour": 17, "days": [0, 1, 2, 3, 4]},
                "team": {"mediator": 1, "grid_worker": {"count": 1, "substitutes": ["volunteer"]}},
                "handling": {"dist": "empirical", "values_min": [20.0, 30.0, 60.0]},
            }
        ],
        "root_cause": {
            "roles": ["mediator"],
            "p_settled_with": 0.9,
            "p_settled_without": 0.5,
            "repeat_delay": {"dist": "exponential", "mean_min": 300.0},
            "max_repeats": 2,
        },
    }
    data["dispatch"] = {"policy": "borrow"}
    data["run"] = {"horizon_days": HOURS_RUN / 24, "warmup_days": 0, "seed": 3, "replications": 1}
    return data


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path into the nested config (mappings and lists)."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, child in node.items():
            found += paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += paths(child, (*prefix, index))
    return found


def parent_of(data: Any, path: tuple) -> tuple[Any, Any]:
    node = data
    for step in path[:-1]:
        node = node[step]
    return node, path[-1]


def replace_value(data, path, value):
    parent, last = parent_of(data, path)
    parent[last] = copy.deepcopy(value)


def delete_key(data, path, _value):
    parent, last = parent_of(data, path)
    if isinstance(parent, dict):
        del parent[last]
    else:
        parent.pop(last)


def misspell_key(data, path, _value):
    parent, last = parent_of(data, path)
    if isinstance(parent, dict):
        parent[f"{last}x"] = parent.pop(last)


TARGETED = {
    "empty team": lambda d: d["incident_types"]["theft"].update(team={}),
    "unknown role": lambda d: d["incident_types"]["theft"]["team"].update(chef=1),
    "no staff for a needed role": lambda d: d["stations"]["a"]["staff"].update(mediator=0),
    "overlapping shifts": lambda d: d["stations"]["a"]["staff"].update(
        police={
            "shifts": [
                {"start_hour": 0, "hours": 13, "count": 1},
                {"start_hour": 12, "hours": 12, "count": 1},
            ]
        }
    ),
    "gappy shifts": lambda d: d["stations"]["a"]["staff"].update(
        police={
            "shifts": [
                {"start_hour": 0, "hours": 10, "count": 1},
                {"start_hour": 12, "hours": 12, "count": 1},
            ]
        }
    ),
    "probability above one": lambda d: d["incident_types"]["dispute"]["root_cause"].update(
        p_settled_with=1.2
    ),
    "negative probability": lambda d: d["incident_types"]["dispute"]["stages"][0].update(p=-0.1),
    "office closed all week": lambda d: d["incident_types"]["dispute"]["stages"][0][
        "office_hours"
    ].update(days=[]),
    "no stations": lambda d: d.update(stations={}),
    "NaN rate": lambda d: d["demand"].update(per_day=math.nan),
    "huge roster count": lambda d: d["stations"]["a"]["staff"].update(
        police={"pattern": "3x8", "counts": [1, 10**12, 1]}
    ),
}


def apply_targeted(data: dict[str, Any], name: str) -> None:
    """A targeted mistake, unless an earlier mutation removed the place it goes."""
    try:
        TARGETED[name](data)
    except (KeyError, TypeError, AttributeError, IndexError):
        pass


@st.composite
def mutated_configs(draw):
    data = rich_scenario()
    n_mutations = draw(st.integers(0, 3))
    for _ in range(n_mutations):
        if draw(st.integers(0, 3)) == 0:
            apply_targeted(data, draw(st.sampled_from(sorted(TARGETED))))
            continue
        candidates = paths(data)
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        operation = draw(st.sampled_from([replace_value, replace_value, delete_key, misspell_key]))
        operation(data, path, draw(st.sampled_from(BAD_VALUES)))
    return data


def check_one(data: dict[str, Any]) -> str:
    """'invalid' after checking the error, or 'valid' after running the model."""
    try:
        job = validate(data)
    except ConfigError as error:
        text = str(error)
        assert error.key and error.allowed, text
        assert " = " in text and "\n" not in text, text
        return "invalid"
    model = Model(
        job.scenario, Streams(job.run.seed, 0), warmup_min=0.0, horizon_min=HOURS_RUN * 60
    )
    records = model.run()
    resolved = records.incidents["t_resolved"]
    assert (resolved.isna() | (resolved >= records.incidents["t_arrival"])).all()
    return "valid"


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated_configs())
def test_every_fuzzed_config_is_refused_clearly_or_runs(data):
    check_one(data)


def test_the_fuzzer_makes_both_valid_and_invalid_configs():
    rng = np.random.default_rng(11)
    outcomes = []
    for _ in range(120):
        data = rich_scenario()
        for _ in range(int(rng.integers(0, 3))):
            if rng.random() < 0.3:
                apply_targeted(data, sorted(TARGETED)[int(rng.integers(len(TARGETED)))])
            else:
                path = paths(data)[int(rng.integers(len(paths(data))))]
                replace_value(data, path, BAD_VALUES[int(rng.integers(len(BAD_VALUES)))])
        outcomes.append(check_one(data))
    assert 0.2 < outcomes.count("invalid") / len(outcomes) < 0.95


def test_each_targeted_mistake_is_refused_with_its_key():
    expected_keys = {
        "empty team": "incident_types.theft.team",
        "unknown role": "incident_types.theft.team.chef",
        "no staff for a needed role": "incident_types.dispute.stages.0.team",
        "overlapping shifts": "stations.a.staff.police",
        "gappy shifts": "stations.a.staff.police",
        "probability above one": "incident_types.dispute.root_cause.p_settled_with",
        "negative probability": "incident_types.dispute.stages.0.p",
        "office closed all week": "incident_types.dispute.stages.0.office_hours.days",
        "no stations": "stations",
        "NaN rate": "demand.per_day",
        "huge roster count": "stations.a.staff.police.counts.1",
    }
    for name, mutate in TARGETED.items():
        data = rich_scenario()
        mutate(data)
        try:
            validate(data)
        except ConfigError as error:
            assert error.key == expected_keys[name], (name, str(error))
        else:
            raise AssertionError(f"{name} was accepted")
