"""The typed description of a scenario and of a run, and its validation.

A scenario is data, not code: the region and its demand hotspots, the roles staff can hold,
the incident types (share of the stream, priority, the team each needs, on-scene handling
time), the arrival profile, the stations with their staff, how travel is measured and which
dispatch policy applies. `RunConfig` says how long and how often to simulate it.

`sim.config.checks.validate(mapping)` turns the plain mapping that Hydra composed into these
frozen dataclasses and checks what one field alone cannot; the field types and bounds are
checked as they are built (`sim.config.schema`). Nothing here imports Hydra or SimPy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sim.config.prevention import PreventionConfig
from sim.config.schema import bounded

DistributionKind = Literal["exponential", "fixed", "lognormal", "empirical"]
StationKind = Literal["police_station", "police_room", "joint_duty", "agency_office"]
TravelMetric = Literal["euclidean", "manhattan", "zero"]
DispatchPolicyName = Literal["nearest", "borrow"]
MserMetric = Literal["call_close_min", "response_min", "wait_min"]
ShiftChange = Literal["finish", "handover"]
RosterPattern = Literal["3x8", "2x12", "day", "custom"]
StageKind = Literal["followup", "referral"]
RoutineKind = Literal["station", "desk", "patrol", "grid_walk", "post"]
ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)

N_HOURS_PER_DAY = 24
N_DAYS_PER_WEEK = 7
# Bounds that keep travel and durations finite and meaningful (minutes, km/h): a speed of
# 1e-300 km/h made trips of 1e302 min. The top speed admits the hypercube check's 1e9 km/h.
MIN_SPEED_KMH = 0.5
MAX_SPEED_KMH = 1e10
MAX_TURNOUT_MIN = 1440.0
MAX_DETOUR_FACTOR = 10.0
MAX_DURATION_MIN = 1e6  # about 694 days: any handling, delay or call-out time
# A moving routine walks (or cycles, or drives slowly) a route of stops: these keep its speed,
# its beat and its visits in the range of a foot, bicycle or slow car patrol.
MAX_ROUTINE_SPEED_KMH = 60.0
MIN_BEAT_RADIUS_KM = 0.1
MIN_VISIT_MIN = 1.0  # a grid worker's visit to a household


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

    width_km: float = field(metadata=bounded(gt=0, le=5000))
    height_km: float = field(metadata=bounded(gt=0, le=5000))
    background_weight: float = field(default=1.0, metadata=bounded(ge=0))
    hotspots: dict[str, HotspotConfig] = field(default_factory=dict)


@dataclass(frozen=True)
class RoutineConfig:
    """What a unit of the role does on duty while no job has it (`sim.model.agents`).

    `station` waits at its station and `desk` works at it (both drive back there after a
    job); `patrol` walks a route round `n_points` random points of a beat of
    `beat_radius_km` around the station, stopping `stop_min` at each; `grid_walk` walks round
    a block of `n_households` households within `beat_radius_km` of the station, visiting
    each for `stop_min`; `post` stands at a point of the beat. A seat's route is drawn once
    (`sim.model.routes`). After a job the moving routines walk from the scene back to the
    route's next stop, at `speed_kmh` (the role's speed if not given; at most 60 km/h, and a
    grid worker's visit takes at least a minute).
    """

    kind: RoutineKind = "station"
    beat_radius_km: float = field(default=1.0, metadata=bounded(ge=MIN_BEAT_RADIUS_KM, le=100))
    speed_kmh: float | None = field(
        default=None, metadata=bounded(ge=MIN_SPEED_KMH, le=MAX_ROUTINE_SPEED_KMH)
    )
    stop_min: float = field(default=0.0, metadata=bounded(ge=0, le=MAX_TURNOUT_MIN))
    n_households: int = field(default=20, metadata=bounded(ge=1, le=10_000))
    n_points: int = field(default=12, metadata=bounded(ge=1, le=10_000))


@dataclass(frozen=True)
class RoleConfig:
    """A kind of staff: how fast they travel, how long they take to set off, what they cost.

    `shift_change` says what a unit busy at the end of its shift does: `finish` the job
    (overtime) or `handover` it to the next shift. Volunteers and on-call staff accept a
    call-out with probability `p_accept` and need a `callout_delay` before they set off.
    `routine` is what a unit does between jobs (by default, it waits at its station).
    """

    speed_kmh: float = field(metadata=bounded(ge=MIN_SPEED_KMH, le=MAX_SPEED_KMH))
    cost_per_hour: float = field(default=0.0, metadata=bounded(ge=0))
    turnout_min: float = field(default=0.0, metadata=bounded(ge=0, le=MAX_TURNOUT_MIN))
    shift_change: ShiftChange = "finish"
    p_accept: float = field(default=1.0, metadata=bounded(gt=0, le=1))
    callout_delay: DistributionConfig | None = None
    is_volunteer: bool = False
    routine: RoutineConfig = field(default_factory=RoutineConfig)


@dataclass(frozen=True)
class DistributionConfig:
    """A duration distribution in minutes; which fields it needs depends on `dist`."""

    dist: DistributionKind
    mean_min: float | None = field(default=None, metadata=bounded(gt=0, le=MAX_DURATION_MIN))
    value_min: float | None = field(default=None, metadata=bounded(ge=0, le=MAX_DURATION_MIN))
    median_min: float | None = field(default=None, metadata=bounded(gt=0, le=MAX_DURATION_MIN))
    p90_min: float | None = field(default=None, metadata=bounded(gt=0, le=MAX_DURATION_MIN))
    values_min: tuple[float, ...] | None = None


@dataclass(frozen=True)
class SlotConfig:
    """A place in a team: `count` units of a role, or of its substitutes in the given order.

    A count of 0 removes the role from a team inherited from a shared district file.
    """

    count: int = field(default=1, metadata=bounded(ge=0, le=1000))
    substitutes: tuple[str, ...] = ()


@dataclass(frozen=True)
class OfficeHoursConfig:
    """When a later stage may start: from `start_hour` to `end_hour` on the given weekdays."""

    start_hour: float = field(default=8.0, metadata=bounded(ge=0, le=24))
    end_hour: float = field(default=17.0, metadata=bounded(ge=0, le=24))
    days: tuple[int, ...] = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class StageConfig:
    """A later stage of an incident: follow-up sessions or a referral to another agency.

    With probability `p` the stage is needed; it then takes `sessions` jobs one after the
    other, each starting `delay` after the previous one ends (moved to the next office hours if
    `office_hours` is set), each needing `team` for a `handling` time. With
    `only_if_unsettled` (for a type with a root cause) the stage happens only if the sessions
    before it did not settle the matter: a referral of what the police could not settle.
    """

    kind: StageKind
    team: dict[str, int | SlotConfig]
    handling: DistributionConfig
    delay: DistributionConfig
    p: float = field(default=1.0, metadata=bounded(ge=0, le=1))
    sessions: int = field(default=1, metadata=bounded(ge=1, le=50))
    priority: int = field(default=3, metadata=bounded(ge=1, le=1000))
    office_hours: OfficeHoursConfig | None = None
    only_if_unsettled: bool = False


@dataclass(frozen=True)
class RootCauseConfig:
    """Settling a matter at its root: more likely when the team included the root-cause roles.

    An unsettled matter calls again after `repeat_delay`, at most `max_repeats` times.
    """

    roles: tuple[str, ...]
    p_settled_with: float = field(metadata=bounded(ge=0, le=1))
    p_settled_without: float = field(metadata=bounded(ge=0, le=1))
    repeat_delay: DistributionConfig
    max_repeats: int = field(default=3, metadata=bounded(ge=0, le=20))


@dataclass(frozen=True)
class IncidentTypeConfig:
    """A kind of incident: share of the stream, priority, team, handling time and later life."""

    share: float = field(metadata=bounded(gt=0))
    priority: int = field(metadata=bounded(ge=1, le=1000))
    team: dict[str, int | SlotConfig]
    handling: DistributionConfig
    stages: tuple[StageConfig, ...] = ()
    root_cause: RootCauseConfig | None = None
    deterrable: bool = False


@dataclass(frozen=True)
class DemandConfig:
    """The arrival process: a mean rate shaped by hour-of-day and day-of-week weights."""

    per_day: float | None = field(default=None, metadata=bounded(gt=0, le=1e6))
    per_hour: float | None = field(default=None, metadata=bounded(gt=0, le=1e6 / 24))
    hour_of_day: tuple[float, ...] = (1.0,) * N_HOURS_PER_DAY
    day_of_week: tuple[float, ...] = (1.0,) * N_DAYS_PER_WEEK


@dataclass(frozen=True)
class ShiftConfig:
    """One shift: `count` units from `start_hour` for `hours` on the given weekdays."""

    start_hour: float = field(metadata=bounded(ge=0, le=23.99))
    hours: float = field(metadata=bounded(gt=0, le=24))
    count: int = field(metadata=bounded(ge=0, le=100_000))
    days: tuple[int, ...] = ALL_DAYS


@dataclass(frozen=True)
class RosterConfig:
    """Units of one role at one station by shift.

    Named patterns: `3x8` (shifts from 00, 08 and 16 h), `2x12` (08 and 20 h), `day`
    (08-18 h); `count` staffs every shift alike, `counts` one per shift. `custom` lists its
    own non-overlapping `shifts`. A roster must cover all 24 hours of every day unless
    `cover_24h` is false (the default for `day`).
    """

    pattern: RosterPattern = "custom"
    count: int | None = field(default=None, metadata=bounded(ge=0, le=100_000))
    counts: tuple[int, ...] | None = None
    shifts: tuple[ShiftConfig, ...] = ()
    cover_24h: bool | None = None


@dataclass(frozen=True)
class DeskWorkConfig:
    """Work that reaches a station's desk on its own, not through a police call: an agency
    office's own caseload (complaints, inspections, the rest of its jurisdiction's referrals),
    counter work at a police room. Tasks arrive as a Poisson stream, `per_staff_day` a day for
    every member of the role at the station (its largest number on duty), each taking
    `handling` at the desk. They queue with the station's other jobs by `priority`, then by
    the time they became ready, so work referred to an office waits behind the office's
    caseload: its turnaround comes from the queue and the staff's hours.
    """

    per_staff_day: float = field(metadata=bounded(ge=0, le=1000))
    handling: DistributionConfig
    priority: int = field(default=3, metadata=bounded(ge=1, le=1000))


@dataclass(frozen=True)
class StationConfig:
    """A place where staff are based: units of each role on duty (a count, or a roster), the
    desk work (`DeskWorkConfig`) each role has there besides the jobs sent to it, and the
    routines of its roles where they differ from the role's own (`routines`, e.g. the officers
    of a joint-duty station patrolling a small beat around it)."""

    kind: StationKind
    x_km: float
    y_km: float
    staff: dict[str, int | RosterConfig]
    desk_work: dict[str, DeskWorkConfig] = field(default_factory=dict)
    routines: dict[str, RoutineConfig] = field(default_factory=dict)


@dataclass(frozen=True)
class TravelConfig:
    """How distance becomes travel time: Euclidean times a detour factor, Manhattan, or zero."""

    metric: TravelMetric = "euclidean"
    detour_factor: float = field(default=1.3, metadata=bounded(ge=1, le=MAX_DETOUR_FACTOR))


@dataclass(frozen=True)
class DispatchConfig:
    """Which pure dispatch policy of `sim.model.dispatch` decides when no station can field a
    team."""

    policy: DispatchPolicyName = "nearest"


@dataclass(frozen=True)
class DeterrenceConfig:
    """Visible presence: stations of a kind multiply the rate of deterrable types nearby."""

    radius_km: float = field(metadata=bounded(gt=0))
    factor: float = field(metadata=bounded(ge=0, le=1))


@dataclass(frozen=True)
class ProjectionConfig:
    """Local equirectangular projection: the lat/lon of the (0, 0) corner, a reference latitude."""

    origin_lat_deg: float = field(metadata=bounded(ge=-90, le=90))
    origin_lon_deg: float = field(metadata=bounded(ge=-180, le=180))
    ref_lat_deg: float = field(metadata=bounded(ge=-89, le=89))


@dataclass(frozen=True)
class IncidentSourceConfig:
    """Where incidents come from: sampled from the demand model, or replayed from a trace file."""

    source: Literal["sample", "trace"] = "sample"
    trace_file: str | None = None
    trace_start: str | None = None  # model minute 0; default: midnight of the trace's first day
    projection: ProjectionConfig | None = None  # for lat/lon traces; written by fit-demand


@dataclass(frozen=True)
class AreaConfig:
    """A circle whose incidents get their own KPIs (e.g. a station's neighbourhood)."""

    x_km: float
    y_km: float
    radius_km: float = field(metadata=bounded(gt=0))


@dataclass(frozen=True)
class ScenarioConfig:
    """Everything one replication of the model needs, apart from its random streams.

    `deterrence` maps a station kind to its deterrent effect; `joint_categories` names kinds
    of joint handling by the roles that mark them (e.g. `mediation: [mediator]`); `areas`
    names circles whose incidents get their own KPIs; `prevention` says whose presence
    prevents which calls (`sim.config.prevention`, docs/prevention.md).
    """

    name: str
    region: RegionConfig
    roles: dict[str, RoleConfig]
    incident_types: dict[str, IncidentTypeConfig]
    demand: DemandConfig
    stations: dict[str, StationConfig]
    description: str = ""
    travel: TravelConfig = field(default_factory=TravelConfig)
    dispatch: DispatchConfig = field(default_factory=DispatchConfig)
    deterrence: dict[str, DeterrenceConfig] = field(default_factory=dict)
    joint_categories: dict[str, tuple[str, ...]] = field(default_factory=dict)
    areas: dict[str, AreaConfig] = field(default_factory=dict)
    incidents: IncidentSourceConfig = field(default_factory=IncidentSourceConfig)
    prevention: PreventionConfig = field(default_factory=PreventionConfig)


@dataclass(frozen=True)
class RunConfig:
    """How to run a scenario: replications of `horizon_days` after `warmup_days`, from `seed`.

    `replications: auto` replicates until the relative 95 % CI half-width of every KPI in
    `precision_metrics` is at most `precision` (at least `min_replications`, at most
    `max_replications`); `warmup_days: auto` chooses the warm-up by MSER-5 on the batch
    means of the incident column `mser_metric` (see `sim.analysis.output_analysis`).
    `n_workers` processes run the replications (`sim.experiment.executor`); the results do
    not depend on it.
    """

    replications: int | Literal["auto"] = field(default=5, metadata=bounded(ge=1))
    horizon_days: float = field(default=28.0, metadata=bounded(gt=0, le=3660))
    warmup_days: float | Literal["auto"] = field(default=1.0, metadata=bounded(ge=0, le=3660))
    seed: int = field(default=20210201, metadata=bounded(ge=0))
    precision: float = field(default=0.05, metadata=bounded(gt=0, le=1))
    precision_metrics: tuple[str, ...] = ("response_min_mean", "call_close_min_mean")
    min_replications: int = field(default=5, metadata=bounded(ge=2, le=100000))
    max_replications: int = field(default=100, metadata=bounded(ge=2, le=100000))
    mser_metric: MserMetric = "call_close_min"
    n_workers: int = field(default=1, metadata=bounded(ge=1, le=256))


@dataclass(frozen=True)
class PlacementConfig:
    """Where to put stations: `n_stations` new ones by p-median on the demand
    (sim.experiment.placement).

    Off while `n_stations` is null. The scenario's stations named in `keep` stay; the others
    are replaced by `n_stations` stations of `kind`, each with `staff` (empty: the staff of
    the scenario's first station of that kind, else of its first station).
    """

    n_stations: int | None = field(default=None, metadata=bounded(ge=1, le=50))
    kind: StationKind = "joint_duty"
    staff: dict[str, int] = field(default_factory=dict)
    keep: tuple[str, ...] = ()
    cell_km: float = field(default=0.25, metadata=bounded(gt=0, le=10))


@dataclass(frozen=True)
class JobConfig:
    """A validated job: the scenario and how to run it."""

    scenario: ScenarioConfig
    run: RunConfig
    placement: PlacementConfig = field(default_factory=PlacementConfig)
