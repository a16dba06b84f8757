"""Reading a scenario as a textbook queue, and refusing when it is not one.

The theory of each case holds only under its assumptions: Poisson arrivals at a constant rate,
exponential handling with one mean, negligible travel, one role, teams of a fixed size. These
functions read the numbers the theory needs *from the validated scenario that is simulated*,
so an override (`mmc.servers=5`) changes the simulation and the theory alike, and they raise a
`ConfigError` naming the key when an override breaks an assumption (a lognormal handling time
in the M/M/c case has no Erlang C answer).

The arrival-rate arithmetic here restates docs/config.md's definition (weights normalised to mean
1) independently of `sim.model.incidents`, so that the checks test that module rather than reuse it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config.scenario import DemandConfig, ScenarioConfig, SlotConfig
from sim.config.schema import ConfigError
from sim.config.teams import team_slots

MIN_PER_HOUR = 60.0
MIN_PER_DAY = 1440.0
NEGLIGIBLE_TRAVEL_SHARE = 1e-6  # longest trip / mean handling time below which travel is ~0


@dataclass(frozen=True)
class MarkovStation:
    """A scenario read as an M/M/c-type system: Poisson calls, exponential handling."""

    arrival_per_min: float
    service_mean_min: float
    role: str
    n_units: int
    team_size: int
    arrivals_per_min_by_priority: tuple[float, ...]  # most urgent (priority 1) first


def mean_arrival_per_min(demand: DemandConfig) -> float:
    """The long-run mean arrival rate per minute (`per_day` or `per_hour`)."""
    if demand.per_day is not None:
        return demand.per_day / MIN_PER_DAY
    return float(demand.per_hour or 0.0) / MIN_PER_HOUR


def hourly_rates_per_min(demand: DemandConfig) -> list[float]:
    """The 24 arrival rates of one day, per minute: mean rate times weight / mean weight."""
    weights = np.asarray(demand.hour_of_day, dtype=float)
    return [mean_arrival_per_min(demand) * w / float(weights.mean()) for w in weights]


def require_flat_week(demand: DemandConfig) -> None:
    if len(set(demand.day_of_week)) != 1:
        raise ConfigError(
            "demand.day_of_week", list(demand.day_of_week), "must be flat for this validation case"
        )


def require_flat_demand(demand: DemandConfig) -> None:
    """A constant arrival rate: flat hour-of-day and day-of-week profiles."""
    require_flat_week(demand)
    if len(set(demand.hour_of_day)) != 1:
        raise ConfigError(
            "demand.hour_of_day",
            list(demand.hour_of_day),
            "must be flat for this validation case (a constant Poisson rate)",
        )


def exponential_service_mean_min(scenario: ScenarioConfig) -> float:
    """The common mean of every type's exponential handling time."""
    means: set[float] = set()
    for name, incident_type in scenario.incident_types.items():
        handling = incident_type.handling
        if handling.dist != "exponential" or handling.mean_min is None:
            raise ConfigError(
                f"incident_types.{name}.handling.dist",
                handling.dist,
                "must be exponential for this validation case",
            )
        means.add(handling.mean_min)
    if len(means) != 1:
        raise ConfigError(
            "incident_types", sorted(means), "must share one handling mean (a common service rate)"
        )
    return means.pop()


def longest_trip_min(scenario: ScenarioConfig) -> float:
    """An upper bound on any trip: turnout plus the region's diagonal at the role's speed."""
    region = scenario.region
    if scenario.travel.metric == "zero":
        distance_km = 0.0
    elif scenario.travel.metric == "manhattan":
        distance_km = region.width_km + region.height_km
    else:
        distance_km = scenario.travel.detour_factor * float(
            np.hypot(region.width_km, region.height_km)
        )
    return max(
        role.turnout_min + distance_km / role.speed_kmh * MIN_PER_HOUR
        for role in scenario.roles.values()
    )


def require_negligible_travel(scenario: ScenarioConfig, service_mean_min: float) -> None:
    trip_min = longest_trip_min(scenario)
    if trip_min > NEGLIGIBLE_TRAVEL_SHARE * service_mean_min:
        raise ConfigError(
            "travel",
            f"trips up to {trip_min:.3g} min",
            "must be negligible for this validation case: travel.metric=zero and turnout_min=0,"
            " or a huge speed_kmh",
        )


def single_role_team(scenario: ScenarioConfig) -> tuple[str, int]:
    """The one role and team size every incident type needs (no substitutes)."""
    teams: set[tuple[str, int]] = set()
    for name, incident_type in scenario.incident_types.items():
        slots: dict[str, SlotConfig] = team_slots(incident_type.team)
        if len(slots) != 1 or any(slot.substitutes for slot in slots.values()):
            raise ConfigError(
                f"incident_types.{name}.team",
                {role: slot.count for role, slot in slots.items()},
                "must be one role without substitutes for this validation case",
            )
        ((role, slot),) = slots.items()
        teams.add((role, slot.count))
    if len(teams) != 1:
        raise ConfigError("incident_types", sorted(teams), "must all need the same team")
    return teams.pop()


def require_core_model(scenario: ScenarioConfig) -> None:
    """No mechanism the textbook models lack: follow-ups, repeat calls, deterrence, rosters,
    call-outs. Each is off by default; an override that turns one on is refused."""
    for name, incident_type in scenario.incident_types.items():
        key = f"incident_types.{name}"
        if incident_type.stages:
            raise ConfigError(f"{key}.stages", len(incident_type.stages), _NOT_IN_THEORY)
        if incident_type.root_cause is not None:
            raise ConfigError(f"{key}.root_cause", "set", _NOT_IN_THEORY)
        if incident_type.deterrable and scenario.deterrence:
            raise ConfigError(f"{key}.deterrable", True, _NOT_IN_THEORY)
    for name, role in scenario.roles.items():
        if role.p_accept != 1.0 or role.callout_delay is not None:
            raise ConfigError(f"roles.{name}", "a call-out role", _NOT_IN_THEORY)
    for name, station in scenario.stations.items():
        for role, staff in station.staff.items():
            if not isinstance(staff, int):
                raise ConfigError(f"stations.{name}.staff.{role}", "a roster", _NOT_IN_THEORY)


_NOT_IN_THEORY = "must be off for this validation case (the theory has no such mechanism)"


def staff_count(scenario: ScenarioConfig, role: str) -> int:
    """Units of `role` on duty, over all stations (plain counts; see `require_core_model`)."""
    return sum(int(station.staff.get(role, 0)) for station in scenario.stations.values())


def markov_station(scenario: ScenarioConfig) -> MarkovStation:
    """Read a constant-rate, exponential, zero-travel scenario as an M/M/c-type system."""
    require_core_model(scenario)
    require_flat_demand(scenario.demand)
    service_mean_min = exponential_service_mean_min(scenario)
    require_negligible_travel(scenario, service_mean_min)
    role, team_size = single_role_team(scenario)
    arrival_per_min = mean_arrival_per_min(scenario.demand)
    types = scenario.incident_types.values()
    total_share = sum(t.share for t in types)
    by_priority: dict[int, float] = {}
    for incident_type in types:
        share = incident_type.share / total_share
        by_priority[incident_type.priority] = by_priority.get(incident_type.priority, 0.0) + share
    return MarkovStation(
        arrival_per_min=arrival_per_min,
        service_mean_min=service_mean_min,
        role=role,
        n_units=staff_count(scenario, role),
        team_size=team_size,
        arrivals_per_min_by_priority=tuple(
            arrival_per_min * by_priority[p] for p in sorted(by_priority)
        ),
    )


def require_one_station(scenario: ScenarioConfig) -> None:
    if len(scenario.stations) != 1:
        raise ConfigError(
            "stations", list(scenario.stations), "must be exactly one for this validation case"
        )


def require_team_size(system: MarkovStation, team_size: int, key: str = "team") -> None:
    if system.team_size != team_size:
        raise ConfigError(
            f"incident_types.*.{key}",
            system.team_size,
            f"must need {team_size} unit(s) for this validation case",
        )
