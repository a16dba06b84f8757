"""One replication of a scenario: the SimPy model of stations, units and incidents.

The story of one incident:
1. A call arrives (`receive_calls`). Its time, type, place and handling time were drawn up
   front (`sim.incidents`), so they do not depend on anything that happens here.
2. The dispatch policy (`sim.dispatch`) looks at the free units by station and role and
   either sends a whole team now or queues the incident at a station.
3. A team is dispatched as a whole (`respond`): each member sets off from their station and
   travels at their role's speed. The first arrival on scene ends the response time; handling
   begins once the whole team is there, and takes the incident's handling time.
4. When handling ends the incident is resolved; each member drives back to their station and
   is free again on arrival, at which point the queues are retried by priority, then arrival.

Arrivals stop at the end of the horizon; the model then runs on until every incident that
arrived is resolved, so no measured incident is censored. Utilisation is measured only inside
the window after warm-up. The model owns its environment, streams and records: no global
state, no files, no printing.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass

import numpy as np
import simpy

from sim.config import ScenarioConfig, SlotConfig, team_slots
from sim.dispatch import POLICIES, Assign, Queue
from sim.geography import return_min, road_distance_km, travel_min
from sim.incidents import IncidentStream, draw_incidents
from sim.records import EventLog, ReplicationRecords, build_records
from sim.rng import Streams

MIN_PER_DAY = 1440.0


@dataclass(frozen=True)
class Unit:
    """One member of staff on duty: a role at a home station."""

    unit_id: int
    role: str
    station: int


@dataclass(order=True, frozen=True)
class _Waiting:
    priority: int
    t_arrival_min: float
    incident_id: int
    station: int


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
        self.scenario = scenario
        self.env = simpy.Environment()
        self.warmup_min = warmup_min
        self.horizon_min = horizon_min
        self.log = event_log
        if incidents is None:
            incidents = draw_incidents(scenario, streams, warmup_min + horizon_min)
        self.incidents = incidents  # given explicitly: a trace, or a hand-made test case
        self._build_stations_and_units()
        self.policy = POLICIES[scenario.dispatch.policy]
        types = list(scenario.incident_types.values())
        self.type_slots: list[dict[str, SlotConfig]] = [team_slots(t.team) for t in types]
        self.type_priority = [t.priority for t in types]
        self._allocate_records()

    # --- the SimPy processes -------------------------------------------------------------

    def receive_calls(self) -> Generator[simpy.Event, None, None]:
        """Each pre-drawn call arrives at its time and goes to the dispatcher."""
        for incident_id, t_arrival in enumerate(self.incidents.t_arrival_min.tolist()):
            yield self.env.timeout(max(0.0, t_arrival - self.env.now))
            self.t_arrival[incident_id] = self.env.now  # the drawn time, to SimPy's rounding
            self._note(
                "arrive", incident_id, self.type_names[self.incidents.type_index[incident_id]]
            )
            self.dispatch_new_call(incident_id)

    def respond(self, incident_id: int, members: list[Unit]) -> Generator[simpy.Event, None, None]:
        """The team travels, handles the incident together, resolves it and drives back."""
        distance_km = self._distance_km[incident_id]
        roles = self.scenario.roles
        trips_min = [travel_min(roles[u.role], distance_km[u.station]) for u in members]
        first_min, last_min = min(trips_min), max(trips_min)
        if first_min > 0:
            yield self.env.timeout(first_min)
        self.t_first_on_scene[incident_id] = self.env.now
        self._note("on_scene", incident_id, "")
        if last_min > first_min:
            yield self.env.timeout(last_min - first_min)
        self.t_team_on_scene[incident_id] = self.env.now
        yield self.env.timeout(float(self.incidents.handling_min[incident_id]))
        self.t_resolved[incident_id] = self.env.now
        self._note("resolved", incident_id, "")
        del self._distance_km[incident_id]
        for unit in members:
            self._drive_back(unit, return_min(roles[unit.role], distance_km[unit.station]))

    # --- dispatching -------------------------------------------------------------------

    def dispatch_new_call(self, incident_id: int) -> None:
        """Ask the policy what to do with a new call and do it."""
        order = self._stations_by_distance(incident_id)
        slots = self.type_slots[self.incidents.type_index[incident_id]]
        decision = self.policy.on_arrival(slots, order, self.free_counts, self.staff_counts)
        if isinstance(decision, Assign):
            self._send_team(incident_id, decision)
        else:
            self._enqueue(incident_id, decision)

    def _enqueue(self, incident_id: int, decision: Queue) -> None:
        waiting = _Waiting(
            priority=self.type_priority[self.incidents.type_index[incident_id]],
            t_arrival_min=float(self.incidents.t_arrival_min[incident_id]),
            incident_id=incident_id,
            station=decision.station,
        )
        queue_index = 0 if self.policy.shared_queue else decision.station
        bisect.insort(self.queues[queue_index], waiting)
        self.station_of[incident_id] = decision.station
        self._note("queue", incident_id, self.station_names[decision.station])

    def _retry_queue(self, station: int) -> None:
        """A unit of `station` is free again: serve queued incidents, most urgent first."""
        queue = self.queues[0 if self.policy.shared_queue else station]
        served: list[_Waiting] = []
        for waiting in queue:
            if self._n_free_for(station) == 0:
                break
            incident_id = waiting.incident_id
            slots = self.type_slots[self.incidents.type_index[incident_id]]
            order = self._order[incident_id]
            decision = self.policy.retry(slots, order, waiting.station, self.free_counts)
            if decision is not None:
                served.append(waiting)
                self._send_team(incident_id, decision)
        for waiting in served:
            queue.remove(waiting)

    def _n_free_for(self, station: int) -> int:
        return self.n_free_total if self.policy.shared_queue else self.n_free_at[station]

    def _send_team(self, incident_id: int, decision: Assign) -> None:
        members: list[Unit] = []
        for station, role, n_units in decision.units:
            free = self.free_units[station][role]
            members.extend(free.popleft() for _ in range(n_units))
            self._count_free(station, role, -n_units)
        for unit in members:
            self.unit_incident[unit.unit_id] = incident_id
        self.t_dispatch[incident_id] = self.env.now
        self.station_of[incident_id] = decision.units[0][0]
        self.team_of[incident_id] = _team_label(members)
        self.n_stations_of[incident_id] = len({station for station, _, _ in decision.units})
        self._order.pop(incident_id, None)
        self._note("dispatch", incident_id, " ".join(f"u{u.unit_id}" for u in members))
        self.env.process(self.respond(incident_id, members))

    def _drive_back(self, unit: Unit, trip_min: float) -> None:
        if trip_min > 0:
            self.env.timeout(trip_min).callbacks.append(lambda _event: self._release(unit))
        else:
            self._release(unit)

    def _release(self, unit: Unit) -> None:
        incident_id = self.unit_incident.pop(unit.unit_id)
        self.busy.append((unit.unit_id, incident_id, self.t_dispatch[incident_id], self.env.now))
        self._note("free", incident_id, f"u{unit.unit_id}")
        self.free_units[unit.station][unit.role].append(unit)
        self._count_free(unit.station, unit.role, +1)
        self._retry_queue(unit.station)

    def _count_free(self, station: int, role: str, change: int) -> None:
        self.free_counts[station][role] += change
        self.n_free_at[station] += change
        self.n_free_total += change

    # --- running -------------------------------------------------------------------------

    def run(self) -> ReplicationRecords:
        """Simulate until every call has arrived and been resolved; return the records."""
        self.env.process(self.receive_calls())
        self.env.run()
        return build_records(self)

    # --- set-up helpers --------------------------------------------------------------------

    def _build_stations_and_units(self) -> None:
        stations = self.scenario.stations
        self.station_names = list(stations)
        self.type_names = list(self.scenario.incident_types)
        self.station_x_km = np.array([s.x_km for s in stations.values()])
        self.station_y_km = np.array([s.y_km for s in stations.values()])
        roles = list(self.scenario.roles)
        self.staff_counts = [{r: s.staff.get(r, 0) for r in roles} for s in stations.values()]
        self.free_counts = [dict(counts) for counts in self.staff_counts]
        self.units: list[Unit] = []
        self.free_units: list[dict[str, deque[Unit]]] = []
        for index, counts in enumerate(self.staff_counts):
            by_role: dict[str, deque[Unit]] = {}
            for role in roles:
                new = [Unit(len(self.units) + k, role, index) for k in range(counts[role])]
                self.units.extend(new)
                by_role[role] = deque(new)
            self.free_units.append(by_role)
        self.n_free_at = [sum(counts.values()) for counts in self.staff_counts]
        self.n_free_total = len(self.units)
        self.queues: list[list[_Waiting]] = [[] for _ in stations]
        self.unit_incident: dict[int, int] = {}
        self._order: dict[int, list[int]] = {}
        self._distance_km: dict[int, np.ndarray] = {}

    def _allocate_records(self) -> None:
        n = len(self.incidents)
        self.t_arrival = self.incidents.t_arrival_min.copy()
        self.t_dispatch = np.full(n, np.nan)
        self.t_first_on_scene = np.full(n, np.nan)
        self.t_team_on_scene = np.full(n, np.nan)
        self.t_resolved = np.full(n, np.nan)
        self.station_of = np.full(n, -1, dtype=np.int32)
        self.n_stations_of = np.zeros(n, dtype=np.int32)
        self.team_of: list[str] = [""] * n
        self.busy: list[tuple[int, int, float, float]] = []

    def _stations_by_distance(self, incident_id: int) -> list[int]:
        distance_km = road_distance_km(
            self.scenario.travel,
            self.station_x_km,
            self.station_y_km,
            float(self.incidents.x_km[incident_id]),
            float(self.incidents.y_km[incident_id]),
        )
        self._distance_km[incident_id] = distance_km
        order = np.argsort(distance_km, kind="stable").tolist() if len(distance_km) > 1 else [0]
        self._order[incident_id] = order
        return order

    def _note(self, event: str, incident_id: int, detail: str) -> None:
        if self.log is not None:
            self.log.append((round(self.env.now, 9), event, incident_id, detail))


def _team_label(members: list[Unit]) -> str:
    counts: dict[str, int] = {}
    for unit in members:
        counts[unit.role] = counts.get(unit.role, 0) + 1
    return "+".join(role if n == 1 else f"{role}*{n}" for role, n in sorted(counts.items()))
