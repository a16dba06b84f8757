"""The dispatch policies are pure functions: tested on plain counts, without SimPy."""

from __future__ import annotations

from sim.config.scenario import SlotConfig
from sim.config.teams import field_team, team_slots
from sim.model.dispatch import Assign, Queue, borrow, nearest, retry_borrow, retry_nearest

POLICE = {"police": SlotConfig(1)}
JOINT = {"police": SlotConfig(1), "mediator": SlotConfig(1, substitutes=("grid_worker",))}


def test_field_team_takes_the_role_itself_before_substitutes():
    assert field_team(JOINT, {"police": 1, "mediator": 1, "grid_worker": 1}) == {
        "police": 1,
        "mediator": 1,
    }


def test_field_team_falls_back_to_a_substitute():
    assert field_team(JOINT, {"police": 2, "grid_worker": 1}) == {"police": 1, "grid_worker": 1}


def test_field_team_is_none_when_a_slot_cannot_be_filled():
    assert field_team(JOINT, {"police": 0, "mediator": 3}) is None
    assert field_team({"police": SlotConfig(2)}, {"police": 1}) is None


def test_rigid_slots_are_filled_before_flexible_ones_that_could_steal_their_unit():
    slots = {
        "police": SlotConfig(1, substitutes=("volunteer", "grid_worker")),
        "volunteer": SlotConfig(1),
    }
    # Filled in the order given, the police slot would take the only volunteer.
    assert field_team(slots, {"volunteer": 1, "grid_worker": 1}) == {
        "volunteer": 1,
        "grid_worker": 1,
    }
    assert field_team(slots, {"volunteer": 1}) is None


def test_nearest_sends_the_team_of_the_nearest_station_that_has_one_free():
    free = [{"police": 0}, {"police": 1}]
    staff = [{"police": 1}, {"police": 1}]
    assert nearest(POLICE, [0, 1], free, staff) == Assign(((1, "police", 1),))


def test_nearest_queues_at_the_nearest_capable_station_when_nobody_is_free():
    free = [{"police": 0, "mediator": 0}, {"police": 0, "mediator": 0}]
    staff = [{"police": 3, "mediator": 0}, {"police": 1, "mediator": 1}]
    assert nearest(
        {"police": SlotConfig(1), "mediator": SlotConfig(1)}, [0, 1], free, staff
    ) == Queue(1)


def test_nearest_does_not_split_a_team_across_stations():
    free = [{"police": 1, "mediator": 0}, {"police": 0, "mediator": 1}]
    staff = [{"police": 1, "mediator": 0}, {"police": 1, "mediator": 1}]
    slots = {"police": SlotConfig(1), "mediator": SlotConfig(1)}
    assert nearest(slots, [0, 1], free, staff) == Queue(1)


def test_borrow_assembles_a_team_from_the_nearest_free_units_of_each_role():
    free = [
        {"police": 1, "mediator": 0},
        {"police": 1, "mediator": 1},
        {"police": 0, "mediator": 1},
    ]
    staff = [
        {"police": 1, "mediator": 0},
        {"police": 1, "mediator": 1},
        {"police": 0, "mediator": 1},
    ]
    slots = {"police": SlotConfig(1), "mediator": SlotConfig(1)}
    # Station 1 can field the whole team: a whole team beats borrowing.
    assert borrow(slots, [0, 2, 1], free, staff) == Assign(((1, "police", 1), (1, "mediator", 1)))
    free[1] = {"police": 0, "mediator": 1}
    assert borrow(slots, [0, 2, 1], free, staff) == Assign(((0, "police", 1), (2, "mediator", 1)))


def test_borrow_queues_when_all_stations_together_cannot_field_the_team():
    free = [{"police": 0, "mediator": 1}]
    staff = [{"police": 1, "mediator": 1}]
    assert borrow({"police": SlotConfig(1), "mediator": SlotConfig(1)}, [0], free, staff) == Queue(
        0
    )


def test_retry_nearest_only_looks_at_the_station_of_the_queue():
    free = [{"police": 1}, {"police": 0}]
    assert retry_nearest(POLICE, [0, 1], 1, free) is None
    assert retry_nearest(POLICE, [1, 0], 0, free) == Assign(((0, "police", 1),))


def test_retry_borrow_uses_any_station():
    free = [{"police": 0}, {"police": 1}]
    assert retry_borrow(POLICE, [0, 1], 0, free) == Assign(((1, "police", 1),))


def test_policies_do_not_modify_the_counts_they_are_given():
    free = [{"police": 1, "mediator": 0}, {"police": 0, "mediator": 1}]
    snapshot = [dict(f) for f in free]
    borrow({"police": SlotConfig(1), "mediator": SlotConfig(1)}, [0, 1], free, free)
    assert free == snapshot


def test_a_team_made_by_team_slots_knows_its_single_role_and_decides_as_plain_slots():
    rigid, flexible = team_slots({"police": 2}), team_slots(JOINT)
    assert rigid.single == ("police", 2) and flexible.single is None
    assert team_slots({"police": SlotConfig(1, substitutes=("volunteer",))}).single is None
    free = [{"police": 1, "mediator": 0}, {"police": 2, "grid_worker": 1}]
    staff = [{"police": 4, "mediator": 1}, {"police": 4, "grid_worker": 1}]
    for team, plain in ((rigid, {"police": SlotConfig(2)}), (flexible, JOINT)):
        for policy in (nearest, borrow):
            assert policy(team, [0, 1], free, staff) == policy(plain, [0, 1], free, staff)
        assert retry_nearest(team, [0, 1], 1, free) == retry_nearest(plain, [0, 1], 1, free)
    assert nearest(rigid, [0, 1], free, staff) == Assign(((1, "police", 2),))
