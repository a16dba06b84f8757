"""Reading a call log: CSV files of one row per call, every cell as text, and its timestamps.

A log is one or more CSV files (gzip is fine) with one row per call. Every cell is read as
text, so type codes and addresses stay exactly as written. Timestamps are parsed with a given
strftime format or, without one, with the first of a short list of common formats that reads
every value (trying formats is much faster than pandas' per-value `format="mixed"`). Every
problem is one `ConfigError` naming the option, the value and what is allowed: a missing file,
an empty log, an unreadable timestamp (with an example value).

A scenario names such a file as its trace (`incidents.trace_file`, replayed by
`sim.model.replay`), and `jointduty fit-demand` (`sim.demand`) fits demand to one; both read
it here. `DROP` is the type-map target that leaves a call type out, in both.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.config.schema import ConfigError

DROP = "drop"  # a type map sending a log type here leaves its calls out
TIME_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "ISO8601",
)
N_FORMAT_PROBE = 2000  # values tried with each candidate format before parsing all of them


def read_log(paths: Sequence[str | Path]) -> pd.DataFrame:
    """All rows of the CSV files, every cell as text; files must share their columns."""
    tables = [_read_one(Path(path)) for path in paths]
    columns = list(tables[0].columns)
    for path, table in zip(paths[1:], tables[1:], strict=True):
        if list(table.columns) != columns:
            raise ConfigError(str(path), list(table.columns), f"must have the columns {columns}")
    table = pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
    if table.empty:
        raise ConfigError(str(paths[0]), "no rows", "the log must hold at least one call")
    return table


def _read_one(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise ConfigError("FILE", str(path), "no such file")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=True)
    except pd.errors.EmptyDataError:
        raise ConfigError(str(path), "empty file", "the log must be a CSV with a header") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ConfigError(str(path), "unreadable", f"must be a CSV file: {first_line}") from None


def parse_times(
    values: pd.Series, column: str, time_format: str | None = None
) -> tuple[pd.Series, str]:
    """Timestamps of a column and the format that read them; `ConfigError` naming a bad value."""
    text = values.astype("string").str.strip()
    missing = text.isna() | (text == "")
    if missing.any():
        row = int(missing.to_numpy().nonzero()[0][0])
        raise ConfigError(
            column, None, f"{int(missing.sum())} rows have no timestamp (first: row {row})"
        )
    chosen = time_format or _guess_format(text, column)
    parsed = _parse(text, chosen)
    bad = parsed.isna()
    if bad.any():
        example = text[bad].iloc[0]
        raise ConfigError(
            column,
            example,
            f"cannot be read as a timestamp with format {chosen!r} ({int(bad.sum())} such rows); "
            "give --time-format with strftime codes, e.g. '%Y-%m-%d %H:%M:%S'",
        )
    return parsed, chosen


def _guess_format(text: pd.Series, column: str) -> str:
    """The first format that reads every probed value, else the one that reads the most."""
    probe = text.iloc[:: max(1, len(text) // N_FORMAT_PROBE)]
    n_read = {}
    for candidate in TIME_FORMATS:
        n_read[candidate] = int(_parse(probe, candidate).notna().sum())
        if n_read[candidate] == len(probe):
            return candidate
    best = max(n_read, key=lambda candidate: n_read[candidate])
    if n_read[best] > 0:
        return best  # the caller reports the values it cannot read
    raise ConfigError(
        column,
        text.iloc[0],
        "is not a timestamp in any known format; give --time-format with strftime codes, "
        "e.g. '%m/%d/%Y %I:%M:%S %p'",
    )


def _parse(text: pd.Series, time_format: str) -> pd.Series:
    try:
        parsed = pd.to_datetime(text, format=time_format, errors="coerce")
    except (ValueError, TypeError):
        return pd.Series(pd.NaT, index=text.index)
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)  # keep the local wall-clock time
    return parsed
