"""District maps: stations, hotspots, call density, the slow places, and the province."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.model.replication import Model
from sim.model.staff import seat_routes
from sim.model.streams import Streams
from sim.report import maps
from sim.sweep.compose import compose_job

REPO = Path(__file__).resolve().parents[2]


def _incidents(n: int, seed: int, slow_east: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 10, n), rng.uniform(0, 9.5, n)
    response = np.where((x > 5) & slow_east, 40.0, 10.0)
    t_arrival = np.sort(rng.uniform(0, 4 * 1440, n))
    return pd.DataFrame(
        {
            "replication": 0,
            "incident_id": np.arange(n),
            "original_id": np.arange(n),
            "x_km": x,
            "y_km": y,
            "t_arrival": t_arrival,
            "t_resolved": t_arrival + 3 * response,
            "response_min": response,
            "station": "taozhu_police_station",
        }
    )


def test_demand_surface_integrates_to_the_scenarios_calls_per_day():
    scenario = compose_job(["scenario=taozhu_2019"]).scenario
    surface = maps.demand_surface(scenario, n=200)
    cell_km2 = scenario.region.width_km * scenario.region.height_km / 200**2
    total = surface["calls_per_day_km2"].sum() * cell_km2
    # hotspot tails outside the rectangle are lost (the model clips them onto the edge)
    assert total == pytest.approx(scenario.demand.per_day, rel=0.05)


def test_median_response_map_shows_the_slow_half_of_the_district_in_minutes():
    scenario = compose_job(["scenario=taozhu_2019"]).scenario
    figure, note = maps.run_map(scenario, _incidents(4000, 1, slow_east=True))
    response_axes = figure.axes[1]
    cells = response_axes.collections[0]
    centres = np.asarray(cells.get_offsets())
    values = np.asarray(cells.get_array())
    assert set(np.round(values[centres[:, 0] > 6])) == {40.0}
    assert set(np.round(values[centres[:, 0] < 4])) == {10.0}
    assert "(minutes)" in figure.axes[4].get_ylabel()  # the response panel's colour bar
    assert "matters.parquet absent" in note  # settlement read from calls, and said so


def test_comparison_map_puts_before_and_after_on_one_scale_and_shows_their_difference():
    scenario = compose_job(["scenario=taozhu_2019"]).scenario
    before = (scenario, _incidents(4000, 2, slow_east=True), None)
    after = (scenario, _incidents(4000, 2, slow_east=False), None)
    figure, _ = maps.comparison_map(before, after)
    grid = [a for a in figure.axes if a.get_label() != "<colorbar>"]
    c0, c1, diff = (grid[i].collections[0] for i in (3, 4, 5))  # the response row
    assert c0.norm.vmin == c1.norm.vmin and c0.norm.vmax == c1.norm.vmax
    east = np.asarray(diff.get_offsets())[:, 0] > 6
    assert np.allclose(np.asarray(diff.get_array())[east], -30.0)


@pytest.mark.slow
def test_the_province_is_drawn_as_districts_one_colour_each():
    scenario = compose_job(["scenario=zhejiang_712"]).scenario
    grid, names = maps.district_grid(scenario)
    assert len(names) == 90 and set(np.unique(grid)) <= set(range(90))
    image = np.asarray(maps.scenario_map(scenario).axes[0].images[0].get_array())
    for district in np.unique(grid):
        assert np.ptp(image[grid == district]) == 0  # one colour per district
    assert len(np.unique(image)) > 10  # and districts differ


@pytest.mark.slow
def test_map_command_writes_the_picture_and_refuses_two_scenarios(tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "sim", "map", *args]
        return subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=300)

    result = run("taozhu_2019", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"
    refused = run("taozhu_2019", "future_city_2021")
    assert refused.returncode == 2
    assert "SCENARIO" in refused.stderr and "at most one" in refused.stderr


def test_the_scenario_map_draws_the_routes_a_run_walks():
    scenario = compose_job(["scenario=future_city_2021"]).scenario
    routes = seat_routes(scenario, Streams(7, 0))
    kinds = {(r.station, r.role, r.kind) for r in routes}
    assert ("taozhu_police_station", "police", "patrol") in kinds
    assert ("future_city_joint_duty", "grid_worker", "grid_walk") in kinds
    assert ("future_city_joint_duty", "volunteer", "post") in kinds
    model = Model(scenario, Streams(7, 0), warmup_min=0.0, horizon_min=1440.0)
    model.run()
    walked = {key: route for key, (route, _) in model.staff.routes.items()}
    names, roles = list(scenario.stations), list(scenario.roles)
    n_compared = 0
    for seat in routes:  # the map's routes are those the run's units walked
        key = (names.index(seat.station), roles.index(seat.role), seat.seat)
        if key in walked:
            assert walked[key].stops == seat.route.stops
            n_compared += 1
    assert len(walked) >= len(routes) // 2
    assert n_compared == len(walked)  # every route walked is one the map draws
    axes = maps.scenario_map(scenario, routes).axes[0]
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert "police patrol" in legend and "grid worker grid walk" in legend
    drawn = [line for line in axes.lines if line.get_linestyle() == "-"]
    assert len(drawn) == sum(r.kind != "post" for r in routes)
