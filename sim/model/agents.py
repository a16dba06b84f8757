"""Agents: every member of staff on duty is a SimPy process living a duty day.

A unit comes on duty at its station and starts `live_duty_day`: while no job has it, it runs
its routine (`sim.config.scenario.RoutineConfig`):
- `station` and `desk` (`wait_at_station`): it waits, or works its desk, at the station. The
  process waits for the end of its duty, so such a unit costs no event between coming on
  duty and going off it, however many jobs it does.
- `patrol`, `grid_walk` and `post` (`follow_route`): it sets out for its route's next stop
  (from the station when it comes on duty, from the scene after a job), walks there, then
  round and round the route (`sim.model.routes`: a beat's points, a grid block's
  households, a post), stopping at each stop, until a dispatch or the end of its duty wakes
  it (`wake`). Every time of the walk and the rounds is known when it sets out, so they need
  no event: where the unit is follows from the time (`where`), however many legs and stops
  it has walked, and nothing ticks.

A dispatch wakes a moving unit (`leave_routine` triggers `wake` with the job); a unit waiting
at its station has nothing to stop, so its process waits on. The unit travels from where it is
(the model computes the trip from `where`), handles the job with its team, and when the job
releases it (`back_from_job` triggers `back`) it sets out again: a moving unit from the
scene, for the stop it was heading for; `station` and `desk` units are released at their
station, after the drive back. Going off duty (`go_off_duty`) ends the process.

Each unit's day is recorded as state intervals (`STATE_FIELDS`, one flat list for all units):
its walks to its route (with their mean position, halfway), its rounds (with the route's mean
position), its waits at the station, and each job from its dispatch to its release (at the
incident's place); they give utilisation split into reactive, proactive and desk time. The
intervals in a state that counts as presence (`sim.model.presence`) go to the presence ledger:
a walk when it ends, a round from when it begins (over its route's cells, in their shares of a
round) to when it ends, so that calls during a round already see it.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Final

import simpy

from sim.model.presence import PresenceSeries, Prevention
from sim.model.routes import Point, Route

STATE_NAMES: Final = ("station", "desk", "patrol", "grid_walk", "post", "job", "counter")
"""The states of a unit's interval: its routine's kind, or `job` (dispatch to release)."""
STATE_FIELDS: Final = ("unit_id", "state", "t_start", "t_end", "x_km", "y_km")
"""The fields of a state interval, kept as one flat list (`records.BUSY_FIELDS` says why);
`state` is an index into `STATE_NAMES`, (x_km, y_km) the mean position over the interval."""
JOB: Final = STATE_NAMES.index("job")
COUNTER: Final = STATE_NAMES.index("counter")  # desk work done (a station's own caseload)
MOVING_KINDS: Final = frozenset({"patrol", "grid_walk", "post"})

Note = Callable[[str, int, str], None]  # the model's event log: (event, incident id, detail)


class OffDuty:
    """The cause of the interrupt that ends a unit's duty day."""


OFF_DUTY: Final = OffDuty()


class Presence:
    """What one role's agents tell the presence ledger (`sim.model.presence`): which of their
    states count, for which effects, and the series they report to. None of it without
    prevention. An agent reports its walks and rounds as it sets out, so at times no earlier
    than now, straight to their series (`PresenceSeries`)."""

    __slots__ = ("_walk_series", "counted", "effects", "prevention", "role")

    def __init__(self, prevention: Prevention, role: str) -> None:
        self.prevention, self.role = prevention, role
        self.effects = {
            state: effects
            for state, name in enumerate(STATE_NAMES)
            if (effects := prevention.counting(role, name))
        }
        self.counted = frozenset(self.effects)
        self._walk_series: dict[tuple[int, int], list[PresenceSeries]] = {}  # (state, area)

    def record(self, state: int, t_start: float, t_end: float, x_km: float, y_km: float) -> None:
        """A closed interval at one place (a job at its scene, a wait at a desk)."""
        area = self.prevention.areas.area_of(x_km, y_km)
        self.prevention.record(self.role, STATE_NAMES[state], area, t_start, t_end)

    def walk(
        self, state: int, t_start: float, t_end: float, x_km: float, y_km: float
    ) -> list[PresenceSeries]:
        """A walk to the route, reported as it sets out, at its midpoint; returns its series
        (a dispatch may cut it short: `PresenceSeries.cut`)."""
        key = (state, self.prevention.areas.area_of(x_km, y_km))
        walked = self._walk_series.get(key)
        if walked is None:
            ledger = self.prevention.ledger
            walked = self._walk_series[key] = [
                ledger.series(e, key[1]) for e in self.effects[state]
            ]
        for series in walked:
            series.add(t_start, t_end)
        return walked

    def rounds(self, state: int, footprint: int) -> tuple[PresenceSeries, ...]:
        """The series a route's rounds are reported to (`Prevention.add_route`'s key)."""
        ledger = self.prevention.ledger
        return tuple(ledger.series(effect, footprint) for effect in self.effects.get(state, ()))


class Agent:
    """One unit's duty day: its routine between jobs, and where it is at any moment.

    `rows` is the model's flat list of `STATE_FIELDS`. A moving unit has a `route` (and
    `rounds`, the presence series its rounds go to, if they count as presence); `presence`
    gets the other intervals that count; `note`, if given, logs a moving unit's setting out.
    """

    __slots__ = (
        "back",
        "duty_over",
        "env",
        "home",
        "leg",
        "moving",
        "next_stop",
        "note",
        "on_job",
        "presence",
        "process",
        "rounds",
        "route",
        "rows",
        "state",
        "t_since",
        "unit_id",
        "wake",
        "walked",
    )

    def __init__(
        self,
        unit_id: int,
        env: simpy.Environment,
        kind: str,
        home_km: Point,
        rows: list[float],
        route: Route | None = None,
        rounds: tuple[PresenceSeries, ...] = (),
        presence: Presence | None = None,
        note: Note | None = None,
    ) -> None:
        self.unit_id, self.env, self.home, self.rows = unit_id, env, home_km, rows
        self.state = STATE_NAMES.index(kind)
        self.moving = kind in MOVING_KINDS
        self.route, self.rounds = route, rounds
        self.presence = presence if presence is not None and presence.counted else None
        self.note = note if self.moving else None  # station units keep the log as it was
        x_km, y_km = home_km
        # a moving unit's walk to its route: from (x0, y0) at t0 to its next stop (x1, y1),
        # reached at t1, where its rounds begin
        self.leg = (x_km, y_km, 0.0, x_km, y_km, 0.0)
        self.next_stop = 0  # the stop it walks to, where its rounds begin
        self.walked: list[PresenceSeries] = []  # where its walk's presence was reported
        self.t_since = 0.0  # when its current interval began
        self.on_job = False
        self.process: simpy.Process | None = None
        self.wake: simpy.Event | None = None  # a moving unit's routine ends: a job, or off duty
        self.back: simpy.Event | None = None  # a moving unit's release from its job
        self.duty_over: simpy.Event | None = None  # a station unit's end of duty

    # --- the process: a duty day ---------------------------------------------------------

    def start(self) -> None:
        """Come on duty at the station now, and start the day: a moving unit sets out for its
        route at once (the model may dispatch it in this very instant)."""
        now = self.env.now
        x_km, y_km = self.home
        self.leg, self.t_since = (x_km, y_km, now, x_km, y_km, now), now
        if self.moving:
            self._set_out()
        else:
            self.duty_over = self.env.event()  # triggered when it goes off duty (`_end`)
        self.process = self.env.process(self.live_duty_day())

    def live_duty_day(self) -> Generator[simpy.Event, object, None]:
        """The routine whenever free, until the end of duty."""
        if self.moving:
            yield from self.follow_route()
        else:
            yield from self.wait_at_station()

    def wait_at_station(self) -> Generator[simpy.Event, object, None]:
        """Wait (or work the desk) at the station until the end of duty: a dispatch takes the
        unit away and the drive back brings it here (the model's calls), without stopping
        this wait (`leave_routine`)."""
        yield self.duty_over  # type: ignore[misc]

    def follow_route(self) -> Generator[simpy.Event, object, None]:
        """Walk the route (set out from the station, `start`) until woken: by a job, which it
        handles with its team until the job releases it on scene and it sets out again from
        there (`back_from_job`), or by the end of duty.

        The model's calls change the unit's state at once (a dispatch and a release may come
        in one instant); the process follows the story from the latest events."""
        while (yield self.wake) is not OFF_DUTY:  # type: ignore[misc]
            if (yield self.back) is OFF_DUTY:  # type: ignore[misc]
                return  # released at the end of its overtime

    def _set_out(self) -> None:
        """From where it is now, walk to the route's next stop, then round and round, until
        `wake`."""
        assert self.route is not None
        now, x0_km, y0_km = self.env.now, self.leg[3], self.leg[4]
        x1_km, y1_km = self.route.stops[self.next_stop]
        t_arrive = now + self.route.walk_min(x0_km, y0_km, x1_km, y1_km)
        self.leg, self.t_since = (x0_km, y0_km, now, x1_km, y1_km, t_arrive), now
        presence = self.presence
        if presence is not None and t_arrive > now and self.state in presence.counted:
            x_mid_km, y_mid_km = (x0_km + x1_km) / 2, (y0_km + y1_km) / 2
            self.walked = presence.walk(self.state, now, t_arrive, x_mid_km, y_mid_km)
        for series in self.rounds:  # its rounds, from the first stop on
            series.open(t_arrive)
        self.wake = self.env.event()
        if self.note is not None:
            self.note(STATE_NAMES[self.state], -1, f"u{self.unit_id} {x1_km:.3f},{y1_km:.3f}")

    # --- what the model calls ------------------------------------------------------------

    def where(self) -> Point:
        """Where the unit is now: on its way to its route, or on its round."""
        now = self.env.now
        x0_km, y0_km, t0, x1_km, y1_km, t1 = self.leg
        if now >= t1:
            if self.route is None or self.on_job:
                return x1_km, y1_km
            return self.route.position_at(self.next_stop, now - t1)[0]
        share = (now - t0) / (t1 - t0)
        return x0_km + share * (x1_km - x0_km), y0_km + share * (y1_km - y0_km)

    def leave_routine(self, cause: object) -> Point:
        """A dispatch (`cause`: the job) takes the unit from its routine; returns where it is.

        A moving unit is woken where its walk or round has got to. A unit waiting at its
        station has nothing to stop: its process waits on for the end of its duty, and the
        model's calls carry the job (waking it would cost an event and a resumption per
        member for nothing).
        """
        if not self.moving:
            now = self.env.now
            if now > self.t_since:
                self._record(self.state, self.t_since, now, *self.home)
            self.on_job = True
            return self.home
        x_km, y_km = self._close_route()
        if self.note is not None:
            self.note("interrupted", -1, f"u{self.unit_id} {x_km:.3f},{y_km:.3f}")
        self.on_job = True
        self.back = self.env.event()  # the job's release (`back_from_job`)
        self._wake(cause)
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
            self._record(COUNTER if at_desk else JOB, t_dispatch, now, x_job_km, y_job_km)
        x_km, y_km = (x_job_km, y_job_km) if self.moving else self.home
        self.leg, self.t_since, self.on_job = (x_km, y_km, now, x_km, y_km, now), now, False
        if off_duty:
            self._end()
        elif self.moving:  # on from the scene
            self._set_out()
            self.back.succeed()  # type: ignore[union-attr]

    def go_off_duty(self) -> None:
        """The shift is over for a free unit, or for one whose overtime just ended."""
        if self.on_job:
            return  # it goes off duty when the job releases it (`back_from_job`)
        self._close_routine()
        self._end()

    def end_of_run(self) -> None:
        """The run stopped with the unit still on duty and free: close its interval."""
        if not self.on_job and self.process is not None and self.process.is_alive:
            self._close_routine()

    def _end(self) -> None:
        if self.note is not None:
            self.note("off_duty", -1, f"u{self.unit_id}")
        if self.duty_over is not None:  # waiting at the station: the wait is over
            self.duty_over.succeed(OFF_DUTY)
        elif self.back is not None and not self.back.triggered:  # released off duty
            self.back.succeed(OFF_DUTY)
        else:
            self._wake(OFF_DUTY)

    def _wake(self, cause: object) -> None:
        if self.wake is not None and not self.wake.triggered:
            self.wake.succeed(cause)

    # --- closing intervals ----------------------------------------------------------------

    def _close_routine(self) -> Point:
        """The routine's interval since `t_since` ends now. Returns where the unit is."""
        if self.moving:
            return self._close_route()
        if self.env.now > self.t_since:
            self._record(self.state, self.t_since, self.env.now, *self.home)
        return self.home

    def _close_route(self) -> Point:
        """The walk to the route, and the rounds since, end now where they have brought the
        unit; it will head on to the stop it was walking to (or stands at)."""
        assert self.route is not None
        now = self.env.now
        x0_km, y0_km, t0, x1_km, y1_km, t1 = self.leg
        if now <= t1:  # still on its way: the walk ends here, its rounds never began
            x_km, y_km = self.where()
            if now > t0:
                self.rows += (
                    self.unit_id,
                    self.state,
                    t0,
                    now,
                    (x0_km + x_km) / 2,
                    (y0_km + y_km) / 2,
                )
            if now < t1:  # its walk's presence was reported up to t1
                for series in self.walked:
                    series.cut(now, t1)
            for series in self.rounds:  # (rounds that would have begun at t1: none)
                series.close(t1)
        else:
            if t1 > t0:
                x_mid_km, y_mid_km = (x0_km + x1_km) / 2, (y0_km + y1_km) / 2
                self.rows += (self.unit_id, self.state, t0, t1, x_mid_km, y_mid_km)
            (x_km, y_km), self.next_stop = self.route.position_at(self.next_stop, now - t1)
            x_mean_km, y_mean_km = self.route.centre
            self.rows += (self.unit_id, self.state, t1, now, x_mean_km, y_mean_km)
            for series in self.rounds:
                series.close(now)
        self.walked = []
        self.leg, self.t_since = (x_km, y_km, now, x_km, y_km, now), now
        return x_km, y_km

    def _record(self, state: int, t_start: float, t_end: float, x_km: float, y_km: float) -> None:
        """A closed interval: to the records, and to the presence ledger if it counts."""
        self.rows += (self.unit_id, state, t_start, t_end, x_km, y_km)
        if self.presence is not None and state in self.presence.counted:
            self.presence.record(state, t_start, t_end, x_km, y_km)
