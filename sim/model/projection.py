"""From latitude and longitude to the model's kilometres, and back.

The model places everything on a flat rectangle from (0, 0) to (width_km, height_km). A log
gives places as latitude and longitude. Over a city (tens of km) a local equirectangular
projection is accurate to well under 1 %: y is the distance north of an origin along the
meridian, x the distance east along the parallel, shrunk by cos(reference latitude).

`fit_projection` puts the origin at the south-west corner of the data's bounding box, robust to
geocoding errors (which put some calls in other cities or continents): on each axis it drops
the points beyond Tukey's far-out fences (3 interquartile ranges outside the quartiles), then
trims a small share at each end, so that the region's width and height come out in km. The
origin and reference latitude are written into a fitted district (`incidents.projection`) so
that replaying a trace later (`sim.model.replay`) lands every call on the same spot the fit saw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
KM_PER_DEG_LAT = EARTH_RADIUS_KM * math.pi / 180.0


@dataclass(frozen=True)
class Projection:
    """A local equirectangular projection: origin (south-west corner) and reference latitude."""

    origin_lat_deg: float
    origin_lon_deg: float
    ref_lat_deg: float

    @property
    def km_per_deg_lon(self) -> float:
        return KM_PER_DEG_LAT * math.cos(math.radians(self.ref_lat_deg))

    def to_km(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(x_km east, y_km north) of the origin for each point."""
        x_km = (np.asarray(lon_deg, dtype=float) - self.origin_lon_deg) * self.km_per_deg_lon
        y_km = (np.asarray(lat_deg, dtype=float) - self.origin_lat_deg) * KM_PER_DEG_LAT
        return x_km, y_km

    def to_latlon(self, x_km: np.ndarray, y_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lat_deg, lon_deg) of points given in km from the origin."""
        lat_deg = self.origin_lat_deg + np.asarray(y_km, dtype=float) / KM_PER_DEG_LAT
        lon_deg = self.origin_lon_deg + np.asarray(x_km, dtype=float) / self.km_per_deg_lon
        return lat_deg, lon_deg


@dataclass(frozen=True)
class FittedFrame:
    """A projection fitted to a cloud of points, the region it spans and who lies inside."""

    projection: Projection
    width_km: float
    height_km: float
    inside: np.ndarray  # bool per input point: has a place inside the trimmed bounding box


def fit_projection(lat_deg: np.ndarray, lon_deg: np.ndarray, trim: float = 0.005) -> FittedFrame:
    """Origin at the south-west corner of the bounding box of the points, `trim` cut per axis.

    Points with a missing or out-of-range coordinate never count, nor do points beyond the
    far-out fences of either axis; of the rest, `trim` is the share dropped on each axis,
    half at each end. Raises ValueError when fewer than two valid points remain.
    """
    lat = np.asarray(lat_deg, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    valid = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    if valid.sum() < 2:
        raise ValueError("fewer than two points with a valid latitude and longitude")
    valid &= _within_fences(lat, valid) & _within_fences(lon, valid)
    lat_low, lat_high = np.quantile(lat[valid], [trim / 2, 1 - trim / 2])
    lon_low, lon_high = np.quantile(lon[valid], [trim / 2, 1 - trim / 2])
    if lat_high <= lat_low or lon_high <= lon_low:
        raise ValueError("the points do not span an area (all on one line or one spot)")
    inside = valid & (lat >= lat_low) & (lat <= lat_high) & (lon >= lon_low) & (lon <= lon_high)
    projection = Projection(
        origin_lat_deg=float(lat_low),
        origin_lon_deg=float(lon_low),
        ref_lat_deg=float((lat_low + lat_high) / 2),
    )
    width_km, height_km = projection.to_km(np.array([lat_high]), np.array([lon_high]))
    return FittedFrame(projection, float(width_km[0]), float(height_km[0]), inside)


def _within_fences(values: np.ndarray, valid: np.ndarray, k: float = 3.0) -> np.ndarray:
    """Inside [Q1 - k IQR, Q3 + k IQR] of the valid values (Tukey's far-out fences)."""
    q1, q3 = np.quantile(values[valid], [0.25, 0.75])
    spread = q3 - q1
    with np.errstate(invalid="ignore"):
        return (values >= q1 - k * spread) & (values <= q3 + k * spread)
