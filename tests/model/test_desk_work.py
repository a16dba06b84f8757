"""Desk work: an office's own caseload queues with the matters referred to it.

Office `b` and police station `a` both sit at (0, 0); the leak at (3, 4) is 5 km away, 10 min
at 30 km/h. The officer handles it for 30 min and refers it at once (no drawn delay) to
enforcement, whose only member also works the office's caseload: tasks of exactly 60 min
arriving as a Poisson stream. The referral must wait for every task that came before it and
for none that came after (first come, first served within a priority).
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.analysis.staff_kpis import TIME_KINDS, referral_kpis, time_split_kpis
from sim.config.schema import ConfigError
from sim.model.replication import DESK
from tests.builders import hand_made, run_logged, scenario_of, tiny

T_REFERRED = 600.0 + 10.0 + 30.0  # the call at 600, the officer's trip and handling


def _office(per_staff_day: float = 18.0) -> dict[str, Any]:
    data = tiny()
    data["roles"]["enforcement"] = {"speed_kmh": 30.0}
    data["stations"]["b"] = {
        "kind": "agency_office",
        "x_km": 0.0,
        "y_km": 0.0,
        "staff": {"enforcement": 1},
        "desk_work": {
            "enforcement": {
                "per_staff_day": per_staff_day,
                "handling": {"dist": "fixed", "value_min": 60.0},
            }
        },
    }
    data["incident_types"]["theft"]["stages"] = [
        {
            "kind": "referral",
            "team": {"enforcement": 1},
            "delay": {"dist": "fixed", "value_min": 0.0},
            "handling": {"dist": "fixed", "value_min": 30.0},
        }
    ]
    return data


def _run(data: dict[str, Any]):
    return run_logged(data, hand_made([600.0], [(3, 4)], [30.0]), horizon_min=1440.0)


def test_a_referral_waits_for_exactly_the_desk_work_that_came_before_it():
    records, log, _model = _run(_office())
    t_tasks = [t for t, event, _, _ in log if event == "desk_task"]
    assert sum(t < T_REFERRED for t in t_tasks) >= 3  # a queue to wait behind
    # the office alone, first come first served: the Lindley recursion over the logged arrivals
    t_free, t_referral_starts = 0.0, None
    for t_arrival, is_referral in sorted([(t, False) for t in t_tasks] + [(T_REFERRED, True)]):
        t_start = max(t_free, t_arrival)
        if is_referral:
            t_referral_starts = t_start
            t_free = t_start + 10.0 + 30.0 + 10.0  # there, handle, back
        else:
            t_free = t_start + 60.0
    referral = records.jobs[records.jobs["kind"] == "referral"].iloc[0]
    assert referral["t_start"] == pytest.approx(t_referral_starts)
    assert referral["t_start"] > T_REFERRED + 60.0  # it did wait
    dispatches = [t for t, event, incident, _ in log if event == "dispatch" and incident == DESK]
    assert len(dispatches) == len([t for t in t_tasks if t < 1440.0])  # every task was worked


def test_desk_work_is_busy_time_of_its_role_but_neither_a_job_nor_an_incident():
    records, _log, _model = _run(_office())
    desk = records.busy[records.busy["incident_id"] == DESK]
    assert len(desk) > 10 and set(desk["role"]) == {"enforcement"}
    assert (desk["t_end"] - desk["t_start"]).round(9).eq(60.0).all()
    assert (records.jobs["incident_id"] >= 0).all() and len(records.incidents) == 1


def test_the_turnaround_of_a_referral_runs_from_the_referring_session_to_the_agencys_end():
    records, _log, _model = _run(_office())
    referral = records.jobs[records.jobs["kind"] == "referral"].iloc[0]
    kpis = referral_kpis(records.jobs, warmup_min=0.0, horizon_min=1440.0)
    assert kpis["referral_turnaround_min_median"] == pytest.approx(referral["t_end"] - T_REFERRED)
    assert kpis["referral_within_24h_share"] == 1.0


def test_without_a_caseload_the_referral_is_worked_as_soon_as_it_is_made():
    records, log, _model = _run(_office(per_staff_day=0.0))
    assert not [event for _, event, _, _ in log if event == "desk_task"]
    referral = records.jobs[records.jobs["kind"] == "referral"].iloc[0]
    assert referral["t_start"] == pytest.approx(T_REFERRED)


def test_desk_work_for_an_undeclared_role_is_refused_naming_the_field():
    data = _office()
    desks = data["stations"]["b"]["desk_work"]
    desks["clerk"] = desks["enforcement"]
    with pytest.raises(ConfigError, match=r"b\.desk_work\.clerk = 'clerk': is not a declared role"):
        scenario_of(data)


def test_desk_work_of_a_role_without_staff_at_the_station_brings_no_task():
    data = _office()
    data["stations"]["b"]["desk_work"]["police"] = data["stations"]["b"]["desk_work"]["enforcement"]
    _records, log, _model = _run(data)
    assert {d.split()[1] for _, event, _, d in log if event == "desk_task"} == {"enforcement"}


def test_desk_work_is_counter_time_in_the_role_s_time_split():
    records, _log, model = _run(_office())
    states = records.states[records.states["role"] == "enforcement"]
    counter = states[states["state"] == "counter"]
    desk = records.busy[records.busy["incident_id"] == DESK]
    assert (counter["t_end"] - counter["t_start"]).sum() == pytest.approx(
        (desk["t_end"] - desk["t_start"]).sum()
    )
    split = time_split_kpis(records.states, model.scenario, warmup_min=0.0, horizon_min=1440.0)
    shares = [split[f"{kind}_share_enforcement"] for kind in TIME_KINDS]
    assert sum(shares) == pytest.approx(1.0) and split["counter_share_enforcement"] > 0.5
