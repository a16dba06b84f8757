"""Trace-driven demand: replay real calls (times, types, places) instead of sampling them.

A trace is a CSV with one row per call:

- `time`: a timestamp (format guessed as in `sim.config.call_log`, or given);
- `type`: one of the scenario's incident type names, or a log type that `type_map` maps to
  one (a type mapped to `drop` is left out);
- the place: `x_km, y_km` on the scenario's region, or `lat, lon` (also `latitude,
  longitude`) converted with the projection written by `jointduty fit-demand`; a blank place
  is drawn from the region's location mixture with the locations stream;
- optionally `handling_min`; blank or absent handling times are drawn from the type's
  handling distribution with the handling stream, type by type as `sim.model.incidents` does.

Times become minutes from `t_start`, by default midnight of the first call's day, so model
minute 0 is a midnight and calendar-day KPIs line up with the real days. Calls before
`t_start` or at or after `t_end_min` are not replayed. A trace covers whole days, up to the
midnight after its last call; one that ends before `t_end_min` is an error, since the run
would measure an empty tail.
`jointduty fit-demand --trace-out` writes traces in this format.

`incident_stream` gives a replication its candidate incidents from the source its scenario
names: sampled (`sim.model.incidents`) or replayed from a trace, thinned by deterrence alike.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config.call_log import DROP, parse_times, read_log
from sim.config.scenario import ScenarioConfig
from sim.config.schema import ConfigError
from sim.model.distributions import make_distribution
from sim.model.geography import sample_locations
from sim.model.incidents import IncidentStream, draw_deterred, draw_incidents
from sim.model.projection import Projection
from sim.model.streams import Streams

KEY = "incidents.trace_file"
MIN_PER_DAY = 1440.0
LAT_LON_COLUMNS = (("lat", "lon"), ("latitude", "longitude"))


def incident_stream(scenario: ScenarioConfig, streams: Streams, t_end_min: float) -> IncidentStream:
    """The candidate incidents of a replication: sampled, or replayed from a trace.

    A replayed trace is thinned by deterrence like a sampled stream, with its own uniforms.
    """
    source = scenario.incidents
    if source.source == "sample":
        return draw_incidents(scenario, streams, t_end_min)
    projection = Projection(**dataclasses.asdict(source.projection)) if source.projection else None
    assert source.trace_file is not None  # checked by validation
    stream = load_trace(
        source.trace_file,
        scenario,
        streams["handling"],
        t_end_min,
        rng_for_locations=streams["locations"],
        projection=projection,
        t_start=source.trace_start,
    )
    deterred = draw_deterred(scenario, streams, stream.type_index, stream.x_km, stream.y_km)
    return dataclasses.replace(stream, deterred=deterred)


def load_trace(
    path: str | Path,
    scenario: ScenarioConfig,
    rng_for_handling: np.random.Generator,
    t_end_min: float,
    *,
    rng_for_locations: np.random.Generator | None = None,
    projection: Projection | None = None,
    t_start: str | pd.Timestamp | None = None,
    type_map: Mapping[str, str] | None = None,
    time_format: str | None = None,
) -> IncidentStream:
    """The calls of the trace file arriving in [0, t_end_min), in arrival order."""
    table = _read(path)
    times = _times(table["time"], time_format)
    start = _start(t_start, times)
    t_min = ((times - start) / pd.Timedelta(minutes=1)).to_numpy(dtype=float)
    _check_covers(path, t_min, start, t_end_min)
    type_names = _mapped_types(table["type"], type_map)
    keep = (t_min >= 0) & (t_min < t_end_min) & (type_names != DROP).to_numpy()
    if not keep.any():
        raise ConfigError(KEY, str(path), f"has no calls between {start} and minute {t_end_min:g}")
    table, t_min, type_names = table[keep], t_min[keep], type_names[keep]
    order = np.argsort(t_min, kind="stable")
    table, t_min, type_names = table.iloc[order], t_min[order], type_names.iloc[order]
    type_index = _type_index(type_names, scenario)
    x_km, y_km = _places(table, scenario, projection, rng_for_locations)
    handling_min = _handling(table, type_index, scenario, rng_for_handling)
    return IncidentStream(
        t_arrival_min=t_min,
        type_index=type_index,
        x_km=x_km,
        y_km=y_km,
        handling_min=handling_min,
    )


def _read(path: str | Path) -> pd.DataFrame:
    if not Path(path).is_file():
        raise ConfigError(KEY, str(path), "no such file")
    try:
        table = read_log([path]).reset_index(drop=True)
    except ConfigError as error:
        raise ConfigError(KEY, str(path), f"{error.value}: {error.allowed}") from None
    for column in ("time", "type"):
        if column not in table.columns:
            raise ConfigError(KEY, str(path), f"must have a column {column!r}")
    return table


def _times(column: pd.Series, time_format: str | None) -> pd.Series:
    try:
        return parse_times(column, "time", time_format)[0]
    except ConfigError as error:
        raise ConfigError(f"{KEY}: column time", error.value, error.allowed) from None


def _start(t_start: str | pd.Timestamp | None, times: pd.Series) -> pd.Timestamp:
    if t_start is None:
        return times.min().floor("D")
    try:
        start = pd.Timestamp(t_start)
    except ValueError:
        start = pd.NaT
    if pd.isna(start):
        raise ConfigError("incidents.trace_start", t_start, "must be a timestamp, e.g. 2018-05-01")
    return start


def _check_covers(path: str | Path, t_min: np.ndarray, start: pd.Timestamp, t_end_min: float):
    last_call = start + pd.Timedelta(minutes=float(t_min.max()))
    last_day_end = last_call.floor("D") + pd.Timedelta(days=1)
    covered_min = (last_day_end - start) / pd.Timedelta(minutes=1)
    if covered_min < t_end_min:
        raise ConfigError(
            KEY,
            str(path),
            f"covers only {covered_min / MIN_PER_DAY:.2f} days from {start}; the run needs "
            f"{t_end_min / MIN_PER_DAY:g} (warm-up plus horizon): shorten the run",
        )


def _mapped_types(types: pd.Series, type_map: Mapping[str, str] | None) -> pd.Series:
    names = types.fillna("").astype(str).str.strip()
    if type_map:
        names = names.map(lambda name: type_map.get(name, name))
    return names.reset_index(drop=True)


def _type_index(type_names: pd.Series, scenario: ScenarioConfig) -> np.ndarray:
    known = list(scenario.incident_types)
    unknown = sorted(set(type_names) - set(known))
    if unknown:
        raise ConfigError(
            f"{KEY}: column type",
            unknown[0],
            f"is not an incident type of the scenario ({len(unknown)} such types); map it "
            f"with a type map or use one of {', '.join(known)}",
        )
    lookup = {name: index for index, name in enumerate(known)}
    return type_names.map(lookup).to_numpy(dtype=np.int32)


def _places(
    table: pd.DataFrame,
    scenario: ScenarioConfig,
    projection: Projection | None,
    rng: np.random.Generator | None,
) -> tuple[np.ndarray, np.ndarray]:
    x_km, y_km = _given_places(table, projection)
    region = scenario.region
    known = np.isfinite(x_km) & np.isfinite(y_km)
    outside = known & (
        (x_km < 0) | (x_km > region.width_km) | (y_km < 0) | (y_km > region.height_km)
    )
    if outside.any():
        row = int(np.flatnonzero(outside)[0])
        raise ConfigError(
            f"{KEY}: place", (round(float(x_km[row]), 3), round(float(y_km[row]), 3)),
            f"lies outside the region 0..{region.width_km:g} x 0..{region.height_km:g} km "
            f"({int(outside.sum())} such calls); blank such places to have them drawn",
        )  # fmt: skip
    if not known.all():
        if rng is None:
            raise ConfigError(f"{KEY}: place", None, f"{int((~known).sum())} calls have no place")
        x_km[~known], y_km[~known] = sample_locations(region, rng, int((~known).sum()))
    return x_km, y_km


def _given_places(
    table: pd.DataFrame, projection: Projection | None
) -> tuple[np.ndarray, np.ndarray]:
    if {"x_km", "y_km"} <= set(table.columns):
        return _numbers(table, "x_km"), _numbers(table, "y_km")
    for lat, lon in LAT_LON_COLUMNS:
        if {lat, lon} <= set(table.columns):
            if projection is None:
                raise ConfigError("incidents.projection", None, "is needed to place lat/lon calls")
            return projection.to_km(_numbers(table, lat), _numbers(table, lon))
    return np.full(len(table), np.nan), np.full(len(table), np.nan)


def _handling(
    table: pd.DataFrame,
    type_index: np.ndarray,
    scenario: ScenarioConfig,
    rng: np.random.Generator,
) -> np.ndarray:
    given = (
        _numbers(table, "handling_min") if "handling_min" in table else np.full(len(table), np.nan)
    )
    if (given < 0).any():
        raise ConfigError(f"{KEY}: column handling_min", float(given[given < 0][0]), "must be >= 0")
    handling_min = given.copy()
    for index, incident_type in enumerate(scenario.incident_types.values()):
        chosen = np.flatnonzero((type_index == index) & ~np.isfinite(given))
        sampler = make_distribution(incident_type.handling)
        handling_min[chosen] = sampler.sample(rng, len(chosen))
    return handling_min


def _numbers(table: pd.DataFrame, column: str) -> np.ndarray:
    """A numeric column; blank cells become NaN, any other unreadable cell is an error."""
    text = table[column].astype("string").str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna() & text.notna() & (text != "")
    if bad.any():
        raise ConfigError(f"{KEY}: column {column}", text[bad].iloc[0], "must be a number or blank")
    return numbers.to_numpy(dtype=float, na_value=np.nan)
