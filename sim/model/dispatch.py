"""Dispatch policies: pure functions that decide which units serve an incident, or where it waits.

An incident needs a team: slots of `count` units of a role, each slot optionally filled by
substitute roles in a given order. `sim.config.teams.field_team` says whether a set of free
units can field that team, and with which roles. The policies build on it:

- `nearest`: the nearest station that can field the whole team now sends it; if none can,
  the incident queues at the nearest station whose staff could ever field it, and waits for
  that station's units (by priority, then arrival).
- `borrow`: as `nearest`, but when no single station can field the team now, the team is
  assembled from several stations (each role from the nearest station with a free unit of it);
  only when all stations together cannot field it does the incident queue, and any unit
  freed anywhere can then serve it.

The functions see plain data (counts of free units per station and role, stations ordered by
distance) and return a decision; the SimPy model carries it out. A team always starts as a
whole, so no unit ever sits reserved waiting for a teammate and no configuration deadlocks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sim.config.scenario import SlotConfig
from sim.config.teams import RoleCounts, TeamSlots, field_team


class Assign(tuple[tuple[int, str, int], ...]):
    """Send these units now: a tuple of (station index, role, number of units) triples.

    A plain tuple subclass rather than a named tuple: one is made for every dispatch, and a
    named tuple's constructor is a Python function where a tuple's is C.
    """

    __slots__ = ()


class Queue(NamedTuple):
    """No team can be fielded now: wait in the queue of this station."""

    station: int


Decision = Assign | Queue


def nearest(
    slots: Mapping[str, SlotConfig],
    stations_by_distance: Sequence[int],
    free: Sequence[RoleCounts],
    staff: Sequence[RoleCounts],
) -> Decision:
    """The nearest station that can field the team now; else queue at the nearest capable one."""
    assignment = _whole_team_now(slots, stations_by_distance, free)
    if assignment is not None:
        return assignment
    return Queue(_nearest_capable(slots, stations_by_distance, staff))


def borrow(
    slots: Mapping[str, SlotConfig],
    stations_by_distance: Sequence[int],
    free: Sequence[RoleCounts],
    staff: Sequence[RoleCounts],
) -> Decision:
    """As `nearest`, but assemble the team from several stations before queueing."""
    assignment = retry_borrow(slots, stations_by_distance, stations_by_distance[0], free)
    if assignment is not None:
        return assignment
    capable = (s for s in stations_by_distance if field_team(slots, staff[s]) is not None)
    return Queue(next(capable, stations_by_distance[0]))


def retry_nearest(
    slots: Mapping[str, SlotConfig],
    stations_by_distance: Sequence[int],
    queue_station: int,
    free: Sequence[RoleCounts],
) -> Assign | None:
    """A queued incident is served only by the station it queues at."""
    return _whole_team_now(slots, (queue_station,), free)


def retry_borrow(
    slots: Mapping[str, SlotConfig],
    stations_by_distance: Sequence[int],
    queue_station: int,
    free: Sequence[RoleCounts],
) -> Assign | None:
    """A whole team from the nearest station that has one, else one assembled from several."""
    whole = _whole_team_now(slots, stations_by_distance, free)
    if whole is not None:
        return whole
    pooled: dict[str, int] = {}
    for station in stations_by_distance:
        for role, n in free[station].items():
            pooled[role] = pooled.get(role, 0) + n
    roles = field_team(slots, pooled)
    if roles is None:
        return None
    return Assign(_take_nearest_first(roles, stations_by_distance, free))


@dataclass(frozen=True)
class DispatchPolicy:
    """A policy: what to do on arrival, how to retry a queued incident, and who may serve it.

    With `shared_queue`, every queued incident is retried whenever a unit frees anywhere;
    otherwise only the queue of the station whose unit was freed is retried.
    """

    name: str
    on_arrival: Callable[
        [Mapping[str, SlotConfig], Sequence[int], Sequence[RoleCounts], Sequence[RoleCounts]],
        Decision,
    ]
    retry: Callable[
        [Mapping[str, SlotConfig], Sequence[int], int, Sequence[RoleCounts]], Assign | None
    ]
    shared_queue: bool


POLICIES: dict[str, DispatchPolicy] = {
    "nearest": DispatchPolicy("nearest", nearest, retry_nearest, shared_queue=False),
    "borrow": DispatchPolicy("borrow", borrow, retry_borrow, shared_queue=True),
}


def _whole_team_now(
    slots: Mapping[str, SlotConfig], stations_by_distance: Sequence[int], free: Sequence[RoleCounts]
) -> Assign | None:
    """The whole team from the first station in `stations_by_distance` that can field it."""
    team = slots if type(slots) is TeamSlots else TeamSlots(slots)  # the model's are already
    if team.single is not None:  # most teams: one role, no substitutes, so no `field_team` walk
        role, count = team.single
        for station in stations_by_distance:
            if free[station].get(role, 0) >= count:
                return Assign(((station, role, count),))
        return None
    for station in stations_by_distance:
        roles = field_team(team, free[station])
        if roles is not None:
            return Assign((station, role, n) for role, n in roles.items())
    return None


def _nearest_capable(
    slots: Mapping[str, SlotConfig],
    stations_by_distance: Sequence[int],
    staff: Sequence[RoleCounts],
) -> int:
    for station in stations_by_distance:
        if field_team(slots, staff[station]) is not None:
            return station
    raise ValueError("no station can ever field this team (config validation should prevent this)")


def _take_nearest_first(
    roles: Mapping[str, int], stations_by_distance: Sequence[int], free: Sequence[RoleCounts]
) -> list[tuple[int, str, int]]:
    units: list[tuple[int, str, int]] = []
    for role, needed in roles.items():
        for station in stations_by_distance:
            n_take = min(needed, free[station].get(role, 0))
            if n_take:
                units.append((station, role, n_take))
                needed -= n_take
            if not needed:
                break
    return units
