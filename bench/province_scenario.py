"""The province for the scale benchmark: the shipped `zhejiang_712`, else a synthetic one.

Where the shipped province scenario (`zhejiang_712`) is missing, or a smaller province is
asked for (the quick smoke run), the benchmark builds one from
the Taozhu district of `future_city_2021`: 89 copies of the district (10 x 9.5 km, its
hotspots, its incident types and roles) laid out on a 10 x 9 grid, each with 8 joint-duty
stations staffed like Future City's and 140 calls a day (four times Taozhu's 35, for four
times the stations), so 12,460 calls a day and about 4.5 million a year.
"""

from __future__ import annotations

import copy

from sim.config.scenario import JobConfig, validate
from sim.config.shipped import scenario_names
from sim.sweep.compose import compose_config

N_DISTRICTS, STATIONS_PER_DISTRICT, GRID_COLUMNS = 89, 8, 10
CALLS_PER_DISTRICT_DAY = 140.0
SHIPPED_PROVINCE = "zhejiang_712"
STATION_OFFSETS_KM = ((-1.0, 0.0), (1.0, 0.0), (0.0, -1.2), (0.0, 1.2))


def province_job(n_districts: int | None = None) -> JobConfig:
    """The shipped province scenario (`n_districts` None) if there is one, else the synthetic
    one with `n_districts` (default 89) districts."""
    if n_districts is None and SHIPPED_PROVINCE in scenario_names():
        return validate(compose_config([f"scenario={SHIPPED_PROVINCE}"]))
    return validate(synthetic_province(n_districts or N_DISTRICTS))


def synthetic_province(n_districts: int) -> dict[str, object]:
    """The composed config of the synthetic province, as a plain mapping."""
    config = compose_config(["scenario=future_city_2021"])
    config.pop("future_city_2021", None)  # the scenario's own parameter block
    district = config["region"]
    joint_duty = config["stations"]["future_city_joint_duty"]  # type: ignore[index]
    width, height = float(district["width_km"]), float(district["height_km"])  # type: ignore[index]
    rows = -(-n_districts // GRID_COLUMNS)
    hotspots, stations = {}, {}
    for d in range(n_districts):
        x0, y0 = (d % GRID_COLUMNS) * width, (d // GRID_COLUMNS) * height
        for name, spot in district["hotspots"].items():  # type: ignore[index]
            hotspots[f"d{d:02d}_{name}"] = {
                **spot,
                "x_km": spot["x_km"] + x0,
                "y_km": spot["y_km"] + y0,
            }
        centres = [(s["x_km"], s["y_km"]) for s in district["hotspots"].values()]  # type: ignore[index]
        for k in range(STATIONS_PER_DISTRICT):
            cx, cy = centres[k % len(centres)]
            dx, dy = STATION_OFFSETS_KM[k // len(centres)] if k >= len(centres) else (0.0, 0.0)
            stations[f"d{d:02d}_js{k}"] = {
                **copy.deepcopy(joint_duty),
                "x_km": min(max(cx + dx + x0, x0), x0 + width),
                "y_km": min(max(cy + dy + y0, y0), y0 + height),
            }
    region = {
        **district,
        "background_weight": float(district["background_weight"]) * n_districts,
        "width_km": GRID_COLUMNS * width if rows > 1 else n_districts * width,
        "height_km": rows * height,
        "hotspots": hotspots,
    }
    config.update(
        name="synthetic_province",
        description=f"{n_districts} Taozhu-like districts, {len(stations)} joint-duty stations",
        region=region,
        stations=stations,
        demand={**config["demand"], "per_day": CALLS_PER_DISTRICT_DAY * n_districts},  # type: ignore[dict-item]
        areas={},
    )
    return config
