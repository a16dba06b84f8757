"""Filtering a log for fit-demand: required columns, exclusion rules, the window's bounds."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.config.call_log import read_log
from sim.config.schema import ConfigError
from sim.demand.log import exclude_rows, parse_bound, require_column

from .support import FIXTURE


def test_a_missing_column_is_named_with_the_columns_the_log_has():
    table = read_log([FIXTURE])
    with pytest.raises(ConfigError) as caught:
        require_column(table, "--time-col", "CreatedDate")
    assert caught.value.key == "--time-col" and caught.value.value == "CreatedDate"
    assert "latitude" in caught.value.allowed


def test_exclude_drops_rows_whose_column_has_the_value():
    table = pd.DataFrame({"RequestSource": ["Call", "Driver Self Report", "Mobile App"]})
    kept = exclude_rows(table, ["RequestSource=Driver Self Report"])
    assert list(kept["RequestSource"]) == ["Call", "Mobile App"]
    with pytest.raises(ConfigError, match="COLUMN=VALUE"):
        exclude_rows(table, ["RequestSource"])
    with pytest.raises(ConfigError, match="must name a column"):
        exclude_rows(table, ["Source=Call"])


def test_window_bounds_read_dates_and_times_and_reject_nonsense():
    assert parse_bound("--start", "2018-05-01") == pd.Timestamp(2018, 5, 1)
    assert parse_bound("--end", "2018-05-17 12:00") == pd.Timestamp(2018, 5, 17, 12)
    assert parse_bound("--end", None) is None
    with pytest.raises(ConfigError, match="--start"):
        parse_bound("--start", "soon")
