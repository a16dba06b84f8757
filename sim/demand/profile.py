"""The arrival-rate profile of a log: mean rate, hour-of-day and day-of-week weights.

The model's arrival rate in hour h of weekday d is `per_day / 24 * H[h] * D[d]` with H and D
of mean 1 (a separable profile). Fitting it to a log is a Poisson regression with an
exposure offset: the observation window (which may start and end mid-day and have holes) is
cut into clock hours, and each of the 7 x 24 weekday-hour cells gets the hours it was
observed (its exposure) and the calls that fell in it. The maximum-likelihood H and D follow
by alternating the two margin equations; with whole days in the window, H is simply each
hour's share of calls and `per_day` the mean over weekdays of the calls per day.

A gap is a quiet stretch of at least `max_gap_hours` in which the hour-of-day rates would
have expected at least `min_gap_expected` calls (so its chance under the fitted process is
below exp(-min_gap_expected)): most likely missing records, not missing demand. Gaps are
taken out of the exposure and reported.

How separable the 24 x 7 table is: the Poisson deviance of the separable fit against the
full table (G2, with its degrees of freedom and p-value), and the share of a flat rate's
deviance the separable profile explains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

N_HOURS = 24
N_WEEKDAYS = 7
ONE_HOUR = np.timedelta64(1, "h")


@dataclass(frozen=True)
class Gap:
    start: pd.Timestamp
    end: pd.Timestamp
    expected_calls: float

    @property
    def hours(self) -> float:
        return (self.end - self.start) / pd.Timedelta(hours=1)


@dataclass(frozen=True)
class Separability:
    g2: float  # deviance of the separable fit against the full weekday x hour table
    df: int
    p_value: float
    share_explained: float  # 1 - G2(separable) / G2(flat rate)
    worst_cell: tuple[int, int]  # (weekday, hour) with the largest Pearson residual
    worst_ratio: float  # observed / fitted calls in that cell


@dataclass(frozen=True)
class TimeProfile:
    per_day: float  # long-run mean over a week of the fitted rate (calls per day)
    observed_per_day: float  # calls / observed days
    hour_of_day: np.ndarray  # 24 weights, mean 1
    day_of_week: np.ndarray  # 7 weights, mean 1, Monday first
    n_calls: int
    observed_days: float
    gaps: list[Gap]
    unobserved_weekdays: list[int]
    separability: Separability
    counts: np.ndarray  # (7, 24) calls
    exposure_hours: np.ndarray  # (7, 24) observed hours


def fit_time_profile(
    times: pd.Series,
    start: pd.Timestamp,
    end: pd.Timestamp,
    max_gap_hours: float = 6.0,
    min_gap_expected: float = 10.0,
) -> TimeProfile:
    """Fit the separable rate profile to call times inside [start, end)."""
    t = np.sort(times.to_numpy(dtype="datetime64[ns]"))
    gaps = find_gaps(t, start, end, max_gap_hours, min_gap_expected)
    exposure = exposure_hours(start, end, gaps)
    counts = cell_counts(t)
    hour_w, day_w, scale = fit_separable(counts, exposure)
    unobserved = [d for d in range(N_WEEKDAYS) if exposure[d].sum() == 0]
    return TimeProfile(
        per_day=float(scale * N_HOURS),
        observed_per_day=float(len(t) / (exposure.sum() / N_HOURS)),
        hour_of_day=hour_w,
        day_of_week=day_w,
        n_calls=len(t),
        observed_days=float(exposure.sum() / N_HOURS),
        gaps=gaps,
        unobserved_weekdays=unobserved,
        separability=separability(counts, exposure, hour_w, day_w, scale),
        counts=counts,
        exposure_hours=exposure,
    )


def cell_counts(t: np.ndarray) -> np.ndarray:
    """Calls per (weekday, hour) cell."""
    index = pd.DatetimeIndex(t)
    counts = np.zeros((N_WEEKDAYS, N_HOURS))
    np.add.at(counts, (index.day_of_week, index.hour), 1)
    return counts


def exposure_hours(start: pd.Timestamp, end: pd.Timestamp, gaps: list[Gap]) -> np.ndarray:
    """Observed hours in each (weekday, hour) cell: the window minus the gaps."""
    slots = pd.date_range(start.floor("h"), end.ceil("h"), freq="h", inclusive="left")
    observed = _overlap_hours(slots, start, end)
    for gap in gaps:
        observed -= _overlap_hours(slots, gap.start, gap.end)
    exposure = np.zeros((N_WEEKDAYS, N_HOURS))
    np.add.at(exposure, (slots.day_of_week, slots.hour), np.clip(observed, 0.0, 1.0))
    return exposure


def _overlap_hours(slots: pd.DatetimeIndex, a: pd.Timestamp, b: pd.Timestamp) -> np.ndarray:
    slot_start = slots.to_numpy(dtype="datetime64[ns]")
    low = np.maximum(slot_start, np.datetime64(a, "ns"))
    high = np.minimum(slot_start + ONE_HOUR, np.datetime64(b, "ns"))
    return np.clip((high - low) / ONE_HOUR, 0.0, None)


def find_gaps(
    t: np.ndarray,
    start: pd.Timestamp,
    end: pd.Timestamp,
    max_gap_hours: float,
    min_gap_expected: float,
) -> list[Gap]:
    """Quiet stretches (including before the first and after the last call) that look missing."""
    edges = np.concatenate([[np.datetime64(start, "ns")], t, [np.datetime64(end, "ns")]])
    lengths_h = np.diff(edges) / ONE_HOUR
    candidates = np.flatnonzero(lengths_h >= max_gap_hours)
    if len(candidates) == 0:
        return []
    exposure = exposure_hours(start, end, [])
    by_hour = cell_counts(t).sum(axis=0) / np.maximum(exposure.sum(axis=0), 1e-9)
    gaps = []
    for index in candidates:
        a, b = pd.Timestamp(edges[index]), pd.Timestamp(edges[index + 1])
        slots = pd.date_range(a.floor("h"), b.ceil("h"), freq="h", inclusive="left")
        expected = float(np.sum(_overlap_hours(slots, a, b) * by_hour[slots.hour]))
        if expected >= min_gap_expected:
            gaps.append(Gap(a, b, expected))
    return gaps


def fit_separable(
    counts: np.ndarray, exposure: np.ndarray, max_iter: int = 1000
) -> tuple[np.ndarray, np.ndarray, float]:
    """Maximum-likelihood H (24) and D (7), each of mean 1, and the mean rate per hour."""
    hour_w, day_w = np.ones(N_HOURS), np.ones(N_WEEKDAYS)
    seen_h, seen_d = exposure.sum(axis=0) > 0, exposure.sum(axis=1) > 0
    for _ in range(max_iter):
        new_h = _ratio(counts.sum(axis=0), (exposure * day_w[:, None]).sum(axis=0))
        new_d = _ratio(counts.sum(axis=1), (exposure * new_h[None, :]).sum(axis=1))
        done = np.allclose(new_h, hour_w, rtol=1e-12) and np.allclose(new_d, day_w, rtol=1e-12)
        hour_w, day_w = new_h, new_d
        if done:
            break
    hour_w[~seen_h] = hour_w[seen_h].mean()  # never observed: assume an average hour/day
    day_w[~seen_d] = day_w[seen_d].mean()
    scale = float(hour_w.mean() * day_w.mean())
    return hour_w / hour_w.mean(), day_w / day_w.mean(), scale


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)


def separability(
    counts: np.ndarray, exposure: np.ndarray, hour_w: np.ndarray, day_w: np.ndarray, scale: float
) -> Separability:
    """Deviance of the separable fit against the full table, and against a flat rate."""
    seen = exposure > 0
    fitted = exposure * scale * np.outer(day_w, hour_w)
    flat = exposure * counts.sum() / exposure.sum()
    g2 = _deviance(counts[seen], fitted[seen])
    g2_flat = _deviance(counts[seen], flat[seen])
    n_params = int((exposure.sum(axis=0) > 0).sum() + (exposure.sum(axis=1) > 0).sum() - 1)
    df = max(int(seen.sum()) - n_params, 0)
    residual = np.where(fitted > 0, (counts - fitted) / np.sqrt(np.maximum(fitted, 1e-12)), 0.0)
    day, hour = np.unravel_index(np.argmax(np.abs(residual)), residual.shape)
    return Separability(
        g2=g2,
        df=df,
        p_value=float(stats.chi2.sf(g2, df)) if df > 0 else float("nan"),
        share_explained=1.0 - g2 / g2_flat if g2_flat > 0 else float("nan"),
        worst_cell=(int(day), int(hour)),
        worst_ratio=float(counts[day, hour] / fitted[day, hour]) if fitted[day, hour] > 0 else 0.0,
    )


def _deviance(observed: np.ndarray, expected: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(observed > 0, observed * np.log(observed / expected), 0.0)
    return float(2.0 * np.sum(terms - (observed - expected)))
