"""Latitude and longitude to km and back, and the robust frame fitted to a cloud of calls."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.model.projection import Projection, fit_projection


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance, written out independently of sim.model.projection."""
    radius_km = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius_km * math.asin(math.sqrt(a))


def test_km_distances_match_great_circle_distances_across_a_city():
    projection = Projection(origin_lat_deg=42.93, origin_lon_deg=-88.06, ref_lat_deg=43.06)
    points = [(42.95, -88.05), (43.18, -87.88), (43.05, -87.95), (42.94, -87.87)]
    for lat1, lon1 in points:
        for lat2, lon2 in points:
            x, y = projection.to_km(np.array([lat1, lat2]), np.array([lon1, lon2]))
            flat_km = math.hypot(x[1] - x[0], y[1] - y[0])
            # the east-west scale is exact at the reference latitude and off by about
            # tan(lat) * (lat - ref) (radians) elsewhere: the projection's known error bound
            worst = max(abs(lat1 - 43.06), abs(lat2 - 43.06))
            bound = math.tan(math.radians(43.2)) * math.radians(worst) + 1e-4
            assert flat_km == pytest.approx(haversine_km(lat1, lon1, lat2, lon2), rel=bound)


def test_the_origin_is_zero_and_north_and_east_are_positive():
    projection = Projection(origin_lat_deg=34.0, origin_lon_deg=-118.5, ref_lat_deg=34.1)
    x, y = projection.to_km(np.array([34.0, 34.1, 34.0]), np.array([-118.5, -118.5, -118.4]))
    assert (x[0], y[0]) == (0.0, 0.0)
    assert y[1] > 0 and x[1] == 0.0
    assert x[2] > 0 and y[2] == 0.0


def test_to_latlon_inverts_to_km():
    projection = Projection(origin_lat_deg=34.0, origin_lon_deg=-118.5, ref_lat_deg=34.1)
    lat = np.array([34.0, 34.2, 34.31])
    lon = np.array([-118.5, -118.2, -118.33])
    back_lat, back_lon = projection.to_latlon(*projection.to_km(lat, lon))
    np.testing.assert_allclose(back_lat, lat, atol=1e-12)
    np.testing.assert_allclose(back_lon, lon, atol=1e-12)


def test_the_frame_ignores_calls_geocoded_to_other_continents():
    rng = np.random.default_rng(5)
    lat = rng.uniform(43.0, 43.2, size=2000)
    lon = rng.uniform(-88.0, -87.9, size=2000)
    lat[:20], lon[:20] = 12.98, 77.6  # 1 % far away: more than the trim alone would cut
    lat[20], lon[20] = np.nan, -87.95  # a missing coordinate
    frame = fit_projection(lat, lon, trim=0.0)
    assert not frame.inside[:21].any()
    assert frame.inside[21:].all()
    assert frame.projection.origin_lat_deg == pytest.approx(lat[21:].min())
    assert frame.projection.origin_lon_deg == pytest.approx(lon[21:].min())
    height_km = haversine_km(lat[21:].min(), -88.0, lat[21:].max(), -88.0)
    assert frame.height_km == pytest.approx(height_km, rel=1e-6)


def test_trim_cuts_the_given_share_of_points_per_axis():
    rng = np.random.default_rng(6)
    lat = rng.uniform(43.0, 43.2, size=10_000)
    lon = rng.uniform(-88.0, -87.9, size=10_000)
    frame = fit_projection(lat, lon, trim=0.01)
    # 1 % per axis, two axes, nearly independent: about 2 % out
    assert 150 <= (~frame.inside).sum() <= 200


def test_a_frame_needs_points_that_span_an_area():
    with pytest.raises(ValueError, match="fewer than two"):
        fit_projection(np.array([43.0, np.nan]), np.array([-88.0, -88.0]))
    with pytest.raises(ValueError, match="do not span"):
        fit_projection(np.full(10, 43.0), np.linspace(-88, -87.9, 10))
