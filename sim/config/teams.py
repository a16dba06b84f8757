"""Teams: the slots an incident's team is made of, and the rule that says who can field it.

A team is slots of `count` units of a role, each slot optionally filled by substitute roles in
a given order (`SlotConfig`); a bare count `police: 2` is a slot without substitutes.
`field_team` is the one rule for whether a set of free units can field a team and with which
roles: the dispatch policies (`sim.model.dispatch`) apply it to the units free now, and the
scenario checks (`sim.config.checks`) to a station's whole staff, so that a team no station can
ever field is refused before a run.
"""

from __future__ import annotations

from collections.abc import Mapping

from sim.config.scenario import SlotConfig

RoleCounts = Mapping[str, int]


def single_role(slots: Mapping[str, SlotConfig]) -> tuple[str, int] | None:
    """(role, count) if the team is `count` units of one role with no substitutes, else None."""
    if len(slots) == 1:
        ((role, slot),) = slots.items()
        if slot.count and not slot.substitutes:
            return role, slot.count
    return None


class TeamSlots(dict[str, SlotConfig]):
    """A team's slots by role, which also knows its `single_role` (most teams have one), so
    that the dispatch policies need not work it out at every dispatch, and the roles that can
    fill one of its slots (`usable`: a slot's role and its substitutes). Not to be changed."""

    __slots__ = ("single", "usable", "walk")

    def __init__(self, slots: Mapping[str, SlotConfig]) -> None:
        super().__init__(slots)
        self.single = single_role(slots)
        self.usable = frozenset(r for role, s in slots.items() for r in (role, *s.substitutes))
        self.walk = slot_walk(slots)


def slot_walk(slots: Mapping[str, SlotConfig]) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """The order in which `field_team` fills the slots: (count, roles that can fill
    it, own role first), slots without substitutes first (a stable sort: else as given)."""
    in_order = sorted(slots.items(), key=lambda item: len(item[1].substitutes))
    return tuple((slot.count, (role, *slot.substitutes)) for role, slot in in_order)


def team_slots(team: Mapping[str, int | SlotConfig]) -> TeamSlots:
    """The team as slots (a bare count `police: 2` is a slot without substitutes); count 0 drops."""
    slots = {
        role: slot if isinstance(slot, SlotConfig) else SlotConfig(count=slot)
        for role, slot in team.items()
    }
    return TeamSlots({role: slot for role, slot in slots.items() if slot.count > 0})


def field_team(slots: Mapping[str, SlotConfig], free: RoleCounts) -> dict[str, int] | None:
    """The roles and counts that fill every slot from `free`, or None if they cannot.

    Slots without substitutes are filled first, so that a flexible slot does not take the
    only unit a rigid slot could use; a flexible slot takes its own role first, then its
    substitutes in the order given.
    """
    team = slots if type(slots) is TeamSlots else TeamSlots(slots)  # the model's are already
    if team.single is not None:  # the common case: answered without the general walk
        role, count = team.single
        return {role: count} if free.get(role, 0) >= count else None
    taken: dict[str, int] = {}
    for needed, candidates in team.walk:
        for candidate in candidates:
            n_take = min(needed, free.get(candidate, 0) - taken.get(candidate, 0))
            if n_take:
                taken[candidate] = taken.get(candidate, 0) + n_take
                needed -= n_take
                if not needed:
                    break
        if needed:
            return None
    return taken
