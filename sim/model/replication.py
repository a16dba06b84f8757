"""One replication of a scenario: the SimPy model of stations, units and incidents.

The story of one incident:
1. A call arrives (`receive_calls`). Its time, type, place and handling time were drawn up
   front (`sim.model.incidents`); a deterrable call near a deterring station may never happen.
2. The dispatch policy (`sim.model.dispatch`) looks at the free units on duty by station and role
   (volunteers answer a call-out only with their `p_accept`, once per decision) and either
   sends a whole team now or queues the job at a station, where jobs wait by priority, then by
   the time they became ready. When units come free or on duty, the waiting jobs they could
   serve are offered again, in that order (`_retry_queue`).
3. A team is dispatched as a whole (`respond`): each member leaves its routine, sets off after
   their turnout (and call-out delay) from where it is and travels at their role's speed.
   The first arrival ends the response time; handling begins once the whole team is there.
4. When handling ends, each member goes back to its routine: a unit waiting at its station
   (or at its desk) drives back and is free on arrival; a moving unit (patrol, grid walk,
   post) is free on scene and carries on from there. If the incident has later stages
   (follow-up sessions, a referral), the next one becomes a job after its delay, in office
   hours (`follow_up`); a stage `only_if_unsettled` (a referral of what the police could not
   settle) is skipped when the sessions so far settled the matter. After the last one the
   incident is resolved; a matter not settled at its root calls again later as a repeat call
   (`call_again`). While a matter waits for a later session (an agency's visit days later),
   it may flare up: when its repeat delay passes first, the citizen calls the police again
   (`_flare_up`), and the matter goes on waiting.
Meanwhile `work_shifts` brings each roster's shifts on and off duty: a unit busy at the end of
its shift finishes the job on overtime, or hands it over to the next shift. And `bring_desk_work`
brings each station's desk work (an agency office's own caseload, a police room's counter
work): tasks without an incident, done at the station by its own staff, queued with its other
jobs by priority, then by the time they became ready. A matter referred to an agency's office
therefore waits behind the office's caseload and for its staff's hours: its turnaround is the
office's queue, not a drawn delay.

The story of one unit (`sim.model.agents`): every unit on duty is a SimPy process living its
duty day, `Agent.live_duty_day`. While free it runs its role's routine (waits at the station,
works its desk, walks its route: a beat's points, a grid block's households, a post). A
dispatch interrupts it (`_send_team`: its process's `wake`); it travels from where it is on its
route; `_release` hands it back to its routine; going off duty (`_end_shift`, or the end of
its overtime) ends its process. Its state intervals (routine and jobs, with where they were)
are recorded for utilisation, and those that count as presence go to the presence ledger as
they happen (`sim.model.presence`), for the prevention of later calls.

The processes are the units' and the rosters' (`work_shifts`). Calls and jobs, which are most
of the model's work, are chains of plain calls on the clock (`sim.model.clock.Clock.call_after`):
each arrival puts the next on the clock (`receive_calls`), and what happens to a job is a
chain of calls that carry on its story (`respond`, `follow_up`, `call_again`). A process per
job would cost two more events (its start and its end), and a timeout per step an event
object with its callbacks. A team's arrivals on scene need no call of their own: once it is
sent, they and the end of handling are known, so `respond` puts only that end on the clock.

Arrivals stop at the end of the horizon; the model runs on until every incident that arrived
is resolved, so no measured incident is censored. A matter (`sim.model.matters`) may still be
open when the run stops: it is censored there. The model owns its environment, streams and
records: no global state, no files, no printing.
"""

from __future__ import annotations

import bisect
import itertools
from collections import deque
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.config.rosters import ShiftInstance, iter_shift_instances, max_on_duty
from sim.config.scenario import ScenarioConfig, StageConfig
from sim.config.teams import TeamSlots, field_team, team_slots
from sim.model.clock import Clock
from sim.model.dispatch import POLICIES, Assign, Queue
from sim.model.distributions import make_distribution
from sim.model.followups import MIN_PER_DAY, draw_repeats, draw_stages, next_office_time
from sim.model.geography import MIN_PER_HOUR, Distances, StationOrder
from sim.model.incidents import IncidentStream
from sim.model.ledger import IncidentLedger
from sim.model.pool import Unit, UnitPool
from sim.model.presence import Fate, GridAreas, Prevention, draw_prevention_uniforms
from sim.model.records import EventLog, ReplicationRecords, build_records
from sim.model.replay import incident_stream
from sim.model.routes import road_km
from sim.model.staff import Staff
from sim.model.streams import Streams

KEPT = Fate("kept", -1, float("nan"), float("nan"))  # a call no effect of presence acts on
DESK = -1  # the incident id and stage of desk work (`bring_desk_work`): no incident
FORGET_EVERY_MIN = 7 * 1440.0  # how often the presence no call can reach is dropped
DRAIN_LIMIT_MIN = 60 * 1440.0  # rosters stop this long after the horizon, even with open work
Place = tuple[Sequence[float] | Distances, Sequence[int]]  # (km to each station, station order)


@dataclass(eq=False, slots=True)
class Job:
    """One handling session of an incident: stage 0 is the first response."""

    job_id: int
    incident_id: int
    stage: int
    kind: str  # response, followup or referral
    slots: TeamSlots
    priority: int
    handling_min: float
    place: Place  # the incident's distances to the stations, and the stations in that order
    members: list[Unit] = field(default_factory=list)
    team: str = ""  # e.g. `grid_worker+police`; a handover keeps it (same role)
    t_start: float = float("nan")  # when its members' busy time began (the earliest of them)


class Model:
    """Build with a scenario, streams and a time window; `run()` returns the records.

    `incidents` replaces the drawn incident stream (a replayed trace or a test case);
    `event_log`, if given, receives one row per event as it happens.
    """

    def __init__(
        self,
        scenario: ScenarioConfig,
        streams: Streams,
        *,
        warmup_min: float,
        horizon_min: float,
        event_log: EventLog | None = None,
        incidents: IncidentStream | None = None,
    ) -> None:
        self.scenario, self.streams, self.log = scenario, streams, event_log
        self.env = Clock()
        self.warmup_min, self.horizon_min = warmup_min, horizon_min
        self.t_end_min = warmup_min + horizon_min
        if incidents is None:
            incidents = incident_stream(scenario, streams, self.t_end_min)
        self.incidents = incidents
        self.ledger = IncidentLedger(incidents)
        types = list(scenario.incident_types.values())
        self.types, self.type_names = types, list(scenario.incident_types)
        self.type_slots = [team_slots(t.team) for t in types]
        self.stage_slots = [[team_slots(stage.team) for stage in t.stages] for t in types]
        self.stage_draws = draw_stages(scenario, streams, incidents.type_index)
        self.repeat_draws = draw_repeats(scenario, streams, incidents.type_index)
        self.policy = POLICIES[scenario.dispatch.policy]
        self._build_stations()
        self.prevention, self._u_prevention = self._build_prevention()
        self.prevented = np.zeros(len(incidents.t_arrival_min), dtype=bool)  # by presence
        self.prevented_by: dict[int, str] = {}  # candidate -> the effect that prevented it
        # per station (or one shared): (priority, t_ready, job id, station, job), in that order
        self.queues: list[list[tuple[int, float, int, int, Job]]] = [[] for _ in self.station_names]
        self._job_ids = itertools.count()  # each job's id, in the order they are made
        self.leaving: dict[int, float] = {}  # unit id -> end of its shift (it works overtime)
        self._shifts: list[tuple[int, ShiftInstance]] = []  # (first unit id, shift), in order
        self.plans: dict[int, deque[tuple[StageConfig, Job, float]]] = {}
        self.busy: list[float] = []  # flat rows of `records.BUSY_FIELDS`
        self.states: list[float] = []  # flat rows of `agents.STATE_FIELDS`
        self.staff = Staff(
            self.env,
            scenario,
            streams,
            self.states,
            self._note if event_log is not None else None,
            self.prevention,
        )
        self.overtime: list[tuple[int, float, float]] = []
        self.job_rows: list[object] = []  # flat rows of `records.JOB_FIELDS`
        self.n_open = 0
        self.t_stop_min = float("nan")  # when the run stopped (set by `run`)
        self._place_of_repeat: dict[int, Place] = {}  # matter -> its place, for its repeat call
        self._generation_of: dict[int, int] = {}  # matter -> its latest call's generation
        self._flare_calls: set[int] = set()  # calls made while the matter waited for a session
        self._labels: dict[str | tuple[str, ...], str] = {}  # label by role(s) of the members

    # --- arrivals, the chain of calls of each job, and the shifts (a SimPy process) ---------

    def receive_calls(self) -> None:
        """The pre-drawn calls arrive one after the other, each at its time (a chain of calls:
        each arrival schedules the next, so only one is on the clock at a time)."""
        deterred = self.incidents.deterred
        self._deterred = deterred.tolist() if deterred is not None else None
        self._t_calls_min = self.incidents.t_arrival_min.tolist()
        if self._t_calls_min:
            self.env.call_after(max(0.0, self._t_calls_min[0]), self._call_arrives, 0)

    def _call_arrives(self, incident_id: int) -> None:
        """A call arrives and goes to the dispatcher; the next call is put on the clock.

        Deterred candidates still step the clock, so that the others' arrival times round
        exactly as they would without deterrence.
        """
        now = self.env.now
        if self.prevention is not None:  # presence first, then the station-kind residual
            self._arrive_unless_prevented(incident_id)
        elif self._deterred is None or not self._deterred[incident_id]:
            x_km, y_km = self.incidents.x_km, self.incidents.y_km
            place = self.station_order.for_block_row(incident_id, x_km, y_km)  # by blocks
            self.ledger.t_arrival[incident_id] = now  # the drawn time, as rounded
            self.open_incident(incident_id, place)
        next_id = incident_id + 1
        if next_id < len(self._t_calls_min):
            delay_min = self._t_calls_min[next_id] - now
            self.env.call_after(delay_min if delay_min > 0.0 else 0.0, self._call_arrives, next_id)

    def _arrive_unless_prevented(self, incident_id: int) -> None:
        """Presence decides the candidate's fate at its time and place (`sim.model.presence`):
        it happens, does not (prevented), or happens in a neighbouring area (displaced). Of
        what presence leaves, the station-kind deterrence then takes its share: so presence's
        count does not depend on the residual's, and the residual is what presence left."""
        x_km, y_km = self.incidents.x_km, self.incidents.y_km
        type_index, prevention = self.ledger.type_index[incident_id], self.prevention
        assert prevention is not None
        if prevention.acts_on(type_index):
            u_prevent, u_displace = self._u_prevention[incident_id]
            fate = prevention.fate(
                type_index,
                self.ledger.x_km[incident_id],
                self.ledger.y_km[incident_id],
                self.env.now,
                u_prevent,
                u_displace,
            )
        else:  # no effect acts on its type
            fate = KEPT
        if fate.outcome == "prevented":
            self.prevented[incident_id] = True
            self.prevented_by[incident_id] = fate.effect or ""
            self._note("prevented", incident_id, fate.effect or "")
            return
        if self._deterred is not None and self._deterred[incident_id]:
            return  # the station-kind deterrence takes what presence left (its own uniform)
        if fate.outcome == "displaced":
            self.ledger.x_km[incident_id], self.ledger.y_km[incident_id] = fate.x_km, fate.y_km
            place: Place = self.station_order.full_order(fate.x_km, fate.y_km)
            self._note("displaced", incident_id, fate.effect or "")
        else:
            place = self.station_order.for_block_row(incident_id, x_km, y_km)
        self.ledger.t_arrival[incident_id] = self.env.now
        self.open_incident(incident_id, place)

    def respond(self, job: Job, trips_min: list[float]) -> None:
        """The team travels, handles the job together, and drives back.

        Every time of this is known once the team is sent: the first member is on scene after
        the shortest trip, the whole team after the longest, and handling ends `handling_min`
        later. So only the end of handling is put on the clock (`_finish_job`), each time
        summed as a chain of steps on the clock would sum it; the event log still gets its
        `on_scene` note when the first member arrives.
        """
        if len(trips_min) == 1:
            first_min, assembly_min = trips_min[0], 0.0
        else:
            first_min = min(trips_min)
            assembly_min = max(trips_min) - first_min
        now = job.t_start  # the team was sent just now (`_send_team`)
        t_first = now + first_min  # (adding 0.0 leaves a time as it is)
        t_team = t_first + assembly_min
        if job.stage == 0:
            self.ledger.t_first_on_scene[job.incident_id] = t_first
            self.ledger.t_team_on_scene[job.incident_id] = t_team
        if self.log is not None:
            self.env.call_at(t_first, self._first_on_scene, job)
        # `call_at(t_team + handling_min)`, written out: the same delay, one call less
        self.env.call_after(t_team + job.handling_min - now, self._finish_job, job)

    def _first_on_scene(self, job: Job) -> None:
        """The first member is on scene (for the event log only: `respond` did the rest)."""
        self._note("on_scene", job.incident_id, f"stage {job.stage}" if job.stage else "")

    def follow_up(self, job: Job, stage: StageConfig, delay_min: float) -> None:
        """A later stage becomes a job after its delay, at the next office hours."""
        t_ready = next_office_time(self.env.now + delay_min, stage.office_hours)
        self.env.call_after(t_ready - self.env.now, self._stage_ready, job)

    def _stage_ready(self, job: Job) -> None:
        if self.log is not None:  # (the details are formatted only for a log)
            self._note(job.kind, job.incident_id, f"stage {job.stage}")
        self.dispatch(job)

    def call_again(self, original_id: int, generation: int, delay_min: float) -> None:
        """An unsettled matter calls again after its delay."""
        self.env.call_after(delay_min, self._repeat_call, original_id, generation)

    def _repeat_call(self, original_id: int, generation: int) -> None:
        """A new incident about the same matter: same place and type."""
        repeats = self.repeat_draws[self.ledger.type_index[original_id]]
        assert repeats is not None
        handling_min = float(repeats.handling_min[original_id, generation - 1])
        incident_id = self.ledger.add_repeat(original_id, generation, self.env.now, handling_min)
        self._generation_of[original_id] = generation
        self.n_open -= 1  # the pending repeat becomes an open incident
        self.open_incident(incident_id, self._place_of_repeat.pop(original_id))  # its matter's

    def watch_for_flare_up(self, waiting: Job) -> None:
        """While `waiting` (a later session) has not started, the matter may flare up: after
        its next repeat delay the citizen calls again (within the horizon, up to
        `max_repeats` calls after the first)."""
        ledger, incident_id = self.ledger, waiting.incident_id
        type_index = ledger.type_index[incident_id]
        root, draws = self.types[type_index].root_cause, self.repeat_draws[type_index]
        if root is None or draws is None:
            return
        original = ledger.original_id[incident_id]
        latest = self._generation_of.get(original, ledger.generation[incident_id])
        if latest >= root.max_repeats:
            return
        delay_min = float(draws.delay_min[original, latest])
        if self.env.now + delay_min < self.t_end_min:
            self.env.call_after(delay_min, self._flare_up, waiting, latest + 1)

    def _flare_up(self, waiting: Job, generation: int) -> None:
        """The matter flared up before its session started: a police call about it, with no
        later stages of its own and no settling (the matter still waits for the session)."""
        if waiting.t_start == waiting.t_start:  # the session has started (t_start not NaN)
            return
        original = self.ledger.original_id[waiting.incident_id]
        repeats = self.repeat_draws[self.ledger.type_index[original]]
        assert repeats is not None
        handling_min = float(repeats.handling_min[original, generation - 1])
        incident_id = self.ledger.add_repeat(original, generation, self.env.now, handling_min)
        self._generation_of[original] = generation
        self._flare_calls.add(incident_id)
        self.open_incident(incident_id, waiting.place, later_stages=False)
        self.watch_for_flare_up(waiting)

    def bring_desk_work(self, station: int, role: str) -> Generator[simpy.Event, None, None]:
        """The station's desk work for `role` arrives until the horizon, each task a job that
        only the station's own staff of that role can do, at the station (no travel)."""
        desk = self.scenario.stations[self.station_names[station]].desk_work[role]
        n_staff = self.max_staff[station][role]
        mean_gap_min = MIN_PER_DAY / (desk.per_staff_day * n_staff)
        handling, rng = make_distribution(desk.handling), self.streams["desk_work"]
        slots = team_slots({role: 1})
        place: Place = ([0.0] * len(self.station_names), (station,))  # here, and only here
        while True:
            yield self.env.timeout(float(rng.exponential(mean_gap_min)))
            if self.env.now >= self.t_end_min:
                return
            job_id = next(self._job_ids)
            job = Job(job_id, DESK, DESK, "desk", slots, desk.priority, 0.0, place)
            job.handling_min = handling.sample_one(rng)
            self._note("desk_task", DESK, f"{self.station_names[station]} {role}")
            self.dispatch(job)

    def forget_old_presence(self) -> Generator[simpy.Event, None, None]:
        """Once a week, presence no later call's window can reach is forgotten (the calls up
        to now have been decided: they arrive in time order); the ledger holds at most a
        window and a week of presence."""
        assert self.prevention is not None
        while self.env.now < self.t_end_min:
            yield self.env.timeout(FORGET_EVERY_MIN)
            self.prevention.forget(self.env.now)

    def work_shifts(self, station: int, role: str) -> Generator[simpy.Event, None, None]:
        """Shift after shift: units come on duty, go off it, finish or hand over their jobs."""
        entry = self.scenario.stations[self.station_names[station]].staff[role]
        assert not isinstance(entry, int)
        handing_over: list[Unit] = []
        for shift in iter_shift_instances(entry):
            done = self.env.now >= self.t_end_min and self.n_open == 0
            if done or self.env.now >= self.t_end_min + DRAIN_LIMIT_MIN:
                return
            yield self.env.timeout(max(0.0, shift.t_start_min - self.env.now))
            if self.log is not None:
                self._note("shift_start", -1, f"{self.station_names[station]} {role} {shift.count}")
            group = self.pool.add_units(station, role, shift.count)
            self.staff.start(group)  # each unit's duty day (`sim.model.agents`)
            self._shifts.append((group[0].unit_id, shift))
            self._hand_over(handing_over)
            self._retry_queue(station, role)
            yield self.env.timeout(shift.t_end_min - self.env.now)
            handing_over = self._end_shift(group, shift)

    # --- incidents and jobs ------------------------------------------------------------

    def open_incident(self, incident_id: int, place: Place, later_stages: bool = True) -> None:
        """A call arrives: plan its later stages and dispatch its first response.

        `place`: the distances from the incident to every station, and the stations in order;
        `later_stages` False for a flare-up's call (its matter's sessions are already planned).
        """
        self.n_open += 1
        ledger = self.ledger
        type_index = ledger.type_index[incident_id]
        if self.log is not None:
            self._note("arrive", incident_id, self.type_names[type_index])
        incident_type = self.types[type_index]
        if incident_type.stages and later_stages:
            self.plans[incident_id] = self._plan_later_stages(incident_id, type_index, place)
        slots, priority = self.type_slots[type_index], incident_type.priority
        handling_min = ledger.handling_min[incident_id]
        job = Job(
            next(self._job_ids), incident_id, 0, "response", slots, priority, handling_min, place
        )
        self.dispatch(job)

    def dispatch(self, job: Job) -> None:
        """Ask the policy what to do with a job that is ready, and do it."""
        order, uncertain = job.place[1], self.uncertain_roles
        if uncertain and not job.slots.usable.isdisjoint(uncertain):  # volunteers are asked
            view = self._free_view_and_totals()[0]
        else:
            view = self.pool.free_counts
        decision = self.policy.on_arrival(job.slots, order, view, self.max_staff)
        if isinstance(decision, Assign):
            self._send_team(job, decision)
        else:
            self._enqueue(job, decision)

    def _finish_job(self, job: Job) -> None:
        """Handling is over: record the job, start the next stage or resolve, drive back."""
        ledger, incident_id, members = self.ledger, job.incident_id, job.members
        if incident_id == DESK:  # desk work: done at the station, no incident to carry on
            for unit in members:
                unit.job = None
                self._release(unit)
            return
        self.job_rows += (incident_id, job.stage, job.kind, job.t_start, self.env.now, job.team)
        roles_seen, role_bit = ledger.roles_seen[incident_id], self.role_bit
        for unit in members:
            roles_seen |= role_bit[unit.role]
            unit.job = None
        ledger.roles_seen[incident_id] = roles_seen
        plan = self.plans.get(incident_id) if self.plans else None
        if plan and plan[0][0].only_if_unsettled and self._settles_now(incident_id):
            plan.clear()  # settled without the referral
        if plan:
            if self.log is not None:
                self._note("handled", incident_id, f"stage {job.stage}")
            stage, next_job, delay_min = plan.popleft()
            self.follow_up(next_job, stage, delay_min)
            self.watch_for_flare_up(next_job)
        else:
            self._resolve(incident_id, job.place)
        distance_km, setting_off = job.place[0], self._setting_off
        for unit in members:
            if unit.agent is not None and unit.agent.moving:  # its routine resumes on scene
                self._release(unit)
                continue
            speed_kmh = setting_off[unit.role][1]  # `geography.return_min`, written out
            trip_min = distance_km[unit.station] / speed_kmh * MIN_PER_HOUR
            if trip_min > 0:
                self.env.call_after(trip_min, self._release, unit)
            else:
                self._release(unit)

    def _resolve(self, incident_id: int, place: Place) -> None:
        ledger = self.ledger
        ledger.t_resolved[incident_id] = self.env.now
        if self.plans:
            self.plans.pop(incident_id, None)
        self.n_open -= 1
        if self.log is not None:
            self._note("resolved", incident_id, "")
        if self._flare_calls and incident_id in self._flare_calls:  # the matter still waits
            ledger.settled[incident_id] = 0.0
            return
        settles = self.repeat_draws[ledger.type_index[incident_id]] is not None
        if settles and self._settle_or_call_again(incident_id):  # the same place calls again
            self._place_of_repeat[ledger.original_id[incident_id]] = place

    def _settles_now(self, incident_id: int) -> bool:
        """Whether the matter is settled at its root with the roles of its sessions so far.

        The call's one uniform decides, compared with p_settled_with or p_settled_without: so
        a matter the police could not settle (u >= p_settled_without) is settled by the agency
        it is referred to with (p_settled_with - p_settled_without) / (1 - p_settled_without),
        and overall with p_settled_with, as when the agency came at once."""
        ledger = self.ledger
        type_index = ledger.type_index[incident_id]
        root, draws = self.types[type_index].root_cause, self.repeat_draws[type_index]
        if root is None or draws is None:
            return False
        original, generation = ledger.original_id[incident_id], ledger.generation[incident_id]
        needed = self.root_bits[type_index]
        with_roots = ledger.roles_seen[incident_id] & needed == needed
        p_settled = root.p_settled_with if with_roots else root.p_settled_without
        return bool(draws.u_settle[original, generation] < p_settled)

    def _settle_or_call_again(self, incident_id: int) -> bool:
        """Whether the matter was settled at its root; if not, it may call again (True)."""
        ledger = self.ledger
        type_index = ledger.type_index[incident_id]
        root, draws = self.types[type_index].root_cause, self.repeat_draws[type_index]
        if root is None or draws is None:
            return False
        settled = self._settles_now(incident_id)
        ledger.settled[incident_id] = float(settled)
        if self.log is not None:
            self._note("settled" if settled else "unsettled", incident_id, "")
        original = ledger.original_id[incident_id]
        latest = self._generation_of.get(original, ledger.generation[incident_id])
        if settled or latest >= root.max_repeats:
            return False
        delay_min = float(draws.delay_min[original, latest])
        if self.env.now + delay_min >= self.t_end_min:
            return False
        self.n_open += 1  # a repeat call is on its way
        self.call_again(original, latest + 1, delay_min)
        return True

    def _plan_later_stages(
        self, incident_id: int, type_index: int, place: Place
    ) -> deque[tuple[StageConfig, Job, float]]:
        """The jobs of the stages this incident needs (a repeat follows its original's draws)."""
        row = int(self.ledger.original_id[incident_id])
        plan: deque[tuple[StageConfig, Job, float]] = deque()
        for stage_index, stage in enumerate(self.types[type_index].stages):
            draws = self.stage_draws[type_index][stage_index]
            if not draws.needed[row]:
                continue
            for session in range(stage.sessions):
                handling_min = float(draws.handling_min[row, session])
                slots = self.stage_slots[type_index][stage_index]
                job = Job(
                    next(self._job_ids),
                    incident_id,
                    len(plan) + 1,
                    stage.kind,
                    slots,
                    stage.priority,
                    handling_min,
                    place,
                )
                plan.append((stage, job, float(draws.delay_min[row, session])))
        return plan

    # --- dispatching -------------------------------------------------------------------

    def _enqueue(self, job: Job, decision: Queue) -> None:
        queue = self.queues[0 if self.policy.shared_queue else decision.station]
        bisect.insort(queue, (job.priority, self.env.now, job.job_id, decision.station, job))
        if job.stage == 0:
            self.ledger.station_of[job.incident_id] = decision.station
        if self.log is not None:
            self._note("queue", job.incident_id, self.station_names[decision.station])

    def _retry_queue(self, station: int, freed_role: str) -> None:
        """Units of `freed_role` are free at `station`: serve queued jobs, most urgent first.

        After every pass, each job left in the queue could not be fielded from the free units;
        units only leave the pool until the next pass. So a job none of whose slots can take
        a `freed_role` unit still cannot be fielded, and is skipped, unless volunteers could
        fill one of its slots: they answer anew. Each free volunteer is asked once in a pass
        (`_free_view_and_totals`), when the first job they could serve is offered; those who
        said yes stay available to later jobs of the pass until a team takes them. As units
        only leave the view during a pass, a team that could not be fielded from it cannot be
        fielded later in the pass either: jobs needing the same team are skipped.
        """
        pool, policy, uncertain = self.pool, self.policy, self.uncertain_roles
        shared, n_free_at = policy.shared_queue, pool.n_free_at
        queue = self.queues[0 if shared else station]
        served, unfieldable = [], set()
        answers: tuple[list[dict[str, int]], dict[str, int]] | None = None
        for entry in queue:
            if (pool.n_free_total if shared else n_free_at[station]) == 0:
                break
            job = entry[4]
            slots = job.slots
            if id(slots) in unfieldable:
                continue
            if uncertain and not slots.usable.isdisjoint(uncertain):  # volunteers are asked
                if answers is None:
                    answers = self._free_view_and_totals()
                view, free_by_role = answers
            elif freed_role in slots.usable:
                view, free_by_role = pool.free_counts, pool.n_free_by_role
            else:  # nothing it could use came free since it last failed
                continue
            if shared and field_team(slots, free_by_role) is None:
                unfieldable.add(id(slots))
                continue
            decision = policy.retry(slots, job.place[1], entry[3], view)
            if decision is not None:
                served.append(entry)
                self._send_team(job, decision)
                if answers is not None and answers[1] is not pool.n_free_by_role:
                    _take_from_view(decision, *answers, pool.free_counts)
            elif not shared:  # the same station for every entry
                unfieldable.add(id(slots))
        for entry in served:
            queue.remove(entry)

    def _send_team(self, job: Job, decision: Assign) -> None:
        """The decided units leave their routines and set off, each from where it is; the
        team then responds (`respond`)."""
        pool = self.pool
        if len(decision) == 1:  # one station: the pool's list is the team
            station, role, n_units = decision[0]
            members = pool.take(station, role, n_units)
        else:
            members = []
            for station, role, n_units in decision:
                members += pool.take(station, role, n_units)
        now, incident_id = self.env.now, job.incident_id
        job.members, job.t_start = members, now
        roles_key = members[0].role if len(members) == 1 else tuple([u.role for u in members])
        job.team = self._labels.get(roles_key) or self._team_label(roles_key, members)
        busy_with = (incident_id, job.stage, now)  # one tuple for the team: never changed
        distance_km, setting_off = job.place[0], self._setting_off
        trips_min = []
        for unit in members:
            unit.job, unit.busy_with = job, busy_with
            agent = unit.agent
            assert agent is not None
            x_km, y_km = agent.leave_routine(job)  # the dispatch interrupts its routine
            if agent.moving:  # from where it is on its beat, block or post
                to_x_km, to_y_km = self._where(incident_id, unit.station)
                from_km = road_km(self.scenario.travel, x_km, y_km, to_x_km, to_y_km)
            else:
                from_km = distance_km[unit.station]
            turnout_min, speed_kmh, callout = setting_off[unit.role]  # `geography.travel_min`
            trip_min = turnout_min + from_km / speed_kmh * MIN_PER_HOUR
            if callout is not None:  # on call: the call-out delay before setting off
                trip_min += callout.sample_one(self.streams["callouts"])
            trips_min.append(trip_min)
        if job.stage == 0:  # the incident's first response: when, from where, which team
            ledger = self.ledger
            ledger.t_dispatch[incident_id] = now
            ledger.station_of[incident_id] = decision[0][0]
            ledger.team_of[incident_id] = job.team
            ledger.n_stations_of[incident_id] = (
                1 if len(decision) == 1 else len({station for station, _, _ in decision})
            )
        if self.log is not None:
            self._note("dispatch", incident_id, " ".join(f"u{u.unit_id}" for u in members))
        self.respond(job, trips_min)

    def _free_view_and_totals(self) -> tuple[list[dict[str, int]], dict[str, int]]:
        """Free units as the policy sees them, by station and in total: a free volunteer
        answers only with `p_accept` (one draw per station with free volunteers, in order)."""
        pool = self.pool
        for role in self.uncertain_roles:
            if pool.n_free_by_role[role]:
                break
        else:  # no volunteer is free: nobody is asked
            return pool.free_counts, pool.n_free_by_role
        rng = self.streams["callouts"]
        view, totals = list(pool.free_counts), dict(pool.n_free_by_role)
        for station, counts in enumerate(pool.free_counts):
            for role, p_accept in self.uncertain_roles.items():
                if counts[role]:
                    if view[station] is counts:
                        view[station] = dict(counts)  # copied only where volunteers answer
                    answered = int(rng.binomial(counts[role], p_accept))
                    totals[role] -= counts[role] - answered
                    view[station][role] = answered
        return view, totals

    # --- units coming back, shifts ending ------------------------------------------------

    def _release(self, unit: Unit) -> None:
        """A member is back at the station: free again, or off duty if their shift is over."""
        unit_id, agent = unit.unit_id, unit.agent
        incident_id, stage, t_start = unit.busy_with  # type: ignore[misc]
        unit.busy_with = None
        self.busy += (unit_id, incident_id, stage, t_start, self.env.now)
        if self.log is not None:
            self._note("free", incident_id, f"u{unit_id}")
        leaving = unit_id in self.leaving if self.leaving else False
        assert agent is not None
        if incident_id == DESK:
            x_km, y_km = self._where(incident_id, unit.station)
            agent.back_from_job(t_start, x_km, y_km, leaving, at_desk=True)
        else:  # `_where`, written out: the incident's place
            x_km, y_km = self.ledger.x_km[incident_id], self.ledger.y_km[incident_id]
            agent.back_from_job(t_start, x_km, y_km, leaving)
        if leaving:
            unit.agent = None  # its day is over (a province year has millions of unit-shifts)
            self.overtime.append((unit_id, self.leaving.pop(unit_id), self.env.now))
            return
        self.pool.put_back(unit)
        if self.queues[0 if self.policy.shared_queue else unit.station]:
            self._retry_queue(unit.station, unit.role)

    def _where(self, incident_id: int, station: int) -> tuple[float, float]:
        """Where a job is done: the incident's place, or the station for desk work."""
        if incident_id == DESK:
            return float(self.station_x_km[station]), float(self.station_y_km[station])
        return self.ledger.x_km[incident_id], self.ledger.y_km[incident_id]

    def _end_shift(self, group: list[Unit], shift: ShiftInstance) -> list[Unit]:
        """Free units go home; busy ones are on overtime until they are free or hand over."""
        for unit in self.pool.remove_free(group):
            assert unit.agent is not None
            unit.agent.go_off_duty()
            unit.agent = None
        busy = [u for u in group if u.busy_with is not None]
        handover = self.scenario.roles[group[0].role].shift_change == "handover" if group else False
        for unit in busy:
            self.leaving[unit.unit_id] = shift.t_end_min
        return [u for u in busy if handover and u.job is not None]

    def _hand_over(self, outgoing: list[Unit]) -> None:
        """Jobs of the outgoing shift pass to free units of the incoming one, on scene.

        A unit with nobody free to take over, or already driving back, stays on overtime.
        """
        for unit in outgoing:
            job = unit.job
            if unit.unit_id not in self.leaving or not isinstance(job, Job):
                continue
            if not self.pool.free_counts[unit.station][unit.role]:
                continue
            del self.leaving[unit.unit_id]
            successor = self.pool.take(unit.station, unit.role, 1)[0]
            job.members[job.members.index(unit)] = successor
            incident_id, stage, t_start = unit.busy_with  # type: ignore[misc]
            self.busy += (unit.unit_id, incident_id, stage, t_start, self.env.now)
            x_km, y_km = self._where(incident_id, unit.station)
            assert unit.agent is not None and successor.agent is not None
            unit.agent.back_from_job(t_start, x_km, y_km, True, at_desk=incident_id == DESK)
            unit.agent = None
            successor.agent.leave_routine(job)  # taken from its routine, on scene at once
            unit.busy_with, unit.job = None, None
            successor.busy_with, successor.job = (incident_id, stage, self.env.now), job
            job.t_start = min(u.busy_with[2] for u in job.members)  # type: ignore[index]
            self._note("handover", incident_id, f"u{unit.unit_id} u{successor.unit_id}")

    # --- running -------------------------------------------------------------------------

    def run(self) -> ReplicationRecords:
        """Simulate until every call has arrived and been resolved; return the records."""
        self.receive_calls()
        for group in self._plain_groups:  # units of plain counts are on duty throughout
            self.staff.start(group)
        for station, role in self.rostered:
            self.env.process(self.work_shifts(station, role))
        for station, role in self.desks:
            self.env.process(self.bring_desk_work(station, role))
        if self.prevention is not None:
            self.env.process(self.forget_old_presence())
        self.env.run_all()
        self.t_stop_min = self.env.now  # matters still open are censored here
        for unit in self.pool.units:
            if unit.agent is not None:  # still on duty
                unit.agent.end_of_run()
        return build_records(self)

    # --- set-up helpers --------------------------------------------------------------------

    def _build_stations(self) -> None:
        stations, roles = self.scenario.stations, list(self.scenario.roles)
        self.station_names = list(stations)
        self.role_index = {role: index for index, role in enumerate(roles)}
        self.role_bit = {role: 1 << index for role, index in self.role_index.items()}
        self.root_bits = [  # per type: the bits of the roles that settle a matter at its root
            sum(self.role_bit[r] for r in t.root_cause.roles) if t.root_cause else 0
            for t in self.types
        ]
        self.station_x_km = np.array([s.x_km for s in stations.values()])
        self.station_y_km = np.array([s.y_km for s in stations.values()])
        self.station_order = StationOrder(
            self.scenario.travel, self.station_x_km, self.station_y_km
        )
        self.max_staff = [
            {r: max_on_duty(s.staff.get(r, 0)) for r in roles} for s in stations.values()
        ]
        self.pool = UnitPool(len(stations), roles)
        self.rostered: list[tuple[int, str]] = []
        self._plain_groups: list[list[Unit]] = []
        for index, station in enumerate(stations.values()):
            for role in roles:
                entry = station.staff.get(role, 0)
                if isinstance(entry, int):
                    self._plain_groups.append(self.pool.add_units(index, role, entry))
                else:
                    self.rostered.append((index, role))
        self.desks = [  # (station, role) of every desk with work to bring
            (index, role)
            for index, station in enumerate(stations.values())
            for role, desk in station.desk_work.items()
            if desk.per_staff_day > 0 and self.max_staff[index][role] > 0
        ]
        self.roles = self.scenario.roles
        role_configs = self.scenario.roles.items()
        self.uncertain_roles = {r: c.p_accept for r, c in role_configs if c.p_accept < 1}
        self._setting_off = {  # per role: (turnout_min, speed_kmh, call-out delay or None)
            r: (c.turnout_min, c.speed_kmh, make_distribution(c.callout_delay))
            if c.callout_delay
            else (c.turnout_min, c.speed_kmh, None)
            for r, c in role_configs
        }

    def _build_prevention(self) -> tuple[Prevention | None, list[list[float]]]:
        """Prevention from presence, with each candidate's own pair of uniforms; None without
        effects. A day's presence older than every window is forgotten once a day."""
        config, region = self.scenario.prevention, self.scenario.region
        if not config.effects:
            return None, []
        areas = GridAreas.from_config(config.areas, region.width_km, region.height_km)
        prevention = Prevention(config, areas, self.type_names)
        n_candidates = len(self.incidents.t_arrival_min)
        uniforms = draw_prevention_uniforms(self.streams["prevention"], n_candidates)
        return prevention, uniforms.tolist()

    def shift_of(self, unit_id: int) -> ShiftInstance | None:
        """The shift a rostered unit came on duty for; None for a unit of a plain count.

        A shift's units come on duty together, with consecutive ids (`UnitPool.add_units`).
        """
        index = bisect.bisect_right(self._shifts, unit_id, key=lambda entry: entry[0]) - 1
        if index < 0:
            return None
        first_id, shift = self._shifts[index]
        return shift if unit_id < first_id + shift.count else None

    def _team_label(self, roles_key: str | tuple[str, ...], members: list[Unit]) -> str:
        """The team's label, made once for each combination of the members' roles."""
        label = self._labels[roles_key] = _team_label(members)
        return label

    def _note(self, event: str, incident_id: int, detail: str) -> None:
        if self.log is not None:
            self.log.append((round(self.env.now, 9), event, incident_id, detail))


def _take_from_view(
    decision: Assign,
    view: list[dict[str, int]],
    free_by_role: dict[str, int],
    free_counts: list[dict[str, int]],
) -> None:
    """The units just sent leave the volunteers' answers of this pass: the pool's own counts
    follow `take`; the copies made for the answers are counted down here."""
    for station, role, n_units in decision:
        free_by_role[role] -= n_units
        if view[station] is not free_counts[station]:
            view[station][role] -= n_units


def _team_label(members: list[Unit]) -> str:
    counts: dict[str, int] = {}
    for unit in members:
        counts[unit.role] = counts.get(unit.role, 0) + 1
    return "+".join(role if n == 1 else f"{role}*{n}" for role, n in sorted(counts.items()))
