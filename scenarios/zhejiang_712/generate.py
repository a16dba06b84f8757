"""Generate scenarios/zhejiang_712/scenario.yaml: a synthetic province with 712 joint-duty stations.

A province-sized rectangle (330 x 310 km, about Zhejiang's 105,500 km2) is cut into a 10 x 9
grid of 90 county districts. Each district has a county town and one to three townships, each
a Gaussian demand hotspot whose weight is drawn from a lognormal (towns vary in size); a
quarter of the calls fall on the uniform rural background. The 712 joint-duty stations are
shared out among the hotspots in proportion to their demand (largest remainder) and placed at
the hotspot's centre and on hexagonal rings around it (0.6 spreads apart); every county town
also has a police station. The roles, incident types (teams, later stages, root causes),
deterrence, joint categories and demand profile are those of the calibrated
`future_city_2021` scenario, composed at generation time, so the province works like Future
City, station by station (`dispatch: nearest`; every team can be fielded at a single station).
All numbers are assumptions for scale studies; see
README.md beside this file.

Deterministic: the same seed and the same calibrated Future City scenario give the same file
byte for byte (`tests/calibration` checks that the shipped file is what this script makes).
Run from the repository root: `.venv/bin/python scenarios/zhejiang_712/generate.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import yaml

SEED = 712
N_JOINT_DUTY = 712
N_COLUMNS, N_ROWS = 10, 9  # 90 county districts
WIDTH_KM, HEIGHT_KM = 330.0, 310.0
RING_SPACING = 0.6  # rings of stations around a hotspot, in units of its spread
BACKGROUND_WEIGHT = 0.25  # share of calls on the rural background
CALLS_PER_DAY = 5000.0  # candidate calls a day in the province (about 7 per joint-duty station)
TOWN_WEIGHT = (0.0, 0.8)  # lognormal (mu, sigma) of a county town's weight
TOWNSHIP_SHARE = (0.15, 0.5)  # a township's weight relative to its county town: uniform range
JOINT_DUTY_STAFF = {
    "police": {"pattern": "2x12", "count": 1},
    "grid_worker": {"pattern": "day", "count": 1},
    "enforcement": {"pattern": "day", "count": 1},
    "market_regulation": {"pattern": "day", "count": 1},
    "mediator": {"pattern": "day", "count": 1},
    "lawyer": {"pattern": "day", "count": 1},
    "volunteer": {
        "pattern": "custom",
        "cover_24h": False,
        "shifts": [{"start_hour": 18, "hours": 4, "count": 1}],
    },
}
POLICE_STATION_STAFF = {"police": {"pattern": "3x8", "counts": [2, 3, 3]}}
SHARED_KEYS = ("roles", "deterrence", "joint_categories", "travel", "incident_types")
OUT = Path(__file__).with_name("scenario.yaml")
NAME = "zhejiang_712"


def hotspots(rng: np.random.Generator) -> dict[str, dict[str, float]]:
    """A county town and 1-3 townships per district, as Gaussian blobs."""
    width, height = WIDTH_KM / N_COLUMNS, HEIGHT_KM / N_ROWS
    spots: dict[str, dict[str, float]] = {}
    for row in range(N_ROWS):
        for column in range(N_COLUMNS):
            district = f"d{row * N_COLUMNS + column + 1:02d}"
            x0, y0 = column * width, row * height
            town = float(rng.lognormal(*TOWN_WEIGHT))
            n_townships = int(rng.integers(1, 4))
            for k in range(n_townships + 1):
                x = x0 + width * float(rng.uniform(0.2, 0.8))
                y = y0 + height * float(rng.uniform(0.2, 0.8))
                is_town = k == 0
                weight = town if is_town else town * float(rng.uniform(*TOWNSHIP_SHARE))
                spread = float(rng.uniform(2.0, 4.0) if is_town else rng.uniform(1.0, 2.0))
                name = f"{district}_town" if is_town else f"{district}_township{k}"
                spots[name] = {
                    "x_km": round(x, 2),
                    "y_km": round(y, 2),
                    "weight": round(weight, 4),
                    "spread_km": round(spread, 2),
                }
    return spots


def shares(weights: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers proportional to `weights` summing to `total` (largest remainder)."""
    exact = weights / weights.sum() * total
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


def stations(spots: dict[str, dict[str, float]], rng: np.random.Generator) -> dict[str, dict]:
    """Joint-duty stations near demand, and a police station in every county town."""
    names = list(spots)
    n_joint = shares(np.array([spots[n]["weight"] for n in names]), N_JOINT_DUTY)
    placed: dict[str, dict] = {}
    for name, n in zip(names, n_joint, strict=True):
        spot = spots[name]
        if name.endswith("_town"):  # the county's police station, in its county town
            placed[f"ps_{name[:3]}"] = _station("police_station", spot["x_km"] + 0.5, spot["y_km"])
        phase = float(rng.uniform(0, 2 * np.pi))
        for k in range(n):
            ring, index = _ring_position(k)
            angle = phase + 2 * np.pi * index / max(1, 6 * ring)
            x = spot["x_km"] + RING_SPACING * ring * spot["spread_km"] * float(np.cos(angle))
            y = spot["y_km"] + RING_SPACING * ring * spot["spread_km"] * float(np.sin(angle))
            placed[f"jd_{name}_{k + 1}"] = _station("joint_duty", x, y)
    return placed


def _ring_position(k: int) -> tuple[int, int]:
    """Station k of a hotspot: the centre, then rings of 6, 12, 18, ... (hexagonal packing)."""
    ring, first = 0, 0
    while k >= first + max(1, 6 * ring):
        first += max(1, 6 * ring)
        ring += 1
    return ring, k - first


def _station(kind: str, x: float, y: float) -> dict:
    return {
        "kind": kind,
        "x_km": round(min(max(x, 0.0), WIDTH_KM), 2),
        "y_km": round(min(max(y, 0.0), HEIGHT_KM), 2),
        "staff": f"${{{NAME}.{kind}}}",  # one shared staff block: a small file, fast to load
    }


def future_city() -> dict[str, object]:
    """The calibrated after scenario, composed (interpolations resolved)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from sim.sweep.compose import compose_config

    return compose_config(["scenario=future_city_2021"])


def _waiting_at_stations(roles: object) -> dict[str, dict]:
    """The roles with the `station` routine: the province's staff wait at their stations
    between calls, and it has no prevention from presence (only deterrence). Its rosters put
    several units on duty for each call; moving agents would add, per unit-shift, a walk to
    its route and its presence reports, and per job a wake and a release."""
    assert isinstance(roles, dict)
    return {name: {k: v for k, v in role.items() if k != "routine"} for name, role in roles.items()}


def scenario_text() -> str:
    """The whole scenario file, deterministically."""
    rng = np.random.default_rng(SEED)
    spots = hotspots(rng)
    placed = stations(spots, rng)
    base = future_city()
    demand = dict(base["demand"])  # type: ignore[arg-type]
    demand["per_day"] = CALLS_PER_DAY
    head = {
        "name": NAME,
        "description": "Synthetic province: 90 county districts, 712 joint-duty stations.",
        "dispatch": {"policy": "nearest"},
        "demand": demand,
        **{key: base[key] for key in SHARED_KEYS},
        "roles": _waiting_at_stations(base["roles"]),
        NAME: {"joint_duty": JOINT_DUTY_STAFF, "police_station": POLICE_STATION_STAFF},
    }
    region = {"width_km": WIDTH_KM, "height_km": HEIGHT_KM, "background_weight": BACKGROUND_WEIGHT}
    lines = [
        "# GENERATED by scenarios/zhejiang_712/generate.py (seed 712) from the calibrated",
        "# future_city_2021 scenario; do not edit: change generate.py and run it again.",
        "# Every number is an assumption for scale studies: see README.md beside this file.",
        yaml.safe_dump(head, sort_keys=False, width=100).rstrip(),
        "region:",
        *(f"  {k}: {v}" for k, v in region.items()),
        "  hotspots:",
        *(f"    {name}: {_flow(spot)}" for name, spot in spots.items()),
        "stations:",
        *(f"  {name}: {_flow(station)}" for name, station in placed.items()),
    ]
    return "\n".join(lines) + "\n"


def _flow(value: object) -> str:
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000).strip()


def main() -> None:
    from sim.results.tables import write_atomic

    text = scenario_text()
    write_atomic(OUT, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    print(f"written {OUT}")


if __name__ == "__main__":
    main()
