"""How configs are composed: the scenario source reads only what a composition selects."""

from __future__ import annotations

import os
from pathlib import Path

from hydra.core.config_store import ConfigStore
from hydra.core.object_type import ObjectType

import hydra_plugins.jointduty_sweeper.scenario_source as source
from sim.config.shipped import scenario_names
from sim.sweep.compose import compose_config, register_scenarios


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
