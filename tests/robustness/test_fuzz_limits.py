"""Fuzz cases of the classes issue 21 found: each under a timeout (a hang fails) and a
memory limit (a runaway fails).

- zero and extreme counts in every roster form (a plain count, `3x8`, `2x12`, `day` by
  `count` and by `counts`, `custom` shifts);
- extreme speeds, rates, durations, detours and region sizes;
- config sources other than overrides: group files in `--config-dir`, primary configs
  named by `-cn`, with broken, hostile or explosive YAML;
- hostile strings in every text that reaches YAML (fit-demand) or Markdown/HTML (report).

Unwritable outputs, concurrent runs and concurrent sweeps have their own files
(`test_unwritable_outputs`, `test_run_folders`, `test_sweep_lock`).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.config.checks import validate
from sim.config.schema import ConfigError
from sim.demand.district_file import comment_text
from sim.model.replication import Model
from sim.model.streams import Streams
from sim.report.html import md_text
from tests.builders import tiny
from tests.robustness.limits import run_cli, run_isolated

HORIZON_MIN = 12 * 60.0
CASE_TIMEOUT_S = 60.0
CASE_MEMORY_BYTES = 2 * 1024**3
COUNTS: list[Any] = [0, 1, 7, 100_000, -1, 10**12, 2.5, None, "x"]
ROSTER_FORMS = {
    "plain": lambda n: n,
    "3x8_count": lambda n: {"pattern": "3x8", "count": n},
    "3x8_counts": lambda n: {"pattern": "3x8", "counts": [n, 0, n]},
    "2x12_count": lambda n: {"pattern": "2x12", "count": n},
    "2x12_counts": lambda n: {"pattern": "2x12", "counts": [0, n]},
    "day_count": lambda n: {"pattern": "day", "count": n},
    "custom": lambda n: {
        "pattern": "custom",
        "cover_24h": False,
        "shifts": [{"start_hour": 18, "hours": 4, "count": n, "days": [5, 6]}],
    },
}


def outcome(data: dict[str, Any]) -> tuple[str, object, object]:
    """("invalid", key, message) or ("valid", n_calls, largest response time), in a child."""
    try:
        job = validate(data)
    except ConfigError as error:
        return ("invalid", error.key, str(error))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # numpy overflow is a failure
        model = Model(job.scenario, Streams(1, 0), warmup_min=0.0, horizon_min=HORIZON_MIN)
        records = model.run()
    response = records.incidents["response_min"]
    largest = float(response.max()) if response.notna().any() else 0.0
    return ("valid", len(records.incidents), largest)


def check(data: dict[str, Any]) -> str:
    result = run_isolated(
        outcome, data, timeout_s=CASE_TIMEOUT_S, memory_bytes=CASE_MEMORY_BYTES
    )
    assert isinstance(result, tuple) and result[0] in ("invalid", "valid"), result
    kind, first, second = result
    if kind == "invalid":
        assert first and " = " in str(second) and "\n" not in str(second), second
    else:
        assert math.isfinite(float(second)) and float(second) < 1e7, result
    return str(kind)


@pytest.mark.parametrize("count", COUNTS, ids=repr)
@pytest.mark.parametrize("form", sorted(ROSTER_FORMS))
def test_every_roster_form_with_any_count_is_refused_or_runs_in_bounded_time(
    form: str, count: Any
) -> None:
    data = tiny(demand={"per_day": 6.0})
    data["stations"]["a"]["staff"]["grid_worker"] = ROSTER_FORMS[form](count)
    data["stations"]["a"]["staff"]["police"] = 2
    check(data)


@pytest.mark.parametrize("count", [0, 1, 100_000])
@pytest.mark.parametrize("form", sorted(ROSTER_FORMS))
def test_the_only_police_roster_at_zero_or_huge_is_refused_or_runs(form: str, count: int) -> None:
    data = tiny(demand={"per_day": 6.0})
    police = ROSTER_FORMS[form](count)
    if form == "custom":  # police must cover the day for the team check to pass at all
        police = {"pattern": "3x8", "counts": [count, 1, count]}
    data["stations"]["a"]["staff"]["police"] = police
    check(data)


EXTREMES: list[tuple[tuple[str, ...], Any]] = [
    *((("roles", "police", "speed_kmh"), v) for v in [1e-300, 1e-3, 0.5, 1e9, 1e10, 1e300]),
    *((("roles", "police", "turnout_min"), v) for v in [0.0, 1440.0, 1e300]),
    *((("demand", "per_day"), v) for v in [1e-9, 0.01, 300.0, 1e6, 1e7, math.inf]),
    *((("incident_types", "theft", "handling", "value_min"), v) for v in [0.0, 1e-9, 1e6, 1e300]),
    *((("travel", "detour_factor"), v) for v in [1.0, 10.0, 1e300]),
    *((("region", "width_km"), v) for v in [1e-9, 5000.0, 1e9]),
]


@pytest.mark.parametrize(("path", "value"), EXTREMES, ids=[f"{p[-1]}={v!r}" for p, v in EXTREMES])
def test_an_extreme_speed_rate_or_duration_is_refused_or_gives_finite_times(
    path: tuple[str, ...], value: Any
) -> None:
    data = tiny()
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    check(data)


def test_random_combinations_of_extremes_are_refused_or_give_finite_times() -> None:
    rng = np.random.default_rng(21)
    outcomes = []
    for _ in range(12):
        data = tiny()
        for index in rng.choice(len(EXTREMES), size=3, replace=False):
            path, value = EXTREMES[int(index)]
            node = data
            for step in path[:-1]:
                node = node[step]
            node[path[-1]] = value
        outcomes.append(check(data))
    assert "invalid" in outcomes


HOSTILE_YAML = {
    "alias_bomb": "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)},"
              f" *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9)),
    "deep_nesting": "policy: " + "[" * 5000 + "]" * 5000 + "\n",
    "long_key": "k" * 1_000_000 + ": 1\n",
    "nested_target": "policy: nearest\nx:\n  y:\n    - {_target_: os.system, command: id}\n",
    "interpolation_loop": "policy: ${a}\na: ${b}\nb: ${a}\n",
    "resolver": "policy: ${oc.env:HOME}\n",
    "not_a_mapping": "- nearest\n",
    "null_bytes": "policy: near\x00est\n",
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(HOSTILE_YAML))
def test_a_hostile_group_file_in_a_config_dir_ends_cleanly(name: str, tmp_path: Path) -> None:
    (tmp_path / "dispatch").mkdir()
    (tmp_path / "dispatch" / "odd.yaml").write_text(HOSTILE_YAML[name])
    result = run_cli(
        ["run", "--config-dir", str(tmp_path), "dispatch=odd", "scenario=taozhu_2019",
         "run.replications=1", "run.horizon_days=0.1", f"hydra.run.dir={tmp_path / 'o'}"],
        timeout_s=90,
        memory_bytes=CASE_MEMORY_BYTES,
    )  # fmt: skip
    said = result.stdout + result.stderr
    assert result.returncode in (0, 2), said[-2000:]
    assert "Traceback" not in said and "internal error" not in said, said[-2000:]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HOSTILE_YAML))
def test_a_hostile_scenario_file_in_a_config_dir_ends_cleanly(name: str, tmp_path: Path) -> None:
    (tmp_path / "scenario").mkdir()
    text = HOSTILE_YAML[name].replace("policy", "name")
    (tmp_path / "scenario" / "odd.yaml").write_text(text)
    result = run_cli(
        ["run", "--config-dir", str(tmp_path), "scenario=odd", "run.replications=1",
         "run.horizon_days=0.1", f"hydra.run.dir={tmp_path / 'o'}"],
        timeout_s=90,
        memory_bytes=CASE_MEMORY_BYTES,
    )  # fmt: skip
    said = result.stdout + result.stderr
    assert result.returncode in (0, 2), said[-2000:]
    assert "Traceback" not in said and "internal error" not in said, said[-2000:]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HOSTILE_YAML))
def test_a_hostile_primary_config_named_by_cn_ends_cleanly(name: str, tmp_path: Path) -> None:
    text = "defaults:\n  - config\n  - _self_\n" + HOSTILE_YAML[name].replace("policy", "extra")
    (tmp_path / "odd.yaml").write_text(text)
    result = run_cli(
        ["run", "--config-dir", str(tmp_path), "-cn", "odd", "scenario=taozhu_2019",
         "run.replications=1", "run.horizon_days=0.1", f"hydra.run.dir={tmp_path / 'o'}"],
        timeout_s=90,
        memory_bytes=CASE_MEMORY_BYTES,
    )  # fmt: skip
    said = result.stdout + result.stderr
    assert result.returncode in (0, 2), said[-2000:]
    assert "Traceback" not in said and "internal error" not in said, said[-2000:]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_no_text_can_break_out_of_a_yaml_comment(text: str) -> None:
    document = f"a: 1  # {comment_text(text)}\nb: 2\n"
    assert yaml.safe_load(document) == {"a": 1, "b": 2}


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_no_text_becomes_markup_in_markdown(text: str) -> None:
    written = md_text(text)
    assert "<" not in written and ">" not in written and "\n" not in written
    assert "](" not in written.replace("\\](", "")
    assert not written.lstrip().startswith(("#", ">", "-", "+", "*", "="))
