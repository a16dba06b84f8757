"""From a log's call types to a scenario's incident types.

A log has its own vocabulary (Milwaukee: 179 `nature` codes such as `TRBL W/SUBJ`; LA 311:
`RequestType`). A scenario has a handful of incident types. The mapping is a table
`log_type -> scenario_type`, read from a CSV (columns `log_type, scenario_type`) or a YAML
mapping. The target `drop` removes the rows (officer-initiated activity, say). Without a
mapping, each of the `top_k` most frequent log types becomes its own scenario type, named
by a slug of the log type, and the rest become `other`. With a mapping, log types it does
not name become `other` too, and the caller warns about them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from sim.config.call_log import DROP
from sim.config.schema import ConfigError

OTHER = "other"
BLANK = "(blank)"


@dataclass(frozen=True)
class TypeMapping:
    """The scenario type of each row (`drop` for dropped rows) and the table log -> scenario."""

    scenario_type: pd.Series
    table: pd.DataFrame  # log_type, scenario_type, n_rows; most frequent first
    unmapped: pd.DataFrame  # log types a given mapping did not name (sent to `other`)


def slug(name: str) -> str:
    """A Python identifier for a log type: `TRBL W/SUBJ` -> `trbl_w_subj`."""
    text = re.sub(r"[^0-9a-zA-Z]+", "_", name.strip().lower()).strip("_") or "unknown"
    return f"t_{text}" if text[0].isdigit() else text


def read_type_map(path: str | Path) -> dict[str, str]:
    """A mapping file: CSV `log_type,scenario_type` or a YAML `{log_type: scenario_type}`."""
    file = Path(path)
    if not file.is_file():
        raise ConfigError("--type-map", str(path), "no such file")
    if file.suffix in (".yaml", ".yml"):
        try:
            loaded = yaml.safe_load(file.read_text())
        except (yaml.YAMLError, UnicodeDecodeError):
            loaded = None
        if not isinstance(loaded, dict):
            raise ConfigError("--type-map", str(path), "must be a YAML mapping log_type: type")
        pairs = {str(k): str(v) for k, v in loaded.items()}
    else:
        try:
            table = pd.read_csv(file, dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
            raise ConfigError("--type-map", str(path), "must be a CSV file") from None
        missing = {"log_type", "scenario_type"} - set(table.columns)
        if missing:
            raise ConfigError("--type-map", str(path), "must have columns log_type, scenario_type")
        pairs = dict(zip(table["log_type"], table["scenario_type"], strict=True))
    for log_type, target in pairs.items():
        if not target.isidentifier():
            raise ConfigError(f"--type-map {log_type!r}", target, "must be an identifier or drop")
    return pairs


def map_types(log_types: pd.Series, type_map: dict[str, str] | None, top_k: int) -> TypeMapping:
    """Each row's scenario type, by the given mapping or by the `top_k` most frequent types."""
    labels = log_types.fillna(BLANK).astype(str)
    counts = labels.value_counts(sort=False).rename_axis("log_type").reset_index(name="n_rows")
    counts = counts.sort_values(["n_rows", "log_type"], ascending=[False, True], ignore_index=True)
    if type_map is None:
        lookup = _top_k_names(list(counts["log_type"]), top_k)
        unmapped = counts.iloc[0:0]
    else:
        lookup = {log: type_map.get(log, OTHER) for log in counts["log_type"]}
        unmapped = counts[~counts["log_type"].isin(list(type_map))].reset_index(drop=True)
    table = counts.assign(scenario_type=counts["log_type"].map(lookup))
    return TypeMapping(
        scenario_type=labels.map(lookup),
        table=table[["log_type", "scenario_type", "n_rows"]],
        unmapped=unmapped,
    )


def _top_k_names(log_types: list[str], top_k: int) -> dict[str, str]:
    names: dict[str, str] = {}
    taken = {OTHER, DROP}
    for log_type in log_types[:top_k]:
        name = slug(log_type)
        if name == OTHER:  # the log's own "Other" joins the rest
            names[log_type] = OTHER
            continue
        base, n = name, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name)
        names[log_type] = name
    for log_type in log_types[top_k:]:
        names[log_type] = OTHER
    return names
