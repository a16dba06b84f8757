"""The presence ledger: staff presence per effect and area, and its total over any window,
exactly and without ticking.

Agents report state intervals as they enter and leave states (`start`, `stop`) or after the
fact (`add_interval`); an interval may stay open. An interval is reported in one area, or over
a footprint (`add_footprint`: a route's cells, each with its share of the route's time), which
then counts in each of its areas with its share: so a round of a route is two reports, not two
per cell it crosses. For each effect and area (or footprint) the ledger keeps the
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
from collections.abc import Mapping, Sequence

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


class PresenceSeries:
    """The presence intervals of one effect in one area (or footprint): their starts and
    their ends. An agent may report to its series directly (`PresenceLedger.series`), at
    times no earlier than now: the ledger never forgets the present."""

    __slots__ = ("ends", "starts")

    def __init__(self) -> None:
        self.starts = _Events()
        self.ends = _Events()

    def add(self, t_start_min: float, t_end_min: float, weight: float = 1.0) -> None:
        """`weight` staff present from t_start to t_end (either may be in the future)."""
        self.starts.add(t_start_min, weight)
        self.ends.add(t_end_min, weight)

    def cut(self, t_from_min: float, t_to_min: float, weight: float = 1.0) -> None:
        """[t_from, t_to] of an interval `add`ed before did not happen: its opposite, an end at
        t_from and a start at t_to (`PresenceLedger.cut_interval`)."""
        self.ends.add(t_from_min, weight)
        self.starts.add(t_to_min, weight)

    def open(self, t_min: float) -> None:
        """One member of staff present from t (until `close`)."""
        self.starts.add(t_min, 1.0)

    def close(self, t_min: float) -> None:
        self.ends.add(t_min, 1.0)

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
        self._presence: dict[tuple[int, int], PresenceSeries] = {}  # by (effect, area or footprint)
        # per area: (key, share) of what counts there: the area itself, and footprints over it
        self._covering: list[list[tuple[int, float]]] = [
            [(area, 1.0)] for area in range(areas.n_areas)
        ]
        self._n_keys = areas.n_areas  # areas are keys 0..n_areas-1, footprints the next ones
        self._area_km2 = [areas.area_km2(area) for area in range(areas.n_areas)]

    def add_footprint(self, shares: Mapping[int, float]) -> int:
        """A place spread over areas in fixed shares (e.g. a route: each cell's share of a
        round); returns its key, to report presence there with `start`, `stop` and
        `add_interval` like an area's."""
        if not shares:
            raise ValueError("presence footprint: needs at least one area")
        for area, share in shares.items():
            if not 0 <= area < self.areas.n_areas:
                raise ValueError(
                    f"presence footprint: area={area}: must be 0..{self.areas.n_areas - 1}"
                )
            _check_weight(share)
        key = self._n_keys
        self._n_keys += 1
        for area, share in sorted(shares.items()):
            self._covering[area].append((key, share))
        return key

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
        _check_weight(weight)
        self._series(effect, area, t_start_min).add(t_start_min, t_end_min, weight)

    def cut_interval(
        self, effect: int, area: int, t_from_min: float, t_to_min: float, weight: float = 1.0
    ) -> None:
        """Presence reported in advance that did not happen: [t_from, t_to] is taken out of an
        interval added before that covers it (e.g. a walk cut short by a dispatch). It is the
        interval's algebraic opposite: an end at t_from and a start at t_to."""
        if not t_to_min >= t_from_min:
            raise ValueError(
                f"presence cut: t_to_min={t_to_min}: must be >= t_from_min={t_from_min}"
            )
        _check_weight(weight)
        self._series(effect, area, t_from_min).cut(t_from_min, t_to_min, weight)

    def series(self, effect: int, area: int) -> PresenceSeries:
        """The series of an effect in an area or footprint, for an agent to report to directly
        (each time no earlier than now)."""
        return self._series(effect, area, self._horizon_min[effect])

    def staff_min(self, effect: int, area: int, t0_min: float, t1_min: float) -> float:
        """Staff-minutes of presence of an effect in an area during [t0_min, t1_min]: its
        own, and each footprint's over it times the area's share."""
        self._check_effect(effect)
        if t0_min < self._horizon_min[effect]:
            raise ValueError(
                f"presence: t0_min={t0_min}: must be >= {self._horizon_min[effect]} "
                "(the ledger has forgotten what came before)"
            )
        if not t1_min > t0_min:
            return 0.0
        total, presence = 0.0, self._presence
        for key, share in self._covering[area]:
            series = presence.get((effect, key))
            if series is not None:
                total += share * series.staff_min(t0_min, t1_min)
        return total

    def dose_h_per_km2_day(self, effect: int, area: int, t_min: float) -> float:
        """Presence-hours per km² per day in the area over the effect's trailing window."""
        t0_min = max(t_min - self.window_min[effect], self.t_origin_min)
        if not t_min > t0_min:
            return 0.0
        hours = self.staff_min(effect, area, t0_min, t_min) / MIN_PER_HOUR
        return hours / self._area_km2[area] / ((t_min - t0_min) / MIN_PER_DAY)

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

    def _series(self, effect: int, area: int, t_min: float) -> PresenceSeries:
        self._check_effect(effect)
        if t_min < self._horizon_min[effect]:
            raise ValueError(
                f"presence: t_min={t_min}: must be >= {self._horizon_min[effect]} "
                "(the ledger has forgotten what came before)"
            )
        series = self._presence.get((effect, area))
        if series is None:
            if not 0 <= area < self._n_keys:
                raise ValueError(
                    f"presence: area={area}: must be an area 0..{self.areas.n_areas - 1} "
                    f"or a footprint {self.areas.n_areas}..{self._n_keys - 1}"
                    if self._n_keys > self.areas.n_areas
                    else f"presence: area={area}: must be 0..{self.areas.n_areas - 1}"
                )
            series = self._presence[(effect, area)] = PresenceSeries()
        return series


def _check_weight(weight: float) -> None:
    if not (weight > 0 and math.isfinite(weight)):
        raise ValueError(f"presence: weight={weight}: must be a finite number > 0")
