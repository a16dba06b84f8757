"""Volunteers answer a call-out with their `p_accept`: once per dispatch decision, however
many jobs wait, and only about jobs they could serve.

The scenario: one station at (0, 0) whose only unit is a volunteer on duty from 01:00, and
incidents at the station itself (no travel), each needing one volunteer. Twenty calls arrive
before the shift starts and wait; at 01:00 the queue is offered to the volunteer in one pass.
Asked once, the volunteer takes the first job with probability `p_accept`; asked once per
waiting job, as the model did before, with 1 - (1 - p)^20 (0.999 for p = 0.3).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.model.replication import Model
from sim.model.streams import Streams
from tests.builders import hand_made, run_logged, scenario_of, tiny

P_ACCEPT = 0.3
N_WAITING = 20
SHIFT_START_MIN = 60.0


def volunteer_only(p_accept: float = P_ACCEPT) -> dict:
    data = tiny()
    data["roles"]["volunteer"] = {"speed_kmh": 15.0, "p_accept": p_accept, "is_volunteer": True}
    data["incident_types"]["theft"]["team"] = {"volunteer": 1}
    shift = {"start_hour": 1, "hours": 4, "count": 1}
    data["stations"]["a"]["staff"] = {
        "volunteer": {"pattern": "custom", "cover_24h": False, "shifts": [shift]}
    }
    return data


def waiting_calls():
    return hand_made(
        [float(t) for t in range(N_WAITING)], [(0.0, 0.0)] * N_WAITING, [5.0] * N_WAITING
    )


@pytest.mark.slow
def test_a_volunteer_asked_about_a_queue_answers_once_per_pass():
    scenario, n_reps = scenario_of(volunteer_only()), 400
    took_a_job_at_once = []
    for replication in range(n_reps):
        model = Model(
            scenario,
            Streams(7, replication),
            warmup_min=0.0,
            horizon_min=1440.0,
            incidents=waiting_calls(),
        )
        records = model.run()
        first_dispatch_min = records.incidents["t_dispatch"].min()
        took_a_job_at_once.append(float(first_dispatch_min == SHIFT_START_MIN))
    share = np.array(took_a_job_at_once)
    half = stats.t.ppf(0.995, n_reps - 1) * share.std(ddof=1) / np.sqrt(n_reps)
    assert share.mean() - half <= P_ACCEPT <= share.mean() + half, (share.mean(), half)
    assert share.mean() + half < 1 - (1 - P_ACCEPT) ** N_WAITING  # not once per waiting job


def test_a_volunteer_who_always_answers_serves_the_queue_in_arrival_order():
    _records, log, _ = run_logged(volunteer_only(p_accept=1.0), waiting_calls())
    dispatches = [row for row in log if row[1] == "dispatch"]
    assert [row[2] for row in dispatches] == list(range(N_WAITING))
    assert [row[0] for row in dispatches[:3]] == [60.0, 65.0, 70.0]  # back-to-back, 5 min each


def test_volunteers_are_not_asked_about_jobs_they_cannot_serve():
    """A free volunteer beside a police-only job draws nothing from the call-out stream."""
    data = volunteer_only()
    data["incident_types"]["theft"]["team"] = {"police": 1}
    data["stations"]["a"]["staff"] = {"police": 1, "volunteer": 1}
    _records, _log, model = run_logged(data, waiting_calls())
    untouched = Streams(1, 0)["callouts"]
    assert model.streams["callouts"].random() == untouched.random()
