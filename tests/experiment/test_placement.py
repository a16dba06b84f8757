"""Station placement: the demand surface is the sampler's, and the p-median places well."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from sim.api import load_job
from sim.config.scenario import RegionConfig, TravelConfig
from sim.config.schema import ConfigError
from sim.experiment.placement import demand_surface, p_median, place_stations, road_distances
from sim.model.geography import sample_locations

EUCLID = TravelConfig(metric="euclidean", detour_factor=1.0)


def _placed(overrides: list[str]):
    return load_job("future_city_2021", overrides)


def test_the_demand_surface_is_the_distribution_the_location_sampler_draws_from():
    region = load_job("taozhu_2019").scenario.region
    x_km, y_km, mass = demand_surface(region, cell_km=1.0)
    assert mass.sum() == pytest.approx(1.0)
    xs, ys = sample_locations(region, np.random.default_rng(11), 200_000)
    n_x, n_y = len(np.unique(x_km)), len(np.unique(y_km))
    ix = np.minimum((xs / region.width_km * n_x).astype(int), n_x - 1)
    iy = np.minimum((ys / region.height_km * n_y).astype(int), n_y - 1)
    observed = np.bincount(iy * n_x + ix, minlength=mass.size)
    _chi2, p_value = stats.chisquare(observed, mass * observed.sum())
    assert p_value > 0.001


def test_one_station_for_one_hotspot_goes_to_the_hotspot():
    region = RegionConfig(
        width_km=10.0, height_km=10.0, background_weight=0.0, hotspots={"e": _hotspot(3.1, 7.2)}
    )
    x_km, y_km, mass = demand_surface(region, cell_km=0.25)
    cells = np.column_stack([x_km, y_km])
    (site,) = p_median(road_distances(EUCLID, cells, cells), mass, np.zeros((len(mass), 0)), 1)
    assert abs(x_km[site] - 3.1) <= 0.125 and abs(y_km[site] - 7.2) <= 0.125


def test_the_p_median_ends_where_no_single_swap_of_a_site_lowers_the_weighted_distance():
    rng = np.random.default_rng(3)
    for n_sites in (2, 3, 5):
        points = rng.uniform(0, 10, size=(60, 2))
        weight = rng.uniform(0.1, 1.0, size=60)
        distance = road_distances(EUCLID, points, points)
        chosen = p_median(distance, weight, np.zeros((60, 0)), n_sites)
        cost = weight @ distance[:, chosen].min(axis=1)
        for position, candidate in itertools.product(range(n_sites), range(60)):
            swapped = [*chosen[:position], candidate, *chosen[position + 1 :]]
            assert weight @ distance[:, swapped].min(axis=1) >= cost - 1e-9


def test_the_p_median_finds_the_optimum_of_two_separated_clusters():
    rng = np.random.default_rng(5)
    points = np.vstack([rng.normal((2, 2), 0.3, (30, 2)), rng.normal((8, 7), 0.3, (30, 2))])
    weight = np.ones(60)
    distance = road_distances(EUCLID, points, points)
    chosen = p_median(distance, weight, np.zeros((60, 0)), 2)
    best = min(
        weight @ distance[:, list(c)].min(axis=1) for c in itertools.combinations(range(60), 2)
    )
    assert weight @ distance[:, chosen].min(axis=1) == pytest.approx(best, rel=1e-12)


def test_more_stations_mean_shorter_distances_to_the_demand():
    region = load_job("taozhu_2019").scenario.region
    x_km, y_km, mass = demand_surface(region, cell_km=0.5)
    cells = np.column_stack([x_km, y_km])
    distance = road_distances(EUCLID, cells, cells)
    costs = []
    for n in range(1, 6):
        chosen = p_median(distance, mass, np.zeros((len(mass), 0)), n)
        costs.append(mass @ distance[:, chosen].min(axis=1))
    assert all(later < earlier for earlier, later in itertools.pairwise(costs))


def test_placement_keeps_the_named_stations_and_staffs_the_new_ones_from_the_template():
    job = _placed(["placement.n_stations=3", "placement.keep=[taozhu_police_station]"])
    stations = job.scenario.stations
    assert list(stations) == ["taozhu_police_station", "placed_1", "placed_2", "placed_3"]
    template = load_job("future_city_2021").scenario.stations["future_city_joint_duty"].staff
    assert all(stations[f"placed_{i}"].staff == template for i in (1, 2, 3))
    assert all(stations[f"placed_{i}"].kind == "joint_duty" for i in (1, 2, 3))


def test_placement_is_deterministic_and_idempotent():
    overrides = ["scenario=taozhu_2019", "placement.n_stations=2", "+placement.staff.police=3"]
    first, second = load_job(None, overrides), load_job(None, overrides)
    assert first == second
    assert place_stations(first) == first
    assert first.scenario.stations["placed_1"].staff == {"police": 3}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("placement.keep=[nowhere]", "placement.keep = 'nowhere': is not a station"),
        ("+placement.staff.chef=1", "placement.staff.chef = 'chef': is not a declared role"),
        ("placement.n_stations=0", "placement.n_stations = 0: must be >= 1"),
        ("placement.cell_km=0.01", "placement.cell_km = 0.01: too fine for this region"),
    ],
)
def test_bad_placement_settings_are_config_errors(override, message):
    n = [] if "n_stations" in override else ["placement.n_stations=2"]
    with pytest.raises(ConfigError) as raised:
        _placed([*n, override])
    assert message in str(raised.value)


def test_placed_stations_that_cannot_field_a_team_are_a_config_error():
    # Officers only, no station kept: nobody can do the joint jobs.
    with pytest.raises(ConfigError, match=r"placement = .*placed stations: incident_types"):
        _placed(["placement.n_stations=2", "+placement.staff.police=2"])


def _hotspot(x_km: float, y_km: float):
    from sim.config.scenario import HotspotConfig

    return HotspotConfig(x_km=x_km, y_km=y_km, weight=1.0, spread_km=0.4)
