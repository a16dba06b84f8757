"""Log types to scenario types: the most frequent types by name, a mapping file, drops."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.config.schema import ConfigError
from sim.demand.call_types import map_types, read_type_map, slug


def test_log_types_become_identifiers():
    assert slug("TRBL W/SUBJ") == "trbl_w_subj"
    assert slug("Metal/Household Appliances") == "metal_household_appliances"
    assert slug("911 HANGUP") == "t_911_hangup"
    assert slug("  ") == "unknown"
    assert all(slug(name).isidentifier() for name in ["A-B", "é", "1", "(blank)"])


def test_without_a_mapping_the_top_k_types_keep_their_names_and_the_rest_is_other():
    log = pd.Series(["THEFT"] * 5 + ["FIGHT"] * 3 + ["NOISE"] * 2 + ["FIRE", "LOST DOG"])
    mapping = map_types(log, None, top_k=2)
    assert list(mapping.scenario_type[:8].unique()) == ["theft", "fight"]
    assert set(mapping.scenario_type[8:]) == {"other"}
    assert list(mapping.table["n_rows"]) == [5, 3, 2, 1, 1]
    assert mapping.unmapped.empty


def test_a_log_type_called_other_joins_the_rest_and_drop_is_never_a_fitted_name():
    log = pd.Series(["Other"] * 4 + ["DROP"] * 3 + ["X"])
    mapping = map_types(log, None, top_k=2)
    assert dict(zip(mapping.table["log_type"], mapping.table["scenario_type"], strict=True)) == {
        "Other": "other",
        "DROP": "drop_2",
        "X": "other",
    }


def test_a_mapping_names_scenario_types_drops_rows_and_sends_the_rest_to_other():
    log = pd.Series(["TRAFFIC STOP", "THEFT", "ENTRY", "FIRE", None])
    mapping = map_types(log, {"TRAFFIC STOP": "drop", "THEFT": "theft", "ENTRY": "theft"}, 8)
    assert list(mapping.scenario_type) == ["drop", "theft", "theft", "other", "other"]
    assert set(mapping.unmapped["log_type"]) == {"FIRE", "(blank)"}


def test_mapping_files_are_read_from_csv_and_yaml(tmp_path):
    csv = tmp_path / "map.csv"
    csv.write_text("log_type,scenario_type,n_rows\nTRBL W/SUBJ,dispute,3\nPATROL,drop,1\n")
    assert read_type_map(csv) == {"TRBL W/SUBJ": "dispute", "PATROL": "drop"}
    yml = tmp_path / "map.yaml"
    yml.write_text("'TRBL W/SUBJ': dispute\nPATROL: drop\n")
    assert read_type_map(yml) == read_type_map(csv)


def test_a_bad_mapping_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        read_type_map(tmp_path / "absent.csv")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("from,to\na,b\n")
    with pytest.raises(ConfigError, match="log_type, scenario_type"):
        read_type_map(wrong)
    bad_name = tmp_path / "bad.csv"
    bad_name.write_text("log_type,scenario_type\nTHEFT,theft or burglary\n")
    with pytest.raises(ConfigError, match="identifier") as caught:
        read_type_map(bad_name)
    assert caught.value.value == "theft or burglary"
