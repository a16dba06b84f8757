"""Later life of an incident, drawn up front: follow-up sessions, referrals and repeat calls.

An incident type may have later stages (mediation sessions on later days, a referral to an
enforcement agency), each needed with a probability and taking some sessions, each session
starting a delay after the previous one ends and, if it keeps office hours, moved to the next
opening. A type may also name root-cause roles: when the incident is finally resolved, it is
settled at its root with one probability if its teams included those roles and another if
not; an unsettled matter calls again after a delay, up to `max_repeats` times.

Every random number these decisions need is drawn before the simulation from the streams
`followups` and `repeats`, a fixed number per incident whatever happens later, so that two
variants on the same seed share them (common random numbers): a settled/unsettled decision
uses the same uniform in both, compared with each variant's own probability.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config.scenario import OfficeHoursConfig, ScenarioConfig
from sim.model.distributions import make_distribution
from sim.model.streams import Streams

MIN_PER_HOUR = 60.0
MIN_PER_DAY = 1440.0


@dataclass(frozen=True)
class StageDraws:
    """For one stage of one type, over all incidents (rows of other types are unused)."""

    needed: np.ndarray  # bool (n,)
    delay_min: np.ndarray  # (n, sessions)
    handling_min: np.ndarray  # (n, sessions)


@dataclass(frozen=True)
class RepeatDraws:
    """For one type with a root cause: generation g of incident i uses row i, column g."""

    u_settle: np.ndarray  # (n, max_repeats + 1)
    delay_min: np.ndarray  # (n, max_repeats)
    handling_min: np.ndarray  # (n, max_repeats)


def draw_stages(
    scenario: ScenarioConfig, streams: Streams, type_index: np.ndarray
) -> list[list[StageDraws]]:
    """Stage draws per type and stage, from the `followups` stream."""
    rng, n = streams["followups"], len(type_index)
    draws: list[list[StageDraws]] = []
    for index, incident_type in enumerate(scenario.incident_types.values()):
        rows = np.flatnonzero(type_index == index)
        per_stage = []
        for stage in incident_type.stages:
            needed = np.zeros(n, dtype=bool)
            delay = np.full((n, stage.sessions), np.nan)
            handling = np.full((n, stage.sessions), np.nan)
            needed[rows] = rng.random(len(rows)) < stage.p
            shape = (len(rows), stage.sessions)
            delay[rows] = (
                make_distribution(stage.delay)
                .sample(rng, rows.size * stage.sessions)
                .reshape(shape)
            )
            handling[rows] = (
                make_distribution(stage.handling)
                .sample(rng, rows.size * stage.sessions)
                .reshape(shape)
            )
            per_stage.append(StageDraws(needed, delay, handling))
        draws.append(per_stage)
    return draws


def draw_repeats(
    scenario: ScenarioConfig, streams: Streams, type_index: np.ndarray
) -> list[RepeatDraws | None]:
    """Repeat-call draws per type (None for types without a root cause), from `repeats`."""
    rng, n = streams["repeats"], len(type_index)
    draws: list[RepeatDraws | None] = []
    for index, incident_type in enumerate(scenario.incident_types.values()):
        root = incident_type.root_cause
        if root is None:
            draws.append(None)
            continue
        rows = np.flatnonzero(type_index == index)
        generations = root.max_repeats
        u_settle = np.full((n, generations + 1), np.nan)
        delay = np.full((n, generations), np.nan)
        handling = np.full((n, generations), np.nan)
        u_settle[rows] = rng.random((len(rows), generations + 1))
        size = rows.size * generations
        delay[rows] = (
            make_distribution(root.repeat_delay).sample(rng, size).reshape(len(rows), generations)
        )
        handling[rows] = (
            make_distribution(incident_type.handling)
            .sample(rng, size)
            .reshape(len(rows), generations)
        )
        draws.append(RepeatDraws(u_settle, delay, handling))
    return draws


def next_office_time(t_min: float, office: OfficeHoursConfig | None) -> float:
    """The earliest time at or after `t_min` inside office hours (t_min itself if none)."""
    if office is None:
        return t_min
    day = int(t_min // MIN_PER_DAY)
    for offset in range(8):
        day_start = (day + offset) * MIN_PER_DAY
        opens = day_start + office.start_hour * MIN_PER_HOUR
        closes = day_start + office.end_hour * MIN_PER_HOUR
        if (day + offset) % 7 in office.days and t_min < closes:
            return max(t_min, opens)
    raise ValueError("office hours have no open day (config validation should prevent this)")
