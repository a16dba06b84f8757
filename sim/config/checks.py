"""Validation of a composed config: types, cross-field checks, capacity and safe names.

`validate(mapping)` turns the plain mapping Hydra composed into the frozen dataclasses of
`sim.config.scenario` and then checks what one field alone cannot say is wrong: a team naming
an undeclared role, a station outside the region, a roster with overlapping shifts or a gap,
a follow-up stage with closed office hours, a team no station can ever field (by the rule the
dispatcher uses, `sim.config.teams.field_team`). Each problem raises one `ConfigError` naming
the key, the value and what is allowed.

A config must also be runnable on this machine (`sim.config.capacity`: no grossly overloaded
or oversized run) and safe (`sim.config.safety`: allowed `_target_`s, plain scenario names).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from pathlib import Path

from sim.config.capacity import check_capacity
from sim.config.prevention import check_prevention, check_prevention_names
from sim.config.rosters import check_roster, max_on_duty
from sim.config.safety import check_plain_name
from sim.config.scenario import (
    MAX_DURATION_MIN,
    MAX_ROUTINE_SPEED_KMH,
    MIN_VISIT_MIN,
    N_DAYS_PER_WEEK,
    N_HOURS_PER_DAY,
    DemandConfig,
    DistributionConfig,
    IncidentTypeConfig,
    JobConfig,
    OfficeHoursConfig,
    PlacementConfig,
    RegionConfig,
    RoleConfig,
    RosterConfig,
    RunConfig,
    ScenarioConfig,
    SlotConfig,
    StationConfig,
)
from sim.config.schema import ConfigError, build
from sim.config.teams import field_team, team_slots

STATION_KINDS = ("police_station", "police_room", "joint_duty", "agency_office")
MAX_UNITS = 100_000


def validate(mapping: Mapping[str, object]) -> JobConfig:
    """Validate a composed config (scenario keys at top level plus `run`) into a `JobConfig`."""
    data = dict(mapping)
    data.pop("hydra", None)
    name = data.get("name")
    reserved = {f.name for f in dataclasses.fields(ScenarioConfig)} | {"run", "placement"}
    if isinstance(name, str) and name not in reserved:
        data.pop(name, None)  # a scenario may expose its own parameters under its name
    run = build(RunConfig, data.pop("run", {}), "run")
    placement = build(PlacementConfig, data.pop("placement", None) or {}, "placement")
    scenario = build(ScenarioConfig, data, "")
    check_run(run)
    check_scenario(scenario)
    check_capacity(scenario, run)
    return JobConfig(scenario=scenario, run=run, placement=placement)


MAX_CROSSING_MIN = 7 * 24 * 60.0  # the longest trip across the region a role may need


def check_run(run: RunConfig) -> None:
    """Relations between the run's fields (the replication bounds must not cross)."""
    if run.max_replications < run.min_replications:
        raise ConfigError(
            "run.max_replications",
            run.max_replications,
            f"must be >= run.min_replications ({run.min_replications})",
        )


def check_scenario(scenario: ScenarioConfig) -> None:
    """Check the relations between fields; raise `ConfigError` on the first problem."""
    check_plain_name("name", scenario.name)
    _require_nonempty("roles", scenario.roles)
    _require_nonempty("incident_types", scenario.incident_types)
    _require_nonempty("stations", scenario.stations)
    _check_region(scenario.region)
    _check_demand(scenario.demand)
    check_prevention(scenario.prevention)
    check_prevention_names(scenario.prevention, scenario.roles, scenario.incident_types)
    for role_name, role in scenario.roles.items():
        _check_crossing(f"roles.{role_name}.speed_kmh", role.speed_kmh, scenario)
        if role.callout_delay is not None:
            _check_distribution(f"roles.{role_name}.callout_delay", role.callout_delay)
        _check_routine(f"roles.{role_name}", role)
    for type_name, incident_type in scenario.incident_types.items():
        _check_incident_type(f"incident_types.{type_name}", incident_type, scenario)
    for station_name, station in scenario.stations.items():
        _check_station(f"stations.{station_name}", station, scenario)
    _check_deterrence_and_categories(scenario)
    _check_incident_source(scenario)
    for type_name, incident_type in scenario.incident_types.items():
        key = f"incident_types.{type_name}"
        _check_team_can_be_fielded(f"{key}.team", incident_type.team, scenario)
        for index, stage in enumerate(incident_type.stages):
            _check_team_can_be_fielded(f"{key}.stages.{index}.team", stage.team, scenario)


def _check_incident_type(
    key: str, incident_type: IncidentTypeConfig, scenario: ScenarioConfig
) -> None:
    _check_team(f"{key}.team", incident_type.team, scenario.roles)
    _check_distribution(f"{key}.handling", incident_type.handling)
    for index, stage in enumerate(incident_type.stages):
        stage_key = f"{key}.stages.{index}"
        _check_team(f"{stage_key}.team", stage.team, scenario.roles)
        _check_distribution(f"{stage_key}.handling", stage.handling)
        _check_distribution(f"{stage_key}.delay", stage.delay)
        if stage.office_hours is not None:
            _check_office_hours(f"{stage_key}.office_hours", stage.office_hours)
    root_cause = incident_type.root_cause
    if root_cause is not None:
        _check_roles_declared(f"{key}.root_cause.roles", root_cause.roles, scenario.roles)
        _check_distribution(f"{key}.root_cause.repeat_delay", root_cause.repeat_delay)


def _check_crossing(key: str, speed_kmh: float, scenario: ScenarioConfig) -> None:
    """A role must cross the region (corner to corner, by the travel metric) within a week."""
    region, travel = scenario.region, scenario.travel
    if travel.metric == "zero":
        return
    if travel.metric == "manhattan":
        crossing_km = region.width_km + region.height_km
    else:
        crossing_km = math.hypot(region.width_km, region.height_km) * travel.detour_factor
    crossing_min = crossing_km / speed_kmh * 60.0
    if crossing_min > MAX_CROSSING_MIN:
        lowest = crossing_km / MAX_CROSSING_MIN * 60.0
        raise ConfigError(
            key,
            speed_kmh,
            f"crossing the region ({crossing_km:g} km) would take {crossing_min:.0f} min; "
            f"must be >= {lowest:.3g} km/h so that it takes <= {MAX_CROSSING_MIN:.0f} min",
        )


def _check_office_hours(key: str, office: OfficeHoursConfig) -> None:
    if office.end_hour <= office.start_hour:
        raise ConfigError(
            f"{key}.end_hour", office.end_hour, f"must be > start_hour ({office.start_hour:g})"
        )
    if not office.days or any(d not in range(N_DAYS_PER_WEEK) for d in office.days):
        raise ConfigError(f"{key}.days", list(office.days), "must be weekdays 0-6 (Monday is 0)")


def _check_routine(key: str, role: RoleConfig, prefix: str = ".routine") -> None:
    """A moving routine walks at no more than 60 km/h; a grid worker's visit takes time."""
    routine, key = role.routine, key + prefix
    if routine.kind in ("patrol", "grid_walk") and routine.speed_kmh is None:
        if role.speed_kmh > MAX_ROUTINE_SPEED_KMH:
            raise ConfigError(
                f"{key}.speed_kmh",
                None,
                f"must be given (<= {MAX_ROUTINE_SPEED_KMH:g} km/h) for a {routine.kind}: "
                f"the role's speed_kmh {role.speed_kmh:g} is too fast to walk a beat at",
            )
    if routine.kind == "grid_walk" and routine.stop_min < MIN_VISIT_MIN:
        raise ConfigError(
            f"{key}.stop_min",
            routine.stop_min,
            f"must be >= {MIN_VISIT_MIN:g} for a grid_walk (the visit to each household)",
        )


def _check_roles_declared(key: str, roles: tuple[str, ...], declared: Mapping[str, object]) -> None:
    for role in roles:
        if role not in declared:
            raise ConfigError(key, role, "is not a declared role; declared: " + ", ".join(declared))


def _check_incident_source(scenario: ScenarioConfig) -> None:
    source = scenario.incidents
    if source.source != "trace":
        return
    if not source.trace_file:
        raise ConfigError("incidents.trace_file", None, "is required when incidents.source=trace")
    if not Path(source.trace_file).is_file():
        raise ConfigError("incidents.trace_file", source.trace_file, "no such file")


def _check_deterrence_and_categories(scenario: ScenarioConfig) -> None:
    for kind in scenario.deterrence:
        if kind not in STATION_KINDS:
            raise ConfigError(
                f"deterrence.{kind}", kind, "must be a station kind: " + ", ".join(STATION_KINDS)
            )
    for name, area in scenario.areas.items():
        _check_inside(f"areas.{name}", area.x_km, area.y_km, scenario.region)
    for category, roles in scenario.joint_categories.items():
        _check_roles_declared(f"joint_categories.{category}", roles, scenario.roles)


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
        if not 0 <= count <= MAX_UNITS:
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
        if not spec.values_min or not 0 <= min(spec.values_min) <= max(spec.values_min) <= (
            MAX_DURATION_MIN
        ):
            raise ConfigError(
                f"{key}.values_min",
                list(spec.values_min),
                f"must be values >= 0 and <= {MAX_DURATION_MIN:g}",
            )


def _check_station(key: str, station: StationConfig, scenario: ScenarioConfig) -> None:
    _check_inside(key, station.x_km, station.y_km, scenario.region)
    declared = ", ".join(scenario.roles)
    for role, count in station.staff.items():
        if role not in scenario.roles:
            raise ConfigError(
                f"{key}.staff.{role}", role, f"is not a declared role; declared: {declared}"
            )
        if isinstance(count, RosterConfig):
            check_roster(count, f"{key}.staff.{role}")
        elif not 0 <= count <= MAX_UNITS:
            raise ConfigError(
                f"{key}.staff.{role}", count, f"must be a count >= 0 and <= {MAX_UNITS}"
            )
    # A routine or desk work for a role the station has no staff of (e.g. a sweep's count 0)
    # does nothing; a role the scenario does not declare is a mistake.
    for role, routine in station.routines.items():
        if role not in scenario.roles:
            raise ConfigError(
                f"{key}.routines.{role}", role, f"is not a declared role; declared: {declared}"
            )
        own = dataclasses.replace(scenario.roles[role], routine=routine)
        _check_routine(f"{key}.routines.{role}", own, prefix="")
    for role, desk in station.desk_work.items():
        if role not in scenario.roles:
            raise ConfigError(
                f"{key}.desk_work.{role}", role, f"is not a declared role; declared: {declared}"
            )
        _check_distribution(f"{key}.desk_work.{role}.handling", desk.handling)


def _check_team_can_be_fielded(
    key: str, team: Mapping[str, int | SlotConfig], scenario: ScenarioConfig
) -> None:
    slots = team_slots(team)
    staffs = [_most_on_duty(station) for station in scenario.stations.values()]
    if scenario.dispatch.policy == "borrow":
        staffs = [_total_staff(staffs)]
    if not any(_staff_covers(slots, staff) for staff in staffs):
        where = "all stations together" if scenario.dispatch.policy == "borrow" else "any station"
        raise ConfigError(
            key,
            {role: slot.count for role, slot in slots.items()},
            f"cannot be fielded by {where} (policy {scenario.dispatch.policy}); add staff",
        )


def _most_on_duty(station: StationConfig) -> dict[str, int]:
    return {role: max_on_duty(entry) for role, entry in station.staff.items()}


def _total_staff(staffs: list[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for staff in staffs:
        for role, count in staff.items():
            total[role] = total.get(role, 0) + count
    return total


def _staff_covers(slots: Mapping[str, SlotConfig], staff: Mapping[str, int]) -> bool:
    return field_team(slots, staff) is not None
