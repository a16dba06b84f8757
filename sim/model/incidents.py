"""The incident stream: when, what and where, drawn up front from its own random streams.

Arrivals follow a non-homogeneous Poisson process whose rate is piecewise constant by the
hour: the mean daily rate times an hour-of-day weight and a day-of-week weight (each
normalised to mean 1, so the long-run mean stays the configured rate; day 0 is a Monday).
Within an hour, the number of arrivals is Poisson and their times are uniform, which is exact
for a rate that is constant over the hour.

Everything about an incident that does not depend on staffing (time, type, place, handling
time, and whether visible presence deters it) is drawn here before the simulation starts,
each from its own named stream. Scenario variants that share a district and demand
therefore see the very same candidate incidents on the same seed (common random numbers),
whatever their stations, staff or dispatch policy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config.scenario import DemandConfig, ScenarioConfig
from sim.model.deterrence import deterred_mask
from sim.model.distributions import make_distribution
from sim.model.geography import sample_locations
from sim.model.streams import Streams

MIN_PER_HOUR = 60.0
MIN_PER_DAY = 1440.0


@dataclass(frozen=True)
class IncidentStream:
    """Pre-drawn incidents in arrival order; index i is incident id i."""

    t_arrival_min: np.ndarray
    type_index: np.ndarray
    x_km: np.ndarray
    y_km: np.ndarray
    handling_min: np.ndarray
    deterred: np.ndarray | None = None  # candidates prevented by visible presence

    def __len__(self) -> int:
        return len(self.t_arrival_min)


def hourly_rate_per_min(demand: DemandConfig, n_hours: int) -> np.ndarray:
    """The arrival rate (per minute) in each hour from t=0 (a Monday 00:00) for `n_hours`."""
    per_day = demand.per_day if demand.per_day is not None else 24.0 * float(demand.per_hour or 0)
    hour_weight = np.asarray(demand.hour_of_day, dtype=float)
    day_weight = np.asarray(demand.day_of_week, dtype=float)
    hour_weight = hour_weight / hour_weight.mean()
    day_weight = day_weight / day_weight.mean()
    hours = np.arange(n_hours)
    return per_day / MIN_PER_DAY * hour_weight[hours % 24] * day_weight[(hours // 24) % 7]


def draw_arrival_times(
    demand: DemandConfig, rng: np.random.Generator, t_end_min: float
) -> np.ndarray:
    """Sorted arrival times in [0, t_end_min) of the hour-by-hour Poisson process."""
    n_hours = int(np.ceil(t_end_min / MIN_PER_HOUR))
    hour_start_min = np.arange(n_hours) * MIN_PER_HOUR
    hour_length_min = np.minimum(MIN_PER_HOUR, t_end_min - hour_start_min)
    counts = rng.poisson(hourly_rate_per_min(demand, n_hours) * hour_length_min)
    starts = np.repeat(hour_start_min, counts)
    lengths = np.repeat(hour_length_min, counts)
    return np.sort(starts + rng.uniform(size=counts.sum()) * lengths)


def draw_incidents(scenario: ScenarioConfig, streams: Streams, t_end_min: float) -> IncidentStream:
    """All incidents arriving before `t_end_min`, with type, place and handling time."""
    t_arrival_min = draw_arrival_times(scenario.demand, streams["arrivals"], t_end_min)
    n = len(t_arrival_min)
    types = list(scenario.incident_types.values())
    shares = np.array([t.share for t in types], dtype=float)
    type_index = streams["types"].choice(len(types), size=n, p=shares / shares.sum())
    x_km, y_km = sample_locations(scenario.region, streams["locations"], n)
    handling_min = np.empty(n)
    for index, incident_type in enumerate(types):
        chosen = np.flatnonzero(type_index == index)
        sampler = make_distribution(incident_type.handling)
        handling_min[chosen] = sampler.sample(streams["handling"], len(chosen))
    return IncidentStream(
        t_arrival_min=t_arrival_min,
        type_index=type_index.astype(np.int32),
        x_km=x_km,
        y_km=y_km,
        handling_min=handling_min,
        deterred=draw_deterred(scenario, streams, type_index, x_km, y_km),
    )


def draw_deterred(
    scenario: ScenarioConfig,
    streams: Streams,
    type_index: np.ndarray,
    x_km: np.ndarray,
    y_km: np.ndarray,
) -> np.ndarray | None:
    """Which candidates visible presence deters (None without deterrence), from their own
    uniforms: the same for a sampled stream and a replayed trace."""
    if not scenario.deterrence or not any(t.deterrable for t in scenario.incident_types.values()):
        return None
    uniforms = streams["deterrence"].random(len(type_index))
    return deterred_mask(scenario, type_index, x_km, y_km, uniforms)
