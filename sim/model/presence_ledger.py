"""The presence ledger: staff presence per effect and area, and its total over any window,
exactly and without ticking.

Agents report state intervals as they enter and leave states (`start`, `stop`) or after the
fact (`add_interval`); an interval may stay open. For each effect and area the ledger keeps the
sorted start times and the sorted end times, each with running sums of weight (staff) and of
weight × time. The staff-minutes present in [a, b] are then

    (b - a) · W_open(a) + Σ_{a < s < b} w (b - s) - Σ_{a < e <= b} w (b - e),

where W_open(a) is the weight started by a and not ended by a: a few binary searches and
differences of running sums, O(log n) per query however long the run. Open intervals count up
to the query. Reports usually come in clock order (an O(1) append); a late one is inserted and
the sums after it redone. `forget(t_now)` drops events no later window can reach, keeping their
sums, so memory holds a window's worth of presence.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from sim.model.areas import GridAreas

MIN_PER_HOUR = 60.0
MIN_PER_DAY = 1440.0


class _Events:
    """Sorted event times with running sums of weight and weight × time: `w_sum[i]` is the
    sum over all events before `times[i]`, forgotten ones included (`n_forgotten` of them)."""

    __slots__ = ("n_forgotten", "times", "w_sum", "weights", "wt_sum")

    def __init__(self) -> None:
        self.times = array("d")
        self.weights = array("d")
        self.w_sum = array("d", [0.0])
        self.wt_sum = array("d", [0.0])
        self.n_forgotten = 0

    def add(self, t: float, weight: float) -> None:
        times = self.times
        if not times or t >= times[-1]:  # the usual case: agents report in clock order
            times.append(t)
            self.weights.append(weight)
            self.w_sum.append(self.w_sum[-1] + weight)
            self.wt_sum.append(self.wt_sum[-1] + weight * t)
            return
        index = bisect_right(times, t)  # a late report: insert, redo the sums after it
        times.insert(index, t)
        self.weights.insert(index, weight)
        del self.w_sum[index + 1 :], self.wt_sum[index + 1 :]
        for k in range(index, len(times)):
            self.w_sum.append(self.w_sum[k] + self.weights[k])
            self.wt_sum.append(self.wt_sum[k] + self.weights[k] * times[k])

    def forget_before(self, t: float) -> None:
        """Drop the events before t; their sums stay in the running sums."""
        k = bisect_left(self.times, t)
        if k:
            del self.times[:k], self.weights[:k], self.w_sum[:k], self.wt_sum[:k]
            self.n_forgotten += k


class _Presence:
    """The presence intervals of one effect in one area: their starts and their ends."""

    __slots__ = ("ends", "starts")

    def __init__(self) -> None:
        self.starts = _Events()
        self.ends = _Events()

    def staff_min(self, a: float, b: float) -> float:
        """Staff-minutes present in [a, b] (a < b): Σ w · |[s, e] ∩ [a, b]|, open e = +∞."""
        s, e = self.starts, self.ends
        ks_b = bisect_left(s.times, b)  # intervals started before b ...
        ke_a = bisect_right(e.times, a)  # ... less those ended by a
        if ks_b + s.n_forgotten == ke_a + e.n_forgotten:
            return 0.0  # exactly: nothing overlaps the window
        ks_a = bisect_right(s.times, a)
        ke_b = bisect_right(e.times, b)
        open_at_a = s.w_sum[ks_a] - e.w_sum[ke_a]  # present all through from a, unless ended
        started = b * (s.w_sum[ks_b] - s.w_sum[ks_a]) - (s.wt_sum[ks_b] - s.wt_sum[ks_a])
        ended = b * (e.w_sum[ke_b] - e.w_sum[ke_a]) - (e.wt_sum[ke_b] - e.wt_sum[ke_a])
        return max(0.0, (b - a) * open_at_a + started - ended)


class PresenceLedger:
    """Presence intervals per effect and area, answering the dose over a trailing window.

    Effects are numbered 0..n_effects-1; areas are ids of `areas` (anything with `area_km2`).
    `forget(t_now_min)`, called now and then (e.g. once a simulated day), drops the events
    older than every window a query at or after `t_now_min` can reach, so that memory holds a
    window's worth of presence, not the whole run's.
    """

    def __init__(
        self, areas: GridAreas, window_min: Sequence[float], t_origin_min: float = 0.0
    ) -> None:
        self.areas = areas
        self.window_min = tuple(window_min)
        self.t_origin_min = t_origin_min
        self._horizon_min = [-math.inf] * len(self.window_min)  # nothing known before this
        self._presence: dict[tuple[int, int], _Presence] = {}

    def start(self, effect: int, area: int, t_start_min: float, weight: float = 1.0) -> None:
        """Presence of `weight` staff begins (it counts up to any later query until stopped)."""
        _check_weight(weight)
        self._series(effect, area, t_start_min).starts.add(t_start_min, weight)

    def stop(self, effect: int, area: int, t_end_min: float, weight: float = 1.0) -> None:
        """Presence begun by `start` with the same effect, area and weight ends."""
        _check_weight(weight)
        self._series(effect, area, t_end_min).ends.add(t_end_min, weight)

    def add_interval(
        self, effect: int, area: int, t_start_min: float, t_end_min: float, weight: float = 1.0
    ) -> None:
        """A closed interval of presence."""
        if not t_end_min >= t_start_min:
            raise ValueError(
                f"presence interval: t_end_min={t_end_min}: must be >= t_start_min={t_start_min}"
            )
        self.start(effect, area, t_start_min, weight)
        self.stop(effect, area, t_end_min, weight)

    def staff_min(self, effect: int, area: int, t0_min: float, t1_min: float) -> float:
        """Staff-minutes of presence of an effect in an area during [t0_min, t1_min]."""
        self._check_effect(effect)
        if t0_min < self._horizon_min[effect]:
            raise ValueError(
                f"presence: t0_min={t0_min}: must be >= {self._horizon_min[effect]} "
                "(the ledger has forgotten what came before)"
            )
        series = self._presence.get((effect, area))
        if series is None or not t1_min > t0_min:
            return 0.0
        return series.staff_min(t0_min, t1_min)

    def dose_h_per_km2_day(self, effect: int, area: int, t_min: float) -> float:
        """Presence-hours per km² per day in the area over the effect's trailing window."""
        t0_min = max(t_min - self.window_min[effect], self.t_origin_min)
        if not t_min > t0_min:
            return 0.0
        hours = self.staff_min(effect, area, t0_min, t_min) / MIN_PER_HOUR
        return hours / self.areas.area_km2(area) / ((t_min - t0_min) / MIN_PER_DAY)

    def forget(self, t_now_min: float) -> None:
        """Drop what no later query needs: events older than each effect's window before
        `t_now_min`. Queries of earlier windows and reports of earlier events are refused."""
        for effect, window_min in enumerate(self.window_min):
            self._horizon_min[effect] = max(self._horizon_min[effect], t_now_min - window_min)
        for (effect, _area), series in self._presence.items():
            series.starts.forget_before(self._horizon_min[effect])
            series.ends.forget_before(self._horizon_min[effect])

    def n_events(self) -> int:
        """Events held (starts and ends), a measure of the ledger's memory."""
        return sum(len(p.starts.times) + len(p.ends.times) for p in self._presence.values())

    def _check_effect(self, effect: int) -> None:
        if not 0 <= effect < len(self.window_min):
            raise ValueError(f"presence: effect={effect}: must be 0..{len(self.window_min) - 1}")

    def _series(self, effect: int, area: int, t_min: float) -> _Presence:
        self._check_effect(effect)
        if t_min < self._horizon_min[effect]:
            raise ValueError(
                f"presence: t_min={t_min}: must be >= {self._horizon_min[effect]} "
                "(the ledger has forgotten what came before)"
            )
        series = self._presence.get((effect, area))
        if series is None:
            if not 0 <= area < self.areas.n_areas:
                raise ValueError(f"presence: area={area}: must be 0..{self.areas.n_areas - 1}")
            series = self._presence[(effect, area)] = _Presence()
        return series


def _check_weight(weight: float) -> None:
    if not (weight > 0 and math.isfinite(weight)):
        raise ValueError(f"presence: weight={weight}: must be a finite number > 0")
