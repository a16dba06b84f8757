"""How configs are composed: the scenario source reads only what a composition selects, and
a sweep's points that differ only in plain values are derived from one composition."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hydra.core.config_store import ConfigStore
from hydra.core.object_type import ObjectType

import hydra_plugins.jointduty_sweeper.scenario_source as source
from sim.composition import (
    Composer,
    compose_config,
    register_scenarios,
    scenario_names,
    value_changes,
)
from sim.config import validate
from sim.schema import ConfigError


def _record_reads(monkeypatch) -> list[Path]:
    register_scenarios()  # Hydra's plugin scan runs the module again: patch after it
    read: list[Path] = []
    parse = source._parse

    def recording(file: str, *version: int):
        read.append(Path(file))
        return parse(file, *version)

    monkeypatch.setattr(source, "_parse", recording)
    return read


def test_a_composition_reads_only_the_scenario_it_selects_and_its_shared_pieces(monkeypatch):
    read = _record_reads(monkeypatch)

    compose_config(["scenario=taozhu_2019"])

    folders = sorted({p.parent.name for p in read})
    assert folders == ["calibration", "districts", "taozhu_2019"]
    assert "zhejiang_712" not in folders
    assert "scenario" not in ConfigStore.instance().repo  # nothing Hydra deep-copies per call


def test_the_scenario_group_lists_every_shipped_scenario_without_reading_them(monkeypatch):
    read = _record_reads(monkeypatch)
    scenarios = source.ScenarioSource("test", source.SEARCH_PATH)

    listed = scenarios.list("scenario", ObjectType.CONFIG)

    assert listed == scenario_names() and read == []
    assert scenarios.list("district", ObjectType.CONFIG) == ["zhuji_taozhu"]
    assert scenarios.list("", ObjectType.GROUP) == ["calibration", "district", "scenario"]


def test_a_path_like_name_is_no_config_of_the_source():
    scenarios = source.ScenarioSource("test", source.SEARCH_PATH)

    for name in ["scenario/../districts/zhuji_taozhu", "scenario/..", "scenario/.hidden", "x/y"]:
        assert not scenarios.is_config(name)
    assert scenarios.is_config("scenario/mmc") and scenarios.is_config("district/zhuji_taozhu")


def test_a_scenario_file_changed_on_disk_is_read_again(tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    file = folder / "scenario.yaml"
    file.write_text("name: mine\nvalue: 1\n")
    scenarios = source.ScenarioSource("test", source.SEARCH_PATH)
    monkeypatch.setattr(scenarios, "root", tmp_path)

    first = scenarios.load_config("scenario/mine").config
    first.value = 99  # Hydra changes what it is given: the cached copy must not change
    again = scenarios.load_config("scenario/mine").config
    file.write_text("name: mine\nvalue: 2\n")
    os.utime(file, ns=(0, file.stat().st_mtime_ns + 10**9))
    changed = scenarios.load_config("scenario/mine").config

    assert (again.value, changed.value) == (1, 2)


@pytest.mark.parametrize(
    ("base", "overrides", "expected"),
    [
        (
            ["run.seed=1", "run.replications=2"],
            ["run.seed=7", "run.replications=2"],
            ["run.seed=7"],
        ),
        (["demand.per_day=10"], ["demand.per_day=12.5"], ["demand.per_day=12.5"]),
        (["run.warmup_days=1"], ["run.warmup_days=auto"], ["run.warmup_days=auto"]),
        (["hydra.sweep.subdir='a=1'"], ["hydra.sweep.subdir='a=2'"], ["hydra.sweep.subdir='a=2'"]),
        (["run.seed=1"], ["run.seed=1"], []),
    ],
)
def test_sets_that_differ_only_in_plain_values_are_related_by_those_values(
    base, overrides, expected
):
    changes = value_changes(base, overrides, groups={"scenario", "dispatch"})

    assert [c.input_line for c in changes] == expected


@pytest.mark.parametrize(
    ("base", "overrides"),
    [
        (["scenario=mmc"], ["scenario=taozhu_2019"]),  # a config group
        (["run.seed=1", "run.replications=2"], ["run.replications=2", "run.seed=1"]),  # order
        (["run.seed=1"], ["run.seed=1", "run.replications=2"]),  # other keys
        (["+run.extra=1"], ["+run.extra=2"]),  # appends
        (["~run.extra=1"], ["~run.extra=2"]),
        (["++run.extra=1"], ["++run.extra=2"]),
        (["placement.staff={police: 1}"], ["placement.staff={police: 2}"]),  # merged, not set
        (["run.precision_metrics=[a]"], ["run.precision_metrics=[b]"]),
        (  # overlapping keys
            ["placement.staff.police=1", "placement.staff=x"],
            ["placement.staff.police=2", "placement.staff=x"],
        ),
        (["calibration@future_city_2021=a"], ["calibration@future_city_2021=b"]),
        (["run.seed=1"], ["run.seed=1,2"]),  # a sweep, not a value
    ],
)
def test_anything_but_a_plain_value_needs_a_full_composition(base, overrides):
    assert (
        value_changes(base, overrides, groups={"scenario", "calibration@future_city_2021"}) is None
    )


def test_a_composer_composes_a_seed_sweep_once_and_derives_the_same_configs():
    composer = Composer(["hydra/launcher=joblib"])
    points = [
        ["scenario=future_city_2021", f"run.seed={seed}", "run.horizon_days=3.5"]
        for seed in range(1, 6)
    ]
    points.append(["scenario=future_city_2021", "run.seed=1", "run.horizon_days=7"])

    derived = [composer.compose_config(point) for point in points]

    assert composer.n_composed == 1
    assert derived == [compose_config(point) for point in points]
    assert [d["run"]["seed"] for d in derived] == [1, 2, 3, 4, 5, 1]  # type: ignore[index]


def test_a_composer_composes_each_scenario_of_a_sweep_in_full():
    composer = Composer()
    points = [
        [f"scenario={name}", f"run.seed={seed}"]
        for name in ("mmc", "taozhu_2019")
        for seed in (1, 2)
    ]

    derived = [composer.compose_config(point) for point in points]

    assert composer.n_composed == 2
    assert derived == [compose_config(point) for point in points]


def test_a_derived_value_that_does_not_validate_fails_as_a_full_composition_would():
    composer = Composer()
    composer.compose_config(["run.replications=2"])

    bad = composer.compose_config(["run.replications=-1"])
    with pytest.raises(ConfigError, match=r"run\.replications = -1: must be >= 1"):
        validate(bad)
    assert bad == compose_config(["run.replications=-1"])
