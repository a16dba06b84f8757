"""Staff: starts an agent (`sim.model.agents`) for every unit that comes on duty.

A unit's routine is its station's for its role if the station has one, else its role's. A
moving routine walks its seat's route (`sim.model.routes`), drawn once per seat (the station,
the role and the unit's place in its group) from the `agents` stream spawned for that seat:
every shift's unit on that seat walks the same route, and adding a unit does not move the
others'. With prevention, a route whose rounds count as presence is registered once with the
presence ledger (`Prevention.add_route`: its cells and their shares of a round).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import simpy

from sim.config.rosters import max_on_duty
from sim.config.scenario import RoleConfig, RoutineConfig, ScenarioConfig
from sim.model.agents import MOVING_KINDS, STATE_NAMES, Agent, Note, Presence
from sim.model.pool import Unit
from sim.model.presence import PresenceSeries, Prevention
from sim.model.routes import Route, draw_route
from sim.model.streams import Streams


class Staff:
    """Starts the agents of the units that come on duty, one per unit."""

    def __init__(
        self,
        env: simpy.Environment,
        scenario: ScenarioConfig,
        streams: Streams,
        rows: list[float],
        note: Note | None,
        prevention: Prevention | None = None,
    ) -> None:
        self.env, self.streams, self.rows, self.note = env, streams, rows, note
        self.prevention = prevention
        self.travel = scenario.travel
        self.roles: dict[str, RoleConfig] = dict(scenario.roles)
        self.role_index = {role: index for index, role in enumerate(scenario.roles)}
        self.homes = [(s.x_km, s.y_km) for s in scenario.stations.values()]
        self.station_routines = [s.routines for s in scenario.stations.values()]
        self.region_km = (scenario.region.width_km, scenario.region.height_km)
        self._presence: dict[str, Presence | None] = {}  # by role
        # by seat: its route, and the presence series its rounds go to
        self.routes: dict[tuple[int, int, int], tuple[Route, tuple[PresenceSeries, ...]]] = {}

    def start(self, units: list[Unit]) -> None:
        """The units (one group: same station and role) come on duty now."""
        if not units:
            return
        station, role_name = units[0].station, units[0].role
        role, home_km = self.roles[role_name], self.homes[station]
        routine = self.station_routines[station].get(role_name, role.routine)
        presence = self._presence_of(role_name)
        moving = routine.kind in MOVING_KINDS
        for seat, unit in enumerate(units):
            route, rounds = (
                self.route_of(routine, role_name, (station, self.role_index[role_name], seat))
                if moving
                else (None, ())
            )
            agent = Agent(
                unit.unit_id,
                self.env,
                routine.kind,
                home_km,
                self.rows,
                route,
                rounds,
                presence,
                self.note,
            )
            unit.agent = agent
            agent.start()

    def _presence_of(self, role: str) -> Presence | None:
        if role not in self._presence:
            self._presence[role] = (
                Presence(self.prevention, role) if self.prevention is not None else None
            )
        return self._presence[role]

    def route_of(
        self, routine: RoutineConfig, role_name: str, seat: tuple[int, int, int]
    ) -> tuple[Route, tuple[PresenceSeries, ...]]:
        """A seat's route, drawn the first time the seat comes on duty, and the presence
        series of its footprint (its cells and their shares of a round), if its rounds count
        as presence."""
        if seat not in self.routes:
            speed_kmh = routine.speed_kmh or self.roles[role_name].speed_kmh
            home_km = self.homes[seat[0]]
            route = draw_route(
                self._rng(*seat), routine, home_km, self.region_km, speed_kmh, self.travel
            )
            rounds: tuple[PresenceSeries, ...] = ()
            presence = self._presence_of(role_name)
            state = STATE_NAMES.index(routine.kind)
            if presence is not None and state in presence.counted:
                prevention = presence.prevention
                footprint = prevention.add_route(route.cell_shares(prevention.areas.area_of))
                rounds = presence.rounds(state, footprint)
            self.routes[seat] = (route, rounds)
        return self.routes[seat]

    def _rng(self, *key: int) -> np.random.Generator:
        stream = self.streams.seed_sequence("agents")
        seed = np.random.SeedSequence(stream.entropy, spawn_key=(*stream.spawn_key, *key))
        return np.random.default_rng(seed)


class SeatRoute(NamedTuple):
    """The route a seat walks (`seat_routes`): its station, role, place in its shift group."""

    station: str
    role: str
    seat: int
    kind: str
    route: Route


def seat_routes(scenario: ScenarioConfig, streams: Streams) -> list[SeatRoute]:
    """Every seat's route, as a run with these streams walks it: for each station and role on
    a moving routine, one per unit of its largest shift (for a map of where staff walk)."""
    staff = Staff(simpy.Environment(), scenario, streams, [], None)
    routes = []
    for index, (name, station) in enumerate(scenario.stations.items()):
        for role_name, role in scenario.roles.items():
            routine = station.routines.get(role_name, role.routine)
            if routine.kind not in MOVING_KINDS:
                continue
            for seat in range(max_on_duty(station.staff.get(role_name, 0))):
                key = (index, staff.role_index[role_name], seat)
                route = staff.route_of(routine, role_name, key)[0]
                routes.append(SeatRoute(name, role_name, seat, routine.kind, route))
    return routes
