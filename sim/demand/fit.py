"""A scenario's demand fitted to a real incident log (`jointduty fit-demand`).

    jointduty fit-demand LOG.csv [LOG2.csv ...] --time-col C --type-col C
                         [--lat-col C --lon-col C] [--start T] [--end T] [--type-map F]
                         [--base SCENARIO|DISTRICT|FILE] [--out district.yaml]

reads the log (`sim.config.call_log`), keeps the calls inside the window, maps their types
(`sim.demand.call_types`), fits the hour-of-day x weekday rate profile (`sim.demand.profile`), the
type mix and, given coordinates, a local km projection (`sim.model.projection`) and the hotspots
(`sim.demand.hotspots`). It writes a district-style YAML file (`sim.demand.district_file`)
that a scenario can
load with `defaults: [/district: NAME]`, the mapping from the log's types to the scenario's
types as CSV, and, with `--trace-out`, the calls themselves as a trace for replay
(`sim.model.replay`). Every file is written atomically; a summary is printed.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config.call_log import DROP, parse_times, read_log
from sim.config.schema import ConfigError
from sim.demand.call_types import TypeMapping, map_types, read_type_map
from sim.demand.hotspots import HotspotFit, fit_hotspots
from sim.demand.log import coordinates, exclude_rows, parse_bound, warn
from sim.demand.log import require_column as column
from sim.demand.profile import TimeProfile, fit_time_profile
from sim.model.projection import FittedFrame, fit_projection
from sim.results.outdir import require_writable_file

MIN_OBSERVED_DAYS = 1.0  # a shorter window cannot give a rate per day
MIN_CALLS_PER_HOTSPOT = 20  # fewer located calls per hotspot fit noise at the spread floor


@dataclass(frozen=True)
class DemandFit:
    """Everything fitted from one log, ready to be written and summarised."""

    calls: pd.DataFrame  # time, log_type, type, lat, lon, x_km, y_km of the calls used
    n_rows_read: int
    n_excluded: int  # by --exclude rules
    n_outside_window: int
    n_dropped_types: int  # mapped to `drop`
    start: pd.Timestamp
    end: pd.Timestamp
    time_format: str
    profile: TimeProfile
    mapping: TypeMapping
    type_shares: dict[str, float]
    frame: FittedFrame | None
    hotspots: HotspotFit | None


def fit_log(args: argparse.Namespace) -> DemandFit:
    """Read, filter and fit the log described by the command-line arguments."""
    _check_numbers(args)
    calls, n_rows_read, n_excluded, time_format = _read_calls(args)
    start, end = _window(args, calls["time"])
    inside = (calls["time"] >= start) & (calls["time"] < end)
    n_outside = int((~inside).sum())
    calls = calls[inside.to_numpy()].sort_values("time", kind="stable", ignore_index=True)
    type_map = read_type_map(args.type_map) if args.type_map else None
    mapping = map_types(calls["log_type"], type_map, args.top_types)
    calls["type"] = mapping.scenario_type.to_numpy()
    n_dropped = int((calls["type"] == DROP).sum())
    calls = calls[(calls["type"] != DROP).to_numpy()].reset_index(drop=True)
    if calls.empty:
        window = f"{start} .. {end}"
        raise ConfigError("--start/--end", window, "no calls left in the window (after drops)")
    profile = fit_time_profile(calls["time"], start, end, args.max_gap_hours)
    if profile.observed_days < MIN_OBSERVED_DAYS:
        raise ConfigError(
            "--start/--end",
            f"{start} .. {end}",
            f"covers {profile.observed_days:.2f} observed days; a daily rate needs at least "
            f"{MIN_OBSERVED_DAYS:g} day of log",
        )
    frame, hotspots = _fit_places(calls, args)
    return DemandFit(
        calls, n_rows_read, n_excluded, n_outside, n_dropped, start, end, time_format,
        profile, mapping, _shares(calls["type"]), frame, hotspots,
    )  # fmt: skip


def _read_calls(args: argparse.Namespace) -> tuple[pd.DataFrame, int, int, str]:
    """The calls (time, log_type and lat, lon if asked), rows read and excluded, time format."""
    table = read_log(args.files)
    n_rows_read = len(table)
    time_col = column(table, "--time-col", args.time_col)
    type_col = column(table, "--type-col", args.type_col)
    table = exclude_rows(table, args.exclude)
    if table.empty:
        raise ConfigError("--exclude", args.exclude, "excludes every row of the log")
    text = table[time_col].reset_index(drop=True)
    times, time_format = parse_times(text, time_col, args.time_format)
    calls = pd.DataFrame({"time": times, "log_type": table[type_col].to_numpy()})
    if args.lat_col or args.lon_col:
        calls["lat"] = coordinates(table, column(table, "--lat-col", args.lat_col)).to_numpy()
        calls["lon"] = coordinates(table, column(table, "--lon-col", args.lon_col)).to_numpy()
    return calls, n_rows_read, n_rows_read - len(table), time_format


def check_outputs(args: argparse.Namespace) -> None:
    """Every file fit-demand will write must be writable: checked before the log is read."""
    require_writable_file("--out", args.out)
    for flag, path in (("--map-out", args.map_out), ("--trace-out", args.trace_out)):
        if path:
            require_writable_file(flag, path)


def _check_numbers(args: argparse.Namespace) -> None:
    if args.top_types < 1:
        raise ConfigError("--top-types", args.top_types, "must be >= 1")
    if args.hotspots < 0:
        raise ConfigError("--hotspots", args.hotspots, "must be >= 0")
    if not 0 <= args.trim < 0.5:
        raise ConfigError("--trim", args.trim, "must be a share in [0, 0.5)")
    if not args.max_gap_hours > 0 or not args.min_spread_km > 0:
        raise ConfigError("--max-gap-hours/--min-spread-km", None, "must be > 0")
    if bool(args.lat_col) != bool(args.lon_col):
        raise ConfigError("--lat-col/--lon-col", args.lat_col or args.lon_col, "give both or none")


def _window(args: argparse.Namespace, times: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = parse_bound("--start", args.start)
    end = parse_bound("--end", args.end)
    start = times.min() if start is None else start
    end = times.max() + pd.Timedelta(seconds=1) if end is None else end
    if end <= start:
        raise ConfigError("--end", str(end), f"must be after the window start {start}")
    return start, end


def _shares(types: pd.Series) -> dict[str, float]:
    counts = types.value_counts()
    order = sorted(counts.index, key=lambda name: (name == "other", -counts[name], name))
    return {str(name): float(counts[name] / len(types)) for name in order}


def _fit_places(
    calls: pd.DataFrame, args: argparse.Namespace
) -> tuple[FittedFrame | None, HotspotFit | None]:
    """Projection, region and hotspots; adds x_km, y_km (NaN when unknown or trimmed)."""
    if "lat" not in calls:
        return None, None
    try:
        frame = fit_projection(calls["lat"].to_numpy(), calls["lon"].to_numpy(), args.trim)
    except ValueError as error:
        raise ConfigError("--lat-col/--lon-col", args.lat_col, str(error)) from None
    x_km, y_km = frame.projection.to_km(calls["lat"].to_numpy(), calls["lon"].to_numpy())
    calls["x_km"] = np.where(frame.inside, np.clip(x_km, 0.0, frame.width_km), np.nan)
    calls["y_km"] = np.where(frame.inside, np.clip(y_km, 0.0, frame.height_km), np.nan)
    n_places = int(frame.inside.sum())
    n_hotspots = min(args.hotspots, n_places // MIN_CALLS_PER_HOTSPOT)
    if n_hotspots < args.hotspots:
        warn(
            f"--hotspots {args.hotspots}: {n_places:,} located calls support at most "
            f"{n_hotspots} ({MIN_CALLS_PER_HOTSPOT} calls each); fitting {n_hotspots}"
        )
    hotspots = fit_hotspots(
        calls["x_km"].to_numpy()[frame.inside],
        calls["y_km"].to_numpy()[frame.inside],
        frame.width_km,
        frame.height_km,
        n_hotspots,
        seed=args.seed,
        min_spread_km=args.min_spread_km,
    )
    return frame, hotspots
