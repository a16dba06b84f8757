"""Writing a fitted demand as a district file, with what is fitted and what is not marked.

A district file (see `scenarios/districts/`) holds a scenario's region, roles, demand, travel
and incident types; a scenario adds stations. From a log come the region (km, from the
fitted projection), the hotspots, the demand profile and the type shares. A log says nothing
about who answers a call, how urgent it is or how long it takes, so each type's `priority`,
`team` and `handling` (and any later life: stages, root cause) are taken from the same-named
type of a `--base` scenario or district when there is one, and otherwise are placeholders
marked `PLACEHOLDER` in a comment. The
projection origin goes under `incidents.projection`, so a trace replayed later is placed
exactly as the fit placed the calls.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from sim.config.schema import ConfigError
from sim.demand.call_types import OTHER

if TYPE_CHECKING:
    from sim.demand.fit import DemandFit

DEFAULT_ROLES = {"police": {"speed_kmh": 30.0, "turnout_min": 2.0, "cost_per_hour": 0.0}}
DEFAULT_TYPE = {  # US 911 overall time on scene, median 27.7 min; p90 = 3.5 x median
    "priority": 2,
    "team": {"police": 1},
    "handling": {"dist": "lognormal", "median_min": 27.7, "p90_min": 97.0},
}
PLACEHOLDER_REGION = {"width_km": 10.0, "height_km": 10.0, "background_weight": 1.0}
N_PER_LINE = 12


def load_base(spec: str) -> dict[str, Any]:
    """A shipped scenario (composed), a shipped district, or a YAML file with incident_types."""
    from sim.config.shipped import scenario_names, shipped_dir
    from sim.sweep.compose import compose_config

    district = shipped_dir("scenarios") / "districts" / f"{spec}.yaml"
    if Path(spec).is_file():
        loaded = yaml.safe_load(Path(spec).read_text())
    elif spec in scenario_names():
        loaded = compose_config([f"scenario={spec}"])
    elif district.is_file():
        loaded = yaml.safe_load(district.read_text())
    else:
        allowed = scenario_names() + [p.stem for p in district.parent.glob("*.yaml")]
        raise ConfigError("--base", spec, "must be a YAML file or one of " + ", ".join(allowed))
    if not isinstance(loaded, dict) or not isinstance(loaded.get("incident_types"), dict):
        raise ConfigError("--base", spec, "must define incident_types (a district or scenario)")
    return loaded


def district_text(fit: DemandFit, base: Mapping[str, Any] | None, source: str) -> str:
    """The fitted district as commented YAML text."""
    profile = fit.profile
    lines = [
        f"# Demand fitted by `jointduty fit-demand` from {source}.",
        f"# Window {fit.start} to {fit.end}: {profile.n_calls:,} calls over "
        f"{profile.observed_days:.2f} observed days ({profile.observed_per_day:,.1f} a day).",
        "# Fitted from the log: region and hotspots (km on the projection below), demand, shares.",
        "# Not in a log: priority, team, handling, roles. Lines marked PLACEHOLDER need values",
        "# from local practice (or rerun with --base SCENARIO to copy them).",
    ]
    lines += _region_lines(fit, base)
    roles = base.get("roles") if base and base.get("roles") else None
    lines += ["", "roles:" + ("" if roles else "  # PLACEHOLDER: one police role")]
    lines += [f"  {name}: {_flow(spec)}" for name, spec in (roles or DEFAULT_ROLES).items()]
    lines += _demand_lines(fit)
    if base and base.get("travel"):
        lines += ["", f"travel: {_flow(base['travel'])}"]
    lines += _type_lines(fit, base, list(roles or DEFAULT_ROLES))
    lines += _projection_lines(fit)
    return "\n".join(lines) + "\n"


def _region_lines(fit: DemandFit, base: Mapping[str, Any] | None) -> list[str]:
    if fit.frame is None or fit.hotspots is None:
        region = dict(base["region"]) if base and base.get("region") else PLACEHOLDER_REGION
        note = "from --base" if base and base.get("region") else "PLACEHOLDER: no coordinates"
        lines = ["", f"region:  # {note}"]
        lines += [f"  {key}: {_flow(value)}" for key, value in region.items() if key != "hotspots"]
        hotspots = region.get("hotspots") or {}
        lines.append("  hotspots:" + ("" if hotspots else " {}"))
        return lines + [f"    {name}: {_flow(spot)}" for name, spot in hotspots.items()]
    frame, spots = fit.frame, fit.hotspots
    lines = [
        "",
        f"region:  # {spots.n_points:,} located calls; background = share far from every hotspot",
        f"  width_km: {_ceil2(frame.width_km)}",
        f"  height_km: {_ceil2(frame.height_km)}",
        f"  background_weight: {_flow(_sig(spots.background_weight))}",
        "  hotspots:" + ("" if spots.hotspots else " {}"),
    ]
    for index, spot in enumerate(spots.hotspots, start=1):
        lat, lon = frame.projection.to_latlon(np.array([spot.x_km]), np.array([spot.y_km]))
        fields = {
            "x_km": round(spot.x_km, 3),
            "y_km": round(spot.y_km, 3),
            "weight": _sig(spot.weight),
            "spread_km": max(round(spot.spread_km, 3), 0.001),
        }
        lines.append(f"    h{index}: {_flow(fields)}  # lat {lat[0]:.5f}, lon {lon[0]:.5f}")
    return lines


def _demand_lines(fit: DemandFit) -> list[str]:
    profile, sep = fit.profile, fit.profile.separability
    return [
        "",
        "demand:",
        f"  per_day: {_flow(round(profile.per_day, 2))}  # week-average rate; observed "
        f"{profile.observed_per_day:,.2f} a day over the window",
        "  # weights of mean 1; the hour x weekday table is "
        f"{100 * sep.share_explained:.1f} % separable (G2 {sep.g2:,.0f} on {sep.df} df)",
        *_list_lines("hour_of_day", profile.hour_of_day),
        *_list_lines("day_of_week", profile.day_of_week, "Monday first"),
    ]


def _list_lines(key: str, values: np.ndarray, note: str = "") -> list[str]:
    numbers = [f"{v:.4f}" for v in values]
    rows = [", ".join(numbers[i : i + N_PER_LINE]) for i in range(0, len(numbers), N_PER_LINE)]
    pad = " " * (len(key) + 5)
    text = f"  {key}: [" + (",\n" + pad).join(rows) + "]"
    return (text + (f"  # {note}" if note else "")).split("\n")


def _type_lines(fit: DemandFit, base: Mapping[str, Any] | None, roles: Sequence[str]) -> list[str]:
    base_types = dict(base["incident_types"]) if base else {}
    default = dict(DEFAULT_TYPE, team={"police" if "police" in roles else roles[0]: 1})
    lines = ["", "incident_types:"]
    for name, share in fit.type_shares.items():
        spec = base_types.get(name)
        origin = "from --base" if spec else "PLACEHOLDER"
        lines.append(f"  {name}:  # log: {_log_types(fit, name)}; priority/team/handling {origin}")
        lines.append(f"    share: {_flow(_sig(share))}")
        fields = {k: v for k, v in (spec or default).items() if k != "share"}
        lines += [f"    {key}: {_flow(value)}" for key, value in fields.items()]
    return lines


def _log_types(fit: DemandFit, name: str) -> str:
    table = fit.mapping.table
    mine = table[table["scenario_type"] == name]
    if len(mine) == 1:
        return str(mine["log_type"].iloc[0])
    shown = ", ".join(mine["log_type"].head(3))
    return f"{len(mine)} types{' (the rest)' if name == OTHER else ''}, e.g. {shown}"


def _projection_lines(fit: DemandFit) -> list[str]:
    if fit.frame is None:
        return []
    p = fit.frame.projection
    origin = {
        "origin_lat_deg": round(p.origin_lat_deg, 7),
        "origin_lon_deg": round(p.origin_lon_deg, 7),
        "ref_lat_deg": round(p.ref_lat_deg, 7),
    }
    return [
        "",
        "incidents:  # where the calls come from; the projection places a replayed trace",
        "  source: sample",
        f"  projection: {_flow(origin)}",
    ]


def _flow(value: object) -> str:
    """One-line YAML of a value (a scalar's dump ends with a document-end marker: cut)."""
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000)
    return text.removesuffix("\n...\n").strip()


def _sig(value: float) -> float:
    return float(f"{value:.4g}")


def _ceil2(value: float) -> float:
    return math.ceil(value * 100) / 100
