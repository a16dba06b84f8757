"""The unit pool: which units are on duty, and which of them are free, by station and role.

A unit is one member of staff on duty, with a role and a home station. Units join the pool
when their shift starts (or at t = 0 for plain counts) and leave it when it ends. Free units
wait in a first-in-first-out line per station and role, so work spreads over them. The
dispatch policies see only counts (`free_counts`), never the units themselves.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Protocol


class DutyDay(Protocol):
    """What the model asks of a unit's agent (`sim.model.agents.Agent`), stated here so that
    the pool need not import the agents, which import the pool."""

    moving: bool

    def leave_routine(self, cause: object) -> tuple[float, float]: ...

    def back_from_job(
        self,
        t_dispatch: float,
        x_job_km: float,
        y_job_km: float,
        off_duty: bool,
        at_desk: bool = False,
    ) -> None: ...

    def go_off_duty(self) -> None: ...

    def end_of_run(self) -> None: ...


@dataclass(slots=True, eq=False)
class Unit:
    """One member of staff on duty: a role at a home station (each unit is its own object).

    Its `agent` runs its duty day as a SimPy process. While it is busy the model notes on it
    what with: `busy_with` from dispatch until it is free again (back at its station, or on
    scene for a moving routine), `job` only until handling ends (it can hand over only that).
    """

    unit_id: int
    role: str
    station: int
    busy_with: tuple[int, int, float] | None = None  # (incident id, stage, t_start)
    job: object | None = None  # the model's job it works on
    agent: DutyDay | None = None  # its duty day (`sim.model.agents`), set when it comes on duty


class UnitPool:
    """Units by station and role, with counts of the free ones kept in step."""

    def __init__(self, n_stations: int, roles: list[str]) -> None:
        self.units: list[Unit] = []
        self.free: list[dict[str, deque[Unit]]] = [
            {r: deque() for r in roles} for _ in range(n_stations)
        ]
        self.free_counts: list[dict[str, int]] = [
            dict.fromkeys(roles, 0) for _ in range(n_stations)
        ]
        self.n_free_at = [0] * n_stations
        self.n_free_by_role = dict.fromkeys(roles, 0)

    def add_units(self, station: int, role: str, n_units: int) -> list[Unit]:
        """New units come on duty, free."""
        first_id = len(self.units)
        new = [Unit(unit_id, role, station) for unit_id in range(first_id, first_id + n_units)]
        self.units.extend(new)
        self.free[station][role].extend(new)
        self._count(station, role, n_units)
        return new

    def take(self, station: int, role: str, n_units: int) -> list[Unit]:
        """The `n_units` longest-free units of a role at a station."""
        line = self.free[station][role]
        taken = [line.popleft()] if n_units == 1 else [line.popleft() for _ in range(n_units)]
        self.free_counts[station][role] -= n_units  # `_count` written out, as in `put_back`
        self.n_free_at[station] -= n_units
        self.n_free_by_role[role] -= n_units
        return taken

    def put_back(self, unit: Unit) -> None:
        """A unit is free again: last in its line (the counts written out, as in `_count`,
        since this runs for every unit of every job)."""
        station, role = unit.station, unit.role
        self.free[station][role].append(unit)
        self.free_counts[station][role] += 1
        self.n_free_at[station] += 1
        self.n_free_by_role[role] += 1

    @property
    def n_free_total(self) -> int:
        """Free units of every role at every station (summed when asked: few roles, and
        only a shared queue asks)."""
        return sum(self.n_free_by_role.values())

    def remove_free(self, units: list[Unit]) -> list[Unit]:
        """Take those of `units` that are free off duty; return the ones that were free."""
        removed = []
        for unit in units:
            line = self.free[unit.station][unit.role]
            if unit in line:
                line.remove(unit)
                self._count(unit.station, unit.role, -1)
                removed.append(unit)
        return removed

    def _count(self, station: int, role: str, change: int) -> None:
        self.free_counts[station][role] += change
        self.n_free_at[station] += change
        self.n_free_by_role[role] += change
