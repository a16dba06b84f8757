"""Matters: one citizen's problem followed across its calls, referrals and repeat calls.

Station `a` sits at (0, 0); incidents at (3, 4) are 5 km away: police and enforcement at
30 km/h travel 10 min, a mediator at 15 km/h 20 min (no detour, no turnout).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.model.replication import Model
from sim.model.streams import Streams
from tests.builders import hand_made, run_logged, scenario_of, tiny


def _leak_and_theft(p_settled_with: float = 1.0) -> dict[str, Any]:
    """A leak is answered by an officer (a mediator when no officer is free), then referred to
    enforcement an hour after; it is settled only if a mediator took part, else calls again
    1000 min after. A theft keeps the only officer busy for 500 min."""
    data = tiny()
    data["roles"]["enforcement"] = {"speed_kmh": 30.0}
    data["stations"]["a"]["staff"] = {"police": 1, "mediator": 1, "enforcement": 1}
    data["incident_types"] = {
        "leak": {
            "share": 0.5,
            "priority": 2,
            "team": {"police": {"count": 1, "substitutes": ["mediator"]}},
            "handling": {"dist": "fixed", "value_min": 30.0},
            "stages": [
                {
                    "kind": "referral",
                    "team": {"enforcement": 1},
                    "delay": {"dist": "fixed", "value_min": 60.0},
                    "handling": {"dist": "fixed", "value_min": 30.0},
                }
            ],
            "root_cause": {
                "roles": ["mediator"],
                "p_settled_with": p_settled_with,
                "p_settled_without": 0.0,
                "repeat_delay": {"dist": "fixed", "value_min": 1000.0},
                "max_repeats": 2,
            },
        },
        "theft": {
            "share": 0.5,
            "priority": 2,
            "team": {"police": 1},
            "handling": {"dist": "fixed", "value_min": 500.0},
        },
    }
    return data


LEAK_THEN_THEFT = hand_made([0.0, 1100.0], [(3, 4), (3, 4)], [30.0, 500.0], type_index=[0, 1])


def test_a_matter_is_followed_through_its_call_its_referral_and_its_repeat_call():
    records, log, _ = run_logged(_leak_and_theft(), LEAK_THEN_THEFT)
    leak_events = [(t, event, detail) for t, event, incident, detail in log if incident in (0, 2)]
    assert leak_events == [
        (0.0, "arrive", "leak"),
        (0.0, "dispatch", "u0"),  # the officer
        (10.0, "on_scene", ""),
        (40.0, "handled", "stage 0"),
        (50.0, "free", "u0"),
        (100.0, "referral", "stage 1"),  # an hour after the call's handling ended
        (100.0, "dispatch", "u2"),  # enforcement
        (110.0, "on_scene", "stage 1"),
        (140.0, "resolved", ""),
        (140.0, "unsettled", ""),  # no mediator took part
        (150.0, "free", "u2"),
        (1140.0, "arrive", "leak"),  # the repeat call, 1000 min later; the officer is busy
        (1140.0, "dispatch", "u1"),  # so the mediator answers
        (1160.0, "on_scene", ""),
        (1190.0, "handled", "stage 0"),
        (1210.0, "free", "u1"),
        (1250.0, "referral", "stage 1"),
        (1250.0, "dispatch", "u2"),
        (1260.0, "on_scene", "stage 1"),
        (1290.0, "resolved", ""),
        (1290.0, "settled", ""),
        (1300.0, "free", "u2"),
    ]
    incidents = records.incidents.set_index("incident_id")
    assert incidents["matter_id"].to_dict() == {0: 0, 1: 1, 2: 0}
    leak = records.matters.set_index("matter_id").loc[0]
    assert leak["kind"] == "leak"
    assert (leak["t_first_call"], leak["t_settled"], leak["settle_min"]) == (0.0, 1290.0, 1290.0)
    assert leak["settled"] and leak["settled_same_day"]
    assert (leak["n_calls"], leak["n_referrals"], leak["n_jobs"]) == (2, 2, 4)
    assert leak["roles"] == "enforcement+mediator+police"
    assert not leak["joint"]


def test_a_matter_never_settled_is_censored_when_the_run_stops():
    records, _, model = run_logged(_leak_and_theft(p_settled_with=0.0), LEAK_THEN_THEFT)
    leak = records.matters.set_index("matter_id").loc[0]
    assert model.t_stop_min == 1620.0  # the officer back from the theft
    assert not leak["settled"] and np.isnan(leak["t_settled"])
    assert (leak["t_censor"], leak["settle_min"]) == (1620.0, 1620.0)
    assert not leak["settled_same_day"]


def test_a_type_without_a_root_cause_is_settled_when_its_call_is_resolved():
    records, _, _ = run_logged(_leak_and_theft(), LEAK_THEN_THEFT)
    theft = records.matters.set_index("matter_id").loc[1]
    assert (theft["t_settled"], theft["settle_min"], theft["n_calls"]) == (1610.0, 510.0, 1)
    assert not theft["settled_same_day"]  # from 1100 (day 0) to 1610 (day 1)


def test_matters_count_the_measured_incidents_exactly():
    data = _leak_and_theft(p_settled_with=0.5)
    data["incident_types"]["leak"]["root_cause"]["p_settled_without"] = 0.3
    data["incident_types"]["leak"]["root_cause"]["repeat_delay"] = {
        "dist": "exponential",
        "mean_min": 600.0,
    }
    data["incident_types"]["theft"]["handling"] = {"dist": "exponential", "mean_min": 20.0}
    data["stations"]["a"]["staff"] = {"police": 3, "mediator": 1, "enforcement": 1}
    model = Model(scenario_of(data), Streams(7, 0), warmup_min=1440.0, horizon_min=4 * 1440.0)
    records = model.run()
    incidents, matters = records.incidents, records.matters
    assert (incidents["generation"] > 0).any()
    first_calls = incidents[incidents["generation"] == 0]
    assert sorted(matters["matter_id"]) == sorted(first_calls["incident_id"])
    of_measured_matters = incidents["matter_id"].isin(matters["matter_id"])
    assert matters["n_calls"].sum() == of_measured_matters.sum()
    assert (matters["t_first_call"] >= 1440.0).all()
    settled = matters[matters["settled"]]
    assert (settled["t_settled"] >= settled["t_first_call"]).all()


def _referred_leak(p_settled_without: float) -> dict[str, Any]:
    """The police answer a leak; only if they cannot settle it, it is referred to enforcement,
    whose visit comes 2000 min after; the matter flares up 1000 min after each call."""
    data = _leak_and_theft()
    leak = data["incident_types"]["leak"]
    leak["team"] = {"police": 1}
    leak["stages"][0]["delay"] = {"dist": "fixed", "value_min": 2000.0}
    leak["stages"][0]["only_if_unsettled"] = True
    leak["root_cause"]["roles"] = ["enforcement"]
    leak["root_cause"]["p_settled_without"] = p_settled_without
    return data


ONE_LEAK = hand_made([0.0], [(3, 4)], [30.0])


def test_a_matter_waiting_for_its_agency_flares_up_and_calls_the_police_again():
    records, log, _ = run_logged(_referred_leak(0.0), ONE_LEAK, horizon_min=3000.0)
    assert [(t, event, incident) for t, event, incident, _ in log] == [
        (0.0, "arrive", 0),
        (0.0, "dispatch", 0),
        (10.0, "on_scene", 0),
        (40.0, "handled", 0),  # the police could not settle it: referred
        (50.0, "free", 0),
        (1040.0, "arrive", 1),  # it flares up 1000 min later, still waiting for enforcement
        (1040.0, "dispatch", 1),
        (1050.0, "on_scene", 1),
        (1080.0, "resolved", 1),  # the flare-up's call settles nothing and plans nothing
        (1090.0, "free", 1),
        (2040.0, "referral", 0),  # the visit began before the next flare-up was due
        (2040.0, "dispatch", 0),
        (2050.0, "on_scene", 0),
        (2080.0, "resolved", 0),
        (2080.0, "settled", 0),
        (2090.0, "free", 0),
    ]
    matter = records.matters.set_index("matter_id").loc[0]
    assert (matter["n_calls"], matter["n_referrals"], matter["t_settled"]) == (2, 1, 2080.0)
    assert records.incidents.set_index("incident_id").loc[1, "settled"] == 0.0


def test_a_referral_only_if_unsettled_is_skipped_when_the_police_settle_the_matter():
    records, log, _ = run_logged(_referred_leak(1.0), ONE_LEAK, horizon_min=3000.0)
    assert [event for _, event, _, _ in log] == [
        "arrive", "dispatch", "on_scene", "resolved", "settled", "free"
    ]  # fmt: skip
    matter = records.matters.set_index("matter_id").loc[0]
    assert (matter["n_calls"], matter["n_referrals"], matter["t_settled"]) == (1, 0, 40.0)
