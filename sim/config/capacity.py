"""Offered load against capacity: refuse, before anything runs, a config no run could finish.

A replication draws its calls up front and keeps a record of each, so a rate of a million
calls a day on sixteen staff ran for minutes and grew past 2.6 GB before anyone saw a line.
Two checks catch such configs at validation: the calls a replication would draw must fit in
memory, and the work offered (calls per minute x mean handling x team size, at the
strongest deterrence) must not exceed the staff on duty (averaged over the week) many times
over. Travel and later stages are left out, so the load is a lower bound: only configs that
are overloaded beyond doubt are refused.
"""

from __future__ import annotations

import math

from sim.config.rosters import on_duty_minutes
from sim.config.scenario import (
    DistributionConfig,
    IncidentTypeConfig,
    RunConfig,
    ScenarioConfig,
)
from sim.config.schema import ConfigError
from sim.config.teams import team_slots

MAX_OVERLOAD = 10.0  # offered work may exceed the staff on duty at most this many times
MAX_CALLS_PER_REPLICATION = 1_000_000  # about 0.8 GB of model state and records
MIN_PER_DAY = 1440.0
WEEK_MIN = 7 * MIN_PER_DAY
Z_90 = 1.2815515655446004  # the standard normal's 90th percentile


def check_capacity(scenario: ScenarioConfig, run: RunConfig) -> None:
    """Refuse a config whose calls would not fit in memory or whose load is hopeless."""
    if scenario.incidents.source == "trace":
        return  # the trace, not the rate, says how many calls there are
    key, value, calls_per_day = _rate(scenario)
    warmup_days = 0.0 if run.warmup_days == "auto" else run.warmup_days
    n_calls = calls_per_day * (warmup_days + run.horizon_days)
    if n_calls > MAX_CALLS_PER_REPLICATION:
        raise ConfigError(
            key,
            value,
            f"about {n_calls:.3g} calls per replication (rate x (run.warmup_days + "
            f"run.horizon_days)); must be <= {MAX_CALLS_PER_REPLICATION:.0e} calls per "
            "replication: lower the rate or run.horizon_days",
        )
    busy = calls_per_day / MIN_PER_DAY * _work_per_call_min(scenario)
    on_duty = _staff_on_duty(scenario)
    if busy > MAX_OVERLOAD * on_duty:
        most = MAX_OVERLOAD * on_duty / busy * calls_per_day
        raise ConfigError(
            key,
            value,
            f"offers work for {busy:,.0f} staff at once (calls x mean handling x team size) "
            f"to {on_duty:,.1f} staff on duty on average; must be <= {MAX_OVERLOAD:g}x the "
            f"staff on duty (here <= {most:,.3g} calls per day)",
        )


def mean_min(spec: DistributionConfig) -> float:
    """The mean of a duration distribution (minutes)."""
    if spec.dist == "exponential":
        return float(spec.mean_min or 0.0)
    if spec.dist == "fixed":
        return float(spec.value_min or 0.0)
    if spec.dist == "lognormal":
        median, p90 = float(spec.median_min or 0.0), float(spec.p90_min or 0.0)
        sigma = math.log(p90 / median) / Z_90 if median > 0 and p90 > median else 0.0
        return median * math.exp(sigma**2 / 2)
    values = spec.values_min or (0.0,)
    return sum(values) / len(values)


def _rate(scenario: ScenarioConfig) -> tuple[str, float, float]:
    """(key, value, calls per day) of the rate the scenario sets."""
    demand = scenario.demand
    if demand.per_hour is not None:
        return "demand.per_hour", demand.per_hour, demand.per_hour * 24
    per_day = float(demand.per_day or 0.0)
    return "demand.per_day", per_day, per_day


def _work_per_call_min(scenario: ScenarioConfig) -> float:
    """Staff-minutes on scene per call of the stream, at the strongest deterrence."""
    types = scenario.incident_types
    total_share = sum(t.share for t in types.values())
    lowest_factor = min((d.factor for d in scenario.deterrence.values()), default=1.0)
    return sum(
        t.share / total_share * _thinning(t, lowest_factor) * _team_work_min(t)
        for t in types.values()
    )


def _thinning(incident_type: IncidentTypeConfig, lowest_factor: float) -> float:
    return lowest_factor if incident_type.deterrable else 1.0


def _team_work_min(incident_type: IncidentTypeConfig) -> float:
    n_units = sum(slot.count for slot in team_slots(incident_type.team).values())
    return n_units * mean_min(incident_type.handling)


def _staff_on_duty(scenario: ScenarioConfig) -> float:
    """Units on duty on average over a week, every station and role together."""
    unit_min = sum(
        on_duty_minutes(entry, 0.0, WEEK_MIN)
        for station in scenario.stations.values()
        for entry in station.staff.values()
    )
    return unit_min / WEEK_MIN
