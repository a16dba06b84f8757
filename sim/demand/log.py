"""Filtering an incident log for `jointduty fit-demand`: columns, exclusions and the window.

The log itself is read by `sim.config.call_log` (every cell as text, timestamps parsed with
a given or guessed format), which trace replays use too. Here: a named column that must
exist, `COLUMN=VALUE` rules that leave rows out, the bounds of the time window, and
coordinate columns as numbers. Every problem is one `ConfigError` naming the option, the
value and what is allowed.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import pandas as pd

from sim.config.schema import ConfigError


def require_column(table: pd.DataFrame, option: str, column: str | None) -> str:
    """`column` if the log has it, else a `ConfigError` naming the option and the columns."""
    if column is None or column not in table.columns:
        shown = ", ".join(map(str, table.columns[:30]))
        raise ConfigError(option, column, f"must name a column of the log; columns: {shown}")
    return column


def exclude_rows(table: pd.DataFrame, rules: Sequence[str]) -> pd.DataFrame:
    """Rows matching none of the `COLUMN=VALUE` rules (`RequestSource=Driver Self Report`)."""
    keep = pd.Series(True, index=table.index)
    for rule in rules:
        column, sep, value = rule.partition("=")
        if not sep:
            raise ConfigError("--exclude", rule, "must be COLUMN=VALUE")
        require_column(table, "--exclude", column)
        keep &= table[column] != value
    return table[keep.to_numpy()]


def parse_bound(option: str, value: str | None) -> pd.Timestamp | None:
    """A window bound given as a date or a date and time."""
    if value is None:
        return None
    try:
        bound = pd.Timestamp(value)
    except ValueError:
        bound = pd.NaT
    if pd.isna(bound):
        raise ConfigError(
            option, value, "must be a date or timestamp, e.g. 2018-05-01 or 2018-05-17 12:00"
        )
    return bound


def coordinates(table: pd.DataFrame, column: str) -> pd.Series:
    """A coordinate column as numbers; unreadable or blank cells become NaN."""
    return pd.to_numeric(table[column], errors="coerce").astype(float)


def warn(message: str) -> None:
    """A warning about the log or the fit, one line on stderr."""
    print(f"jointduty: warning: {message}", file=sys.stderr)
