"""Measurements the KPI tables do not carry: time averages, counts at instants, shares.

Queueing theory speaks of time averages (the mean number waiting, Little's law) and of the
state at an instant (the number busy at 09:00); the KPIs average over incidents. These pure
functions read one replication's records or event log and return such measurements inside
the measurement window [warm-up, warm-up + horizon).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config.scenario import RunConfig
from sim.model.records import EventLog

MIN_PER_DAY = 1440.0


@dataclass(frozen=True)
class Window:
    """The measurement window of a run, in minutes from the start of the replication."""

    t_from_min: float
    t_to_min: float

    @classmethod
    def of(cls, run: RunConfig) -> Window:
        t_from = run.warmup_days * MIN_PER_DAY
        return cls(t_from, t_from + run.horizon_days * MIN_PER_DAY)

    @property
    def length_min(self) -> float:
        return self.t_to_min - self.t_from_min

    def overlap_min(self, t_start: np.ndarray, t_end: np.ndarray) -> np.ndarray:
        """Length of each interval [t_start, t_end) inside the window."""
        return np.clip(t_end, self.t_from_min, self.t_to_min) - np.clip(
            t_start, self.t_from_min, self.t_to_min
        )


def event_times(log: EventLog, event: str) -> pd.Series:
    """Time of `event` per incident id (the first occurrence), from an event log."""
    table = pd.DataFrame(log, columns=["t_min", "event", "incident_id", "detail"])
    chosen = table[table["event"] == event].drop_duplicates("incident_id")
    return pd.Series(chosen["t_min"].to_numpy(), index=chosen["incident_id"].to_numpy())


def time_average_present(log: EventLog, enter: str, leave: str, window: Window) -> float:
    """Time-average number of incidents between their `enter` and `leave` events.

    With `arrive`/`dispatch` that is the mean number waiting (Lq), with `arrive`/`resolved`
    the mean number in the system (L). Every incident in the log counts, warm-up arrivals
    still present in the window included.
    """
    t_enter = event_times(log, enter)
    t_leave = event_times(log, leave).reindex(t_enter.index)
    if t_leave.isna().any():
        raise RuntimeError(f"an incident has {enter!r} but no {leave!r} event")
    overlap = window.overlap_min(t_enter.to_numpy(), t_leave.to_numpy())
    return float(overlap.sum()) / window.length_min


def number_busy_at(busy: pd.DataFrame, t_min: np.ndarray) -> np.ndarray:
    """Number of units busy at each instant: intervals with t_start <= t < t_end."""
    starts = np.sort(busy["t_start"].to_numpy(dtype=float))
    ends = np.sort(busy["t_end"].to_numpy(dtype=float))
    started = np.searchsorted(starts, t_min, side="right")
    ended = np.searchsorted(ends, t_min, side="right")
    return (started - ended).astype(np.int64)


def daily_instants(window: Window, minute_of_day: float) -> np.ndarray:
    """Every instant at `minute_of_day` (minutes after midnight) inside the window."""
    first_day = int(np.ceil((window.t_from_min - minute_of_day) / MIN_PER_DAY))
    instants = (first_day + np.arange(int(window.length_min // MIN_PER_DAY) + 2)) * MIN_PER_DAY
    instants = instants + minute_of_day
    return instants[(instants >= window.t_from_min) & (instants < window.t_to_min)]


def busy_share_by_station(busy: pd.DataFrame, window: Window) -> pd.Series:
    """Busy time inside the window / window length, per station (all its units together)."""
    overlap = window.overlap_min(
        busy["t_start"].to_numpy(dtype=float), busy["t_end"].to_numpy(dtype=float)
    )
    stations = busy["station"].astype(str).to_numpy()
    return pd.Series(overlap).groupby(stations).sum() / window.length_min


def share_exceeding(values: pd.Series, threshold: float) -> float:
    """Share of `values` strictly above `threshold`."""
    return float((values > threshold).mean())
