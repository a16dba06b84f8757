"""Reading a call log: timestamps in the formats real logs use, and one clear error per problem."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from sim.config.call_log import parse_times, read_log
from sim.config.schema import ConfigError


def test_milwaukee_style_timestamps_are_read_with_their_format_guessed():
    times, fmt = parse_times(pd.Series(["2018-05-01 00:00:14", "2018-05-21 14:14:42"]), "time")
    assert fmt == "%Y-%m-%d %H:%M:%S"
    assert list(times) == [
        pd.Timestamp(2018, 5, 1, 0, 0, 14),
        pd.Timestamp(2018, 5, 21, 14, 14, 42),
    ]


def test_la_311_style_timestamps_with_am_pm_are_read_as_24_hour_times():
    values = pd.Series(
        ["12/31/2017 11:59:58 PM", "01/04/2018 12:05:00 AM", "01/04/2018 09:33:23 AM"]
    )
    times, fmt = parse_times(values, "CreatedDate")
    assert fmt == "%m/%d/%Y %I:%M:%S %p"
    assert [t.hour for t in times] == [23, 0, 9]


def test_a_given_time_format_is_used_as_given():
    times, fmt = parse_times(pd.Series(["01.05.2018 13:00:00"]), "t", "%d.%m.%Y %H:%M:%S")
    assert fmt == "%d.%m.%Y %H:%M:%S" and times[0] == pd.Timestamp(2018, 5, 1, 13)


def test_an_unreadable_timestamp_names_the_column_and_shows_the_bad_value():
    values = pd.Series(["2018-05-01 00:00:14"] * 5 + ["yesterday at noon"])
    with pytest.raises(ConfigError) as caught:
        parse_times(values, "time")
    assert caught.value.key == "time"
    assert caught.value.value == "yesterday at noon"
    assert "--time-format" in caught.value.allowed


def test_a_column_of_no_known_format_asks_for_time_format():
    with pytest.raises(ConfigError, match="time-format") as caught:
        parse_times(pd.Series(["noon", "midnight"]), "when")
    assert caught.value.key == "when" and caught.value.value == "noon"


def test_a_missing_timestamp_is_an_error_naming_its_row():
    with pytest.raises(ConfigError, match=r"1 rows have no timestamp \(first: row 1\)"):
        parse_times(pd.Series(["2018-05-01 00:00:14", None]), "time")


def test_an_empty_file_and_a_header_only_file_are_clear_errors(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ConfigError, match="empty file"):
        read_log([empty])
    header = tmp_path / "header.csv.gz"
    with gzip.open(header, "wt") as out:
        out.write("time,nature\n")
    with pytest.raises(ConfigError, match="at least one call"):
        read_log([header])
    with pytest.raises(ConfigError, match="no such file"):
        read_log([tmp_path / "absent.csv"])


def test_several_files_are_read_as_one_log_and_must_share_their_columns(tmp_path):
    one, two, other = tmp_path / "1.csv", tmp_path / "2.csv", tmp_path / "3.csv"
    one.write_text("time,type\n2018-01-01 00:00:00,a\n")
    two.write_text("time,type\n2018-01-02 00:00:00,b\n")
    other.write_text("when,type\n2018-01-02 00:00:00,b\n")
    assert list(read_log([one, two])["type"]) == ["a", "b"]
    with pytest.raises(ConfigError, match="must have the columns"):
        read_log([one, other])


def test_cells_are_read_as_text_so_type_codes_keep_their_leading_zeros(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("time,code\n2018-01-01 00:00:00,007\n")
    assert read_log([path])["code"].iloc[0] == "007"
