"""The typed description of a scenario and of a run, and its validation.

A scenario is data, not code: the region and its demand hotspots, the roles staff can hold,
the incident types (share of the stream, priority, the team each needs, on-scene handling
time), the arrival profile, the stations with their staff, how travel is measured and which
dispatch policy applies. `RunConfig` says how long and how often to simulate it.

`validate(mapping)` turns the plain mapping that Hydra composed into these frozen dataclasses
and checks what one field alone cannot (a team naming an undeclared role, a station outside
the region, a team no station can ever field). It raises `ConfigError` naming the key, the
value and what is allowed. Nothing here imports Hydra or SimPy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from sim.schema import ConfigError, bounded, build

DistributionKind = Literal["exponential", "fixed", "lognormal", "empirical"]
StationKind = Literal["police_station", "police_room", "joint_duty"]
TravelMetric = Literal["euclidean", "manhattan", "zero"]
DispatchPolicyName = Literal["nearest", "borrow"]

N_HOURS_PER_DAY = 24
N_DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class HotspotConfig:
    """A demand concentration (an estate, a market): a Gaussian blob around a centre."""

    x_km: float
    y_km: float
    weight: float = field(metadata=bounded(gt=0))
    spread_km: float = field(metadata=bounded(gt=0))


@dataclass(frozen=True)
class RegionConfig:
    """The district: a rectangle from (0, 0) to (width_km, height_km) with hotspots."""

    width_km: float = field(metadata=bounded(gt=0))
    height_km: float = field(metadata=bounded(gt=0))
    background_weight: float = field(default=1.0, metadata=bounded(ge=0))
    hotspots: dict[str, HotspotConfig] = field(default_factory=dict)


@dataclass(frozen=True)
class RoleConfig:
    """A kind of staff: how fast they travel, how long they take to set off, what they cost."""

    speed_kmh: float = field(metadata=bounded(gt=0))
    cost_per_hour: float = field(default=0.0, metadata=bounded(ge=0))
    turnout_min: float = field(default=0.0, metadata=bounded(ge=0))


@dataclass(frozen=True)
class DistributionConfig:
    """A duration distribution in minutes; which fields it needs depends on `dist`."""

    dist: DistributionKind
    mean_min: float | None = field(default=None, metadata=bounded(gt=0))
    value_min: float | None = field(default=None, metadata=bounded(ge=0))
    median_min: float | None = field(default=None, metadata=bounded(gt=0))
    p90_min: float | None = field(default=None, metadata=bounded(gt=0))
    values_min: tuple[float, ...] | None = None


@dataclass(frozen=True)
class SlotConfig:
    """A place in a team: `count` units of a role, or of its substitutes in the given order.

    A count of 0 removes the role from a team inherited from a shared district file.
    """

    count: int = field(default=1, metadata=bounded(ge=0))
    substitutes: tuple[str, ...] = ()


@dataclass(frozen=True)
class IncidentTypeConfig:
    """A kind of incident: its share of the stream, priority, team and handling time."""

    share: float = field(metadata=bounded(gt=0))
    priority: int = field(metadata=bounded(ge=1))
    team: dict[str, int | SlotConfig]
    handling: DistributionConfig


@dataclass(frozen=True)
class DemandConfig:
    """The arrival process: a mean rate shaped by hour-of-day and day-of-week weights."""

    per_day: float | None = field(default=None, metadata=bounded(gt=0))
    per_hour: float | None = field(default=None, metadata=bounded(gt=0))
    hour_of_day: tuple[float, ...] = (1.0,) * N_HOURS_PER_DAY
    day_of_week: tuple[float, ...] = (1.0,) * N_DAYS_PER_WEEK


@dataclass(frozen=True)
class StationConfig:
    """A place where staff are based, with the number of units of each role on duty."""

    kind: StationKind
    x_km: float
    y_km: float
    staff: dict[str, int]


@dataclass(frozen=True)
class TravelConfig:
    """How distance becomes travel time: Euclidean times a detour factor, Manhattan, or zero."""

    metric: TravelMetric = "euclidean"
    detour_factor: float = field(default=1.3, metadata=bounded(ge=1))


@dataclass(frozen=True)
class DispatchConfig:
    """Which pure dispatch policy of `sim.dispatch` decides when no station can field a team."""

    policy: DispatchPolicyName = "nearest"


@dataclass(frozen=True)
class ScenarioConfig:
    """Everything one replication of the model needs, apart from its random streams."""

    name: str
    region: RegionConfig
    roles: dict[str, RoleConfig]
    incident_types: dict[str, IncidentTypeConfig]
    demand: DemandConfig
    stations: dict[str, StationConfig]
    description: str = ""
    travel: TravelConfig = field(default_factory=TravelConfig)
    dispatch: DispatchConfig = field(default_factory=DispatchConfig)


@dataclass(frozen=True)
class RunConfig:
    """How to run a scenario: replications of `horizon_days` after `warmup_days`, from `seed`."""

    replications: int = field(default=5, metadata=bounded(ge=1))
    horizon_days: float = field(default=28.0, metadata=bounded(gt=0, le=3660))
    warmup_days: float = field(default=1.0, metadata=bounded(ge=0, le=3660))
    seed: int = field(default=20210201, metadata=bounded(ge=0))


@dataclass(frozen=True)
class JobConfig:
    """A validated job: the scenario and how to run it."""

    scenario: ScenarioConfig
    run: RunConfig


def validate(mapping: Mapping[str, object]) -> JobConfig:
    """Validate a composed config (scenario keys at top level plus `run`) into a `JobConfig`."""
    data = dict(mapping)
    data.pop("hydra", None)
    name = data.get("name")
    if isinstance(name, str):
        data.pop(name, None)  # a scenario may expose its own parameters under its name
    run = build(RunConfig, data.pop("run", {}), "run")
    scenario = build(ScenarioConfig, data, "")
    check_scenario(scenario)
    return JobConfig(scenario=scenario, run=run)


def check_scenario(scenario: ScenarioConfig) -> None:
    """Check the relations between fields; raise `ConfigError` on the first problem."""
    _require_nonempty("roles", scenario.roles)
    _require_nonempty("incident_types", scenario.incident_types)
    _require_nonempty("stations", scenario.stations)
    _check_region(scenario.region)
    _check_demand(scenario.demand)
    for type_name, incident_type in scenario.incident_types.items():
        _check_team(f"incident_types.{type_name}.team", incident_type.team, scenario.roles)
        _check_distribution(f"incident_types.{type_name}.handling", incident_type.handling)
    for station_name, station in scenario.stations.items():
        _check_station(f"stations.{station_name}", station, scenario)
    for type_name, incident_type in scenario.incident_types.items():
        _check_team_can_be_fielded(type_name, incident_type, scenario)


def team_slots(team: Mapping[str, int | SlotConfig]) -> dict[str, SlotConfig]:
    """The team as slots (a bare count `police: 2` is a slot without substitutes); count 0 drops."""
    slots = {
        role: slot if isinstance(slot, SlotConfig) else SlotConfig(count=slot)
        for role, slot in team.items()
    }
    return {role: slot for role, slot in slots.items() if slot.count > 0}


def _require_nonempty(key: str, value: Mapping[str, object]) -> None:
    if not value:
        raise ConfigError(key, dict(value), "must declare at least one entry")


def _check_region(region: RegionConfig) -> None:
    for name, hotspot in region.hotspots.items():
        _check_inside(f"region.hotspots.{name}", hotspot.x_km, hotspot.y_km, region)
    if region.background_weight == 0 and not region.hotspots:
        raise ConfigError("region.background_weight", 0.0, "must be > 0 when there are no hotspots")


def _check_inside(key: str, x_km: float, y_km: float, region: RegionConfig) -> None:
    if not 0 <= x_km <= region.width_km:
        raise ConfigError(f"{key}.x_km", x_km, f"must lie in the region, 0 to {region.width_km:g}")
    if not 0 <= y_km <= region.height_km:
        raise ConfigError(f"{key}.y_km", y_km, f"must lie in the region, 0 to {region.height_km:g}")


def _check_demand(demand: DemandConfig) -> None:
    if (demand.per_day is None) == (demand.per_hour is None):
        raise ConfigError(
            "demand.per_day", demand.per_day, "set exactly one of demand.per_day, demand.per_hour"
        )
    _check_weights("demand.hour_of_day", demand.hour_of_day, N_HOURS_PER_DAY)
    _check_weights("demand.day_of_week", demand.day_of_week, N_DAYS_PER_WEEK)


def _check_weights(key: str, weights: tuple[float, ...], n_expected: int) -> None:
    if len(weights) != n_expected:
        raise ConfigError(key, list(weights), f"must list exactly {n_expected} weights")
    for index, weight in enumerate(weights):
        if weight < 0:
            raise ConfigError(f"{key}.{index}", weight, "must be >= 0")
    if sum(weights) <= 0:
        raise ConfigError(key, list(weights), "must have a positive sum")


def _check_team(
    key: str, team: Mapping[str, int | SlotConfig], roles: Mapping[str, object]
) -> None:
    declared = ", ".join(roles)
    for role, slot in team.items():
        count = slot.count if isinstance(slot, SlotConfig) else slot
        if role not in roles:
            raise ConfigError(
                f"{key}.{role}", role, f"is not a declared role; declared: {declared}"
            )
        if count < 0:
            raise ConfigError(f"{key}.{role}", count, "must be a count >= 0 (0 removes the role)")
    if not team_slots(team):
        raise ConfigError(key, dict(team), "must need at least one unit of some role")
    for role, slot in team_slots(team).items():
        for substitute in slot.substitutes:
            if substitute not in roles or substitute == role:
                raise ConfigError(
                    f"{key}.{role}.substitutes",
                    substitute,
                    f"must be another declared role; declared: {declared}",
                )


def _check_distribution(key: str, spec: DistributionConfig) -> None:
    needed = {
        "exponential": ("mean_min",),
        "fixed": ("value_min",),
        "lognormal": ("median_min", "p90_min"),
        "empirical": ("values_min",),
    }[spec.dist]
    for name in needed:
        if getattr(spec, name) is None:
            raise ConfigError(f"{key}.{name}", None, f"is required when dist={spec.dist}")
    if spec.dist == "lognormal" and spec.p90_min is not None and spec.median_min is not None:
        if spec.p90_min <= spec.median_min:
            raise ConfigError(f"{key}.p90_min", spec.p90_min, "must be > median_min")
    if spec.dist == "empirical" and spec.values_min is not None:
        if not spec.values_min or min(spec.values_min) < 0:
            raise ConfigError(f"{key}.values_min", list(spec.values_min), "must be values >= 0")


def _check_station(key: str, station: StationConfig, scenario: ScenarioConfig) -> None:
    _check_inside(key, station.x_km, station.y_km, scenario.region)
    declared = ", ".join(scenario.roles)
    for role, count in station.staff.items():
        if role not in scenario.roles:
            raise ConfigError(
                f"{key}.staff.{role}", role, f"is not a declared role; declared: {declared}"
            )
        if count < 0:
            raise ConfigError(f"{key}.staff.{role}", count, "must be a count >= 0")


def _check_team_can_be_fielded(
    type_name: str, incident_type: IncidentTypeConfig, scenario: ScenarioConfig
) -> None:
    slots = team_slots(incident_type.team)
    staffs = [station.staff for station in scenario.stations.values()]
    if scenario.dispatch.policy == "borrow":
        staffs = [_total_staff(staffs)]
    if not any(_staff_covers(slots, staff) for staff in staffs):
        where = "all stations together" if scenario.dispatch.policy == "borrow" else "any station"
        raise ConfigError(
            f"incident_types.{type_name}.team",
            {role: slot.count for role, slot in slots.items()},
            f"cannot be fielded by {where} (policy {scenario.dispatch.policy}); add staff",
        )


def _total_staff(staffs: list[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for staff in staffs:
        for role, count in staff.items():
            total[role] = total.get(role, 0) + count
    return total


def _staff_covers(slots: Mapping[str, SlotConfig], staff: Mapping[str, int]) -> bool:
    from sim.dispatch import field_team  # the same rule the dispatcher uses

    return field_team(slots, staff) is not None
