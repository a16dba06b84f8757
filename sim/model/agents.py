"""Agents: every member of staff on duty is a SimPy process living a duty day.

A unit comes on duty at its station and starts `live_duty_day`: while no job has it, it runs
its role's routine (`sim.config.scenario.RoutineConfig`):
- `station` and `desk` (`wait_at_station`): it waits, or works its desk, at the station. The
  process waits for the end of its duty, so such a unit costs no event between coming on
  duty and going off it, however many jobs it does.
- `patrol`: legs from where it is to a random point of a beat around its station, a stop at
  each point (officer-initiated work), and again.
- `grid_walk` (`walk_grid_block`): it owns a block of households near its station, drawn once
  per seat, and walks from household to household, visiting each.
- `post` (`stand_post`): it goes to its post, a point of the beat drawn once per seat, and
  stands there.
A leg or a stop is one timeout: where the unit is at any moment is interpolated along its
leg (`where`), so nothing ticks per minute.

A dispatch interrupts a moving routine (`leave_routine`: SimPy's `Process.interrupt`); a unit
waiting at its station has nothing to stop, so its process waits on. The unit travels from
where it is (the model computes the trip from `where`), handles the job with its team, and
when the job releases it (`back_from_job`) it resumes its routine: a moving routine carries
on from the scene; `station` and `desk` units are released at their station, after the drive
back, as before. Going off duty (`go_off_duty`) ends the process.

Each unit's day is recorded as state intervals (`STATE_FIELDS`, one flat list for all units):
the routine's intervals (each leg or stop, or the wait at the station) and each job from its
dispatch to its release, with the mean position over the interval (a leg's midpoint, the
point of a stop, the incident's place for a job), for presence and for utilisation split
into reactive, proactive and desk time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Final

import numpy as np
import simpy

from sim.config.scenario import RoleConfig, RoutineConfig, ScenarioConfig, TravelConfig
from sim.model.pool import Unit
from sim.model.streams import Streams

STATE_NAMES: Final = ("station", "desk", "patrol", "grid_walk", "post", "job", "counter")
"""The states of a unit's interval: its routine's kind, or `job` (dispatch to release)."""
STATE_FIELDS: Final = ("unit_id", "state", "t_start", "t_end", "x_km", "y_km")
"""The fields of a state interval, kept as one flat list (`records.BUSY_FIELDS` says why);
`state` is an index into `STATE_NAMES`, (x_km, y_km) the mean position over the interval."""
JOB: Final = STATE_NAMES.index("job")
COUNTER: Final = STATE_NAMES.index("counter")  # desk work done (a station's own caseload)
MOVING_KINDS: Final = frozenset({"patrol", "grid_walk", "post"})
MIN_PER_HOUR: Final = 60.0
BLOCK_SHARE_OF_BEAT: Final = 0.25  # a grid block's radius, as a share of the beat's

Note = Callable[[str, int, str], None]  # the model's event log: (event, incident id, detail)


class OffDuty:
    """The cause of the interrupt that ends a unit's duty day."""


OFF_DUTY: Final = OffDuty()


def road_km(travel: TravelConfig, x0_km: float, y0_km: float, x1_km: float, y1_km: float) -> float:
    """Road distance between two points (`geography.road_distance_km`, for one pair)."""
    if travel.metric == "zero":
        return 0.0
    dx_km, dy_km = abs(x0_km - x1_km), abs(y0_km - y1_km)
    if travel.metric == "manhattan":
        return dx_km + dy_km
    return travel.detour_factor * math.hypot(dx_km, dy_km)


def point_in_disc(
    rng: np.random.Generator,
    centre_km: tuple[float, float],
    radius_km: float,
    region_km: tuple[float, float],
) -> tuple[float, float]:
    """A uniform random point of the disc of `radius_km` around `centre_km`, moved onto the
    district (`region_km`: its width and height) if it falls outside."""
    u_radius, u_angle = rng.random(2).tolist()
    r_km, angle = radius_km * math.sqrt(u_radius), 2.0 * math.pi * u_angle
    x_km = min(max(centre_km[0] + r_km * math.cos(angle), 0.0), region_km[0])
    y_km = min(max(centre_km[1] + r_km * math.sin(angle), 0.0), region_km[1])
    return x_km, y_km


class Agent:
    """One unit's duty day: its routine between jobs, and where it is at any moment.

    `rows` is the model's flat list of `STATE_FIELDS`; `rng` draws the points of a moving
    routine (not needed for `station` and `desk`); `note`, if given, logs a moving unit's legs.
    """

    __slots__ = (
        "back",
        "duty_over",
        "env",
        "home",
        "is_done",
        "kind",
        "leg",
        "moving",
        "next_place",
        "note",
        "off_duty",
        "on_job",
        "places",
        "process",
        "region_km",
        "rng",
        "routine",
        "rows",
        "speed_kmh",
        "state",
        "t_since",
        "travel",
        "unit_id",
    )

    def __init__(
        self,
        unit_id: int,
        env: simpy.Environment,
        routine: RoutineConfig,
        home_km: tuple[float, float],
        region_km: tuple[float, float],
        travel: TravelConfig,
        role_speed_kmh: float,
        rows: list[float],
        rng: np.random.Generator | None = None,
        note: Note | None = None,
        is_done: Callable[[], bool] | None = None,
    ) -> None:
        self.unit_id, self.env, self.routine, self.kind = unit_id, env, routine, routine.kind
        self.state = STATE_NAMES.index(routine.kind)
        self.moving = routine.kind in MOVING_KINDS
        self.home, self.region_km, self.travel, self.rows = home_km, region_km, travel, rows
        self.speed_kmh = routine.speed_kmh or role_speed_kmh
        self.rng = rng
        self.note = note if self.moving else None  # station units keep the log as it was
        self.is_done = is_done
        self.places: list[tuple[float, float]] = []  # a grid block's households, or a post
        self.next_place = 0
        x_km, y_km = home_km
        self.leg = (x_km, y_km, 0.0, x_km, y_km, 0.0)  # (x0, y0, t0, x1, y1, t1) of its leg
        self.t_since = 0.0  # when its current interval began
        self.on_job = False
        self.process: simpy.Process | None = None
        self.back: simpy.Event | None = None  # a moving unit's release from its job
        self.duty_over: simpy.Event | None = None  # a station unit's end of duty
        self.off_duty = False

    # --- the process: a duty day ---------------------------------------------------------

    def start(self, places: list[tuple[float, float]] | None = None) -> None:
        """Come on duty at the station now, and start the day."""
        now = self.env.now
        x_km, y_km = self.home
        self.leg, self.t_since = (x_km, y_km, now, x_km, y_km, now), now
        self.places = places or []
        self.process = self.env.process(self.live_duty_day())

    def live_duty_day(self) -> Generator[simpy.Event, object, None]:
        """The routine whenever free; a dispatch interrupts a moving routine, which carries on
        once the job releases the unit; going off duty ends the day."""
        routine = {
            "patrol": self.patrol,
            "grid_walk": self.walk_grid_block,
            "post": self.stand_post,
        }.get(self.kind, self.wait_at_station)
        while True:
            try:
                if self.moving and self.on_job:  # the model's calls carry the job
                    self.back = self.env.event()
                    yield self.back  # released: back to the routine
                else:
                    yield from routine()
                    return  # off duty (station), or the run is over (moving routines)
            except simpy.Interrupt as interrupt:  # dispatched, or off duty
                if interrupt.cause is OFF_DUTY:
                    return

    def wait_at_station(self) -> Generator[simpy.Event, object, None]:
        """Wait (or work the desk) at the station until the end of duty: a dispatch takes the
        unit away and the drive back brings it here (the model's calls), without stopping
        this wait (`leave_routine`)."""
        self.duty_over = self.env.event()  # triggered when it goes off duty (`_end`)
        yield self.duty_over

    def patrol(self) -> Generator[simpy.Event, object, None]:
        """Walk the beat: to a random point of it, stop there a while, and on to the next."""
        assert self.rng is not None
        while not self._run_is_over():
            t_start = self.env.now
            point = point_in_disc(self.rng, self.home, self.routine.beat_radius_km, self.region_km)
            yield from self.walk_to(*point)
            yield from self.stay(self.routine.stop_min)
            if self.env.now == t_start:  # legs take no time (travel.metric zero): stand still
                yield from self.stay(math.inf)

    def walk_grid_block(self) -> Generator[simpy.Event, object, None]:
        """Walk the block: to the next household, visit it, and on round the block."""
        while not self._run_is_over():
            t_start = self.env.now
            yield from self.walk_to(*self.places[self.next_place])
            yield from self.stay(self.routine.stop_min)
            self.next_place = (self.next_place + 1) % len(self.places)
            if self.env.now == t_start:  # visits take no time: stand still
                yield from self.stay(math.inf)

    def stand_post(self) -> Generator[simpy.Event, object, None]:
        """Go to the post and stand there until needed."""
        yield from self.walk_to(*self.places[0])
        if not self._run_is_over():
            yield from self.stay(math.inf)

    def walk_to(self, x1_km: float, y1_km: float) -> Generator[simpy.Event, object, None]:
        """One leg from where the unit is to (x1, y1), at the routine's speed."""
        x0_km, y0_km = self.leg[3], self.leg[4]
        leg_min = road_km(self.travel, x0_km, y0_km, x1_km, y1_km) / self.speed_kmh * MIN_PER_HOUR
        if leg_min > 0:
            yield from self._spend(leg_min, x1_km, y1_km)

    def stay(self, duration_min: float) -> Generator[simpy.Event, object, None]:
        """Stay where the unit is (a stop, a visit, a post) for `duration_min`."""
        if duration_min > 0:
            yield from self._spend(duration_min, self.leg[3], self.leg[4])

    def _spend(
        self, duration_min: float, x1_km: float, y1_km: float
    ) -> Generator[simpy.Event, object, None]:
        """One leg (or stop) as one timeout; an interrupt leaves it where `where` says."""
        now = self.env.now
        x0_km, y0_km = self.leg[3], self.leg[4]
        self.leg, self.t_since = (x0_km, y0_km, now, x1_km, y1_km, now + duration_min), now
        if self.note is not None:  # a leg goes to (x1, y1); a stop stays there
            event = self.kind if (x1_km, y1_km) != (x0_km, y0_km) else "stop"
            self.note(event, -1, f"u{self.unit_id} {x1_km:.3f},{y1_km:.3f}")
        if duration_min == math.inf:
            yield self.env.event()  # until interrupted
            return
        yield self.env.timeout(duration_min)
        t_end = self.env.now
        self.rows += (
            self.unit_id,
            self.state,
            now,
            t_end,
            (x0_km + x1_km) / 2,
            (y0_km + y1_km) / 2,
        )
        self.leg, self.t_since = (x1_km, y1_km, t_end, x1_km, y1_km, t_end), t_end

    def _run_is_over(self) -> bool:
        return self.is_done is not None and self.is_done()

    # --- what the model calls ------------------------------------------------------------

    def where(self) -> tuple[float, float]:
        """Where the unit is now: interpolated along its leg."""
        x0_km, y0_km, t0, x1_km, y1_km, t1 = self.leg
        now = self.env.now
        if now >= t1:
            return x1_km, y1_km
        share = (now - t0) / (t1 - t0) if t1 != math.inf else 0.0
        return x0_km + share * (x1_km - x0_km), y0_km + share * (y1_km - y0_km)

    def leave_routine(self, cause: object) -> tuple[float, float]:
        """A dispatch (`cause`: the job) takes the unit from its routine; returns where it is.

        A moving routine is interrupted where its leg has got to. A unit waiting at its
        station has nothing to stop: its process waits on for the end of its duty, and the
        model's calls carry the job (an interrupt would cost an event, an exception and a
        resumption per member for nothing, half as much again as the rest of a dispatch).
        """
        if not self.moving:
            now = self.env.now
            if now > self.t_since:
                x_km, y_km = self.home
                self.rows += (self.unit_id, self.state, self.t_since, now, x_km, y_km)
            self.on_job = True
            return self.home
        x_km, y_km = self.where()
        self._close_routine(x_km, y_km)
        if self.note is not None:
            self.note("interrupted", -1, f"u{self.unit_id} {x_km:.3f},{y_km:.3f}")
        self.on_job = True
        if self.process is not None and self.process.is_alive:
            self.process.interrupt(cause)
        return x_km, y_km

    def back_from_job(
        self,
        t_dispatch: float,
        x_job_km: float,
        y_job_km: float,
        off_duty: bool,
        at_desk: bool = False,
    ) -> None:
        """The job releases the unit: at the scene (moving routines) or at the station. Desk
        work (`at_desk`: the station's own caseload or counter) is recorded as `counter` time."""
        now = self.env.now
        if now > t_dispatch:  # (a job handed over the instant it was sent took no time)
            state = COUNTER if at_desk else JOB
            self.rows += (self.unit_id, state, t_dispatch, now, x_job_km, y_job_km)
        x_km, y_km = (x_job_km, y_job_km) if self.moving else self.home
        self.leg, self.t_since, self.on_job = (x_km, y_km, now, x_km, y_km, now), now, False
        if off_duty:
            self._end()
        elif self.back is not None and not self.back.triggered:
            self.back.succeed()

    def go_off_duty(self) -> None:
        """The shift is over for a free unit, or for one whose overtime just ended."""
        if self.on_job:
            return  # it goes off duty when the job releases it (`back_from_job`)
        x_km, y_km = self.where() if self.moving else self.home
        self._close_routine(x_km, y_km)
        self._end()

    def end_of_run(self) -> None:
        """The run stopped with the unit still on duty and free: close its interval."""
        if not self.on_job and not self.off_duty:
            x_km, y_km = self.where() if self.moving else self.home
            self._close_routine(x_km, y_km)

    def _end(self) -> None:
        self.off_duty = True
        if self.note is not None:
            self.note("off_duty", -1, f"u{self.unit_id}")
        if self.duty_over is not None:  # waiting at the station: the wait is over
            self.duty_over.succeed(OFF_DUTY)  # (cheaper than an interrupt: no exception)
        elif self.process is not None and self.process.is_alive:
            self.process.interrupt(OFF_DUTY)

    def _close_routine(self, x_km: float, y_km: float) -> None:
        """The routine's interval since `t_since` ends now, at (x, y): its mean position is
        halfway between where it began and (x, y)."""
        now, x0_km, y0_km = self.env.now, self.leg[0], self.leg[1]
        if now > self.t_since:
            mid_x_km, mid_y_km = (x0_km + x_km) / 2, (y0_km + y_km) / 2
            self.rows += (self.unit_id, self.state, self.t_since, now, mid_x_km, mid_y_km)


class Staff:
    """Starts the agents of the units that come on duty: one per unit, its routine its
    station's for its role if the station has one, else its role's.

    A moving routine's random points come from the `agents` stream, spawned per seat (the
    station, the role and the unit's place in its group): a grid block and a post are drawn
    once per seat, so every shift's worker on that seat walks the same block and adding a
    worker does not move the others'; patrol points are drawn per seat and duty.
    """

    def __init__(
        self,
        env: simpy.Environment,
        scenario: ScenarioConfig,
        streams: Streams,
        rows: list[float],
        note: Note | None,
        is_done: Callable[[], bool],
    ) -> None:
        self.env, self.streams, self.rows, self.note, self.is_done = (
            env,
            streams,
            rows,
            note,
            is_done,
        )
        self.travel = scenario.travel
        self.roles: dict[str, RoleConfig] = dict(scenario.roles)
        self.role_index = {role: index for index, role in enumerate(scenario.roles)}
        self.homes = [(s.x_km, s.y_km) for s in scenario.stations.values()]
        self.station_routines = [s.routines for s in scenario.stations.values()]
        self.region_km = (scenario.region.width_km, scenario.region.height_km)

    def start(self, units: list[Unit]) -> None:
        """The units (one group: same station and role) come on duty now."""
        if not units:
            return
        station, role_name = units[0].station, units[0].role
        role, home_km = self.roles[role_name], self.homes[station]
        routine = self.station_routines[station].get(role_name, role.routine)
        moving = routine.kind in MOVING_KINDS
        for seat, unit in enumerate(units):
            key = (station, self.role_index[role_name], seat)
            rng = self._rng(*key, 1 + int(self.env.now)) if moving else None
            agent = Agent(
                unit.unit_id,
                self.env,
                routine,
                home_km,
                self.region_km,
                self.travel,
                role.speed_kmh,
                self.rows,
                rng,
                self.note,
                self.is_done,
            )
            unit.agent = agent
            agent.start(self._places(routine, home_km, key) if moving else None)

    def _places(
        self, routine: RoutineConfig, home_km: tuple[float, float], key: tuple[int, int, int]
    ) -> list[tuple[float, float]]:
        """A seat's grid block (households around a centre in the beat) or post (a point)."""
        if routine.kind == "patrol":
            return []
        rng = self._rng(*key)
        centre = point_in_disc(rng, home_km, routine.beat_radius_km, self.region_km)
        if routine.kind == "post":
            return [centre]
        radius_km = routine.beat_radius_km * BLOCK_SHARE_OF_BEAT
        return [
            point_in_disc(rng, centre, radius_km, self.region_km)
            for _ in range(routine.n_households)
        ]

    def _rng(self, *key: int) -> np.random.Generator:
        stream = self.streams.seed_sequence("agents")
        seed = np.random.SeedSequence(stream.entropy, spawn_key=(*stream.spawn_key, *key))
        return np.random.default_rng(seed)
