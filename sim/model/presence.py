"""Prevention from presence: staff seen in an area prevent some of its calls, with diminishing
returns, computed exactly from the agents' state intervals.

**Dose.** An effect of the scenario's `prevention:` block (`sim.config.prevention`) counts the
time that staff of its roles spend in its states (patrol, post, grid_walk, ...) in each area.
The dose of an area at time t is that presence, in staff-hours, over the trailing window
[t - window, t], per km² of the area and per day of the window. Before a whole window has
passed since `t_origin_min`, the window is the time elapsed, so that the first days of a run
see the presence rate so far rather than a ramp. Open intervals (started, not yet stopped)
count up to t. Nothing is ticked: `PresenceLedger` keeps, per effect and area, the sorted
start and end times with running sums of weight and weight × time, so that the presence in
any window is a handful of binary searches (O(log n) per query, however long the run).

**Curve.** The share of an effect's calls prevented at dose d is

    p(d) = p_max · d / (d + d_half)          (`response`)

p(0) = 0, increasing, concave (each extra hour prevents less than the one before), half of
p_max at d = d_half, never above p_max (some offending is not deterred at any dose). Its slope
at 0, p_max / d_half, is the prevention rate per presence-hour per km² per day when presence is
scarce: for grid visits, the "rate per visit hour" at which brewing disputes are settled
before anyone calls. The hyperbola is what a saturating exponential 1 - exp(-k·d) becomes when
the would-be offenders (or disputes) differ in how readily presence reaches them (k
exponentially distributed across them): its tail is heavier than a single exponential's,
which suits the literature's modest effects at high doses. The hot-spots literature grounds
the shape and the rough magnitude, not the numbers:
- Sherman & Weisburd (1995), Minneapolis, 110 hot spots randomised: about twice the observed
  patrol presence cut total crime calls by 6 to 13 % and halved observed disorder: a real but
  modest effect of a large change in dose, far from a switch.
- Koper (1995), same data: stops of about 10 to 15 minutes gave the longest residual deterrence
  after the officer left, longer stops no more: returns diminish with presence time.
- Braga, Turchan, Papachristos & Hureau (2019), meta-analysis of 65 studies (78 tests): a small
  but significant mean effect; where measured (40 tests), diffusion of benefits to nearby areas
  was more common than displacement; hence `displacement` defaults to 0.
`p_max` and `d_half` are fitted by calibration to the scenario's published figures; the
literature does not give them for a Chinese new-town district.

**Decision (common random numbers).** Each candidate call carries its own uniforms drawn up
front (`draw_prevention_uniforms`). It is prevented when u_prevent < 1 - Π_e (1 - p_e), over
the effects that act on its type (independent mechanisms). The same uniforms are used in every
variant, so more presence can only prevent more calls, never un-prevent one. The effect that
prevented it is the first e with u_prevent < 1 - Π_{j ≤ e} (1 - p_j). A prevented call is
displaced with that effect's probability `displacement`: if u_displace < displacement it
happens instead, at the same time, in neighbour number ⌊u_displace / displacement · n⌋ of its
area's n neighbours (same relative position in the cell); otherwise it does not happen. A
displaced call is not thinned again. An area without neighbours (a one-cell grid) cannot
displace, so its prevented calls simply do not happen.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Literal, NamedTuple

import numpy as np

from sim.config.prevention import AreaGridConfig, PreventionConfig, PreventionEffectConfig

MIN_PER_HOUR = 60.0
MIN_PER_DAY = 1440.0
SLIVER_SHARE = 0.01  # a last row/column of cells narrower than this share of a cell joins its
# neighbour, so that no cell is a sliver with an absurd presence per km²


def response(dose_h_per_km2_day: float, p_max: float, dose_half_h_per_km2_day: float) -> float:
    """The share of calls prevented at a dose: p_max · d / (d + d_half), 0 at d = 0.

    Written as p_max · (1 - d_half / (d + d_half)) so that, in floating point too, it never
    decreases as the dose grows (each operation is monotone) and is exactly 0 at d = 0.
    """
    if dose_h_per_km2_day <= 0.0:
        return 0.0
    return p_max * (1.0 - dose_half_h_per_km2_day / (dose_h_per_km2_day + dose_half_h_per_km2_day))


class GridAreas:
    """Square cells of `cell_km` over a `width_km` × `height_km` region; area id = row · n_cols
    + col, from the (0, 0) corner. The last row and column may be narrower (or, to avoid a
    sliver, up to 1 % wider) than a cell."""

    def __init__(
        self,
        width_km: float,
        height_km: float,
        cell_km: float,
        neighbourhood: Literal["queen", "rook"] = "queen",
    ) -> None:
        if not (width_km > 0 and height_km > 0 and cell_km > 0):
            raise ValueError(
                f"grid areas: width_km={width_km}, height_km={height_km}, cell_km={cell_km}: "
                "must all be > 0"
            )
        self.width_km, self.height_km, self.cell_km = width_km, height_km, cell_km
        self.n_cols = max(1, math.ceil(width_km / cell_km - SLIVER_SHARE))
        self.n_rows = max(1, math.ceil(height_km / cell_km - SLIVER_SHARE))
        self.n_areas = self.n_cols * self.n_rows
        steps = [(-1, 0), (0, -1), (0, 1), (1, 0)]
        if neighbourhood == "queen":
            steps += [(-1, -1), (-1, 1), (1, -1), (1, 1)]
        self._neighbours = [self._around(area, steps) for area in range(self.n_areas)]

    @classmethod
    def from_config(cls, config: AreaGridConfig, width_km: float, height_km: float) -> GridAreas:
        """The grid a scenario's `prevention.areas` lays over its region."""
        return cls(width_km, height_km, config.cell_km, config.neighbourhood)

    def area_of(self, x_km: float, y_km: float) -> int:
        """The cell holding a place (places on or beyond the border go to the border cell)."""
        col = min(max(int(x_km // self.cell_km), 0), self.n_cols - 1)
        row = min(max(int(y_km // self.cell_km), 0), self.n_rows - 1)
        return row * self.n_cols + col

    def areas_of(self, x_km: np.ndarray, y_km: np.ndarray) -> np.ndarray:
        """`area_of` for arrays of places (e.g. every candidate call at once)."""
        col = np.clip(np.floor_divide(x_km, self.cell_km), 0, self.n_cols - 1).astype(np.int64)
        row = np.clip(np.floor_divide(y_km, self.cell_km), 0, self.n_rows - 1).astype(np.int64)
        return row * self.n_cols + col

    def bounds_km(self, area: int) -> tuple[float, float, float, float]:
        """(x0, x1, y0, y1) of a cell."""
        row, col = divmod(area, self.n_cols)
        x0, y0 = col * self.cell_km, row * self.cell_km
        x1 = self.width_km if col == self.n_cols - 1 else x0 + self.cell_km
        y1 = self.height_km if row == self.n_rows - 1 else y0 + self.cell_km
        return x0, x1, y0, y1

    def area_km2(self, area: int) -> float:
        """A cell's area (smaller for a partial edge cell)."""
        x0, x1, y0, y1 = self.bounds_km(area)
        return (x1 - x0) * (y1 - y0)

    def neighbours(self, area: int) -> tuple[int, ...]:
        """The cells around a cell, in increasing id order."""
        return self._neighbours[area]

    def move(self, x_km: float, y_km: float, to_area: int) -> tuple[float, float]:
        """The place at the same relative position in cell `to_area` as (x_km, y_km) in its own."""
        fx0, fx1, fy0, fy1 = self.bounds_km(self.area_of(x_km, y_km))
        tx0, tx1, ty0, ty1 = self.bounds_km(to_area)
        fx = min(max((x_km - fx0) / (fx1 - fx0), 0.0), 1.0)
        fy = min(max((y_km - fy0) / (fy1 - fy0), 0.0), 1.0)
        x, y = tx0 + fx * (tx1 - tx0), ty0 + fy * (ty1 - ty0)
        if self.area_of(x, y) != to_area:  # on the far border, which belongs to the next cell
            x, y = (tx0 + tx1) / 2, (ty0 + ty1) / 2
        return x, y

    def _around(self, area: int, steps: list[tuple[int, int]]) -> tuple[int, ...]:
        row, col = divmod(area, self.n_cols)
        cells = [
            (row + dr) * self.n_cols + col + dc
            for dr, dc in steps
            if 0 <= row + dr < self.n_rows and 0 <= col + dc < self.n_cols
        ]
        return tuple(sorted(cells))


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


class Fate(NamedTuple):
    """What presence does to one candidate call: kept where it was, prevented (it does not
    happen), or displaced to another area (at `x_km`, `y_km`); `effect` names the preventer."""

    outcome: Literal["kept", "prevented", "displaced"]
    area: int
    x_km: float
    y_km: float
    effect: str | None = None


def draw_prevention_uniforms(rng: np.random.Generator, n: int) -> np.ndarray:
    """Each candidate call's own (u_prevent, u_displace), shape (n, 2), drawn in pairs so that
    a longer run keeps the first calls' pairs."""
    return rng.random((n, 2))


class Prevention:
    """The presence ledger of a replication and the prevention decision for each call.

    `incident_types` lists the scenario's type names in type-index order. Agents report their
    state intervals with `start`/`stop` (or `record` for a closed one); the model asks `fate`
    (or `prevented`) at each candidate call's arrival.
    """

    def __init__(
        self,
        config: PreventionConfig,
        areas: GridAreas,
        incident_types: Sequence[str],
        t_origin_min: float = 0.0,
    ) -> None:
        self.names = tuple(config.effects)
        self.effects: tuple[PreventionEffectConfig, ...] = tuple(config.effects.values())
        self.areas = areas
        self.ledger = PresenceLedger(
            areas, [e.window_days * MIN_PER_DAY for e in self.effects], t_origin_min
        )
        self._of_type = tuple(
            tuple(i for i, e in enumerate(self.effects) if name in e.incident_types)
            for name in incident_types
        )
        self._of_state: dict[tuple[str, str], tuple[int, ...]] = {}
        self._open: dict[int, tuple[tuple[int, ...], int, float]] = {}
        self._n_opened = 0

    def counting(self, role: str, state: str) -> tuple[int, ...]:
        """The effects whose presence a role's state counts for (empty: it counts for none)."""
        effects = self._of_state.get((role, state))
        if effects is None:
            effects = tuple(
                i for i, e in enumerate(self.effects) if role in e.roles and state in e.states
            )
            self._of_state[(role, state)] = effects
        return effects

    def start(
        self, role: str, state: str, area: int, t_start_min: float, weight: float = 1.0
    ) -> int:
        """An agent enters a state in an area; returns the token to `stop` it with."""
        effects = self.counting(role, state)
        for effect in effects:
            self.ledger.start(effect, area, t_start_min, weight)
        token = self._n_opened
        self._n_opened += 1
        self._open[token] = (effects, area, weight)
        return token

    def stop(self, token: int, t_end_min: float) -> None:
        """The agent leaves the state it entered with `start` (each token stops once)."""
        entry = self._open.pop(token, None)
        if entry is None:
            raise ValueError(f"presence: token={token}: not open (never started or stopped twice)")
        effects, area, weight = entry
        for effect in effects:
            self.ledger.stop(effect, area, t_end_min, weight)

    def record(
        self,
        role: str,
        state: str,
        area: int,
        t_start_min: float,
        t_end_min: float,
        weight: float = 1.0,
    ) -> None:
        """A closed state interval of an agent (e.g. from an agent's state-interval record)."""
        for effect in self.counting(role, state):
            self.ledger.add_interval(effect, area, t_start_min, t_end_min, weight)

    def forget(self, t_now_min: float) -> None:
        """Drop presence older than every window a call at or after `t_now_min` looks at
        (`PresenceLedger.forget`); call it now and then, e.g. once a simulated day."""
        self.ledger.forget(t_now_min)

    def p_by_effect(self, type_index: int, area: int, t_min: float) -> list[tuple[int, float]]:
        """(effect, share prevented) for the effects acting on the type, in config order."""
        ledger = self.ledger
        return [
            (e, response(ledger.dose_h_per_km2_day(e, area, t_min), self.effects[e].p_max,
                         self.effects[e].dose_half_h_per_km2_day))
            for e in self._of_type[type_index]
        ]  # fmt: skip

    def p_prevent(self, type_index: int, area: int, t_min: float) -> float:
        """The probability that presence prevents a call: 1 - Π_e (1 - p_e)."""
        kept = 1.0
        for _effect, p in self.p_by_effect(type_index, area, t_min):
            kept *= 1.0 - p
        return 1.0 - kept

    def prevented(self, type_index: int, area: int, t_min: float, u_prevent: float) -> bool:
        """Whether presence prevents the call whose own uniform is `u_prevent`."""
        return u_prevent < self.p_prevent(type_index, area, t_min)

    def fate(
        self,
        type_index: int,
        x_km: float,
        y_km: float,
        t_min: float,
        u_prevent: float,
        u_displace: float = 1.0,
    ) -> Fate:
        """Kept, prevented or displaced, from the call's own two uniforms (see module doc)."""
        area = self.areas.area_of(x_km, y_km)
        kept = 1.0
        for effect, p in self.p_by_effect(type_index, area, t_min):
            kept *= 1.0 - p
            if u_prevent < 1.0 - kept:
                return self._prevent(effect, area, x_km, y_km, u_displace)
        return Fate("kept", area, x_km, y_km)

    def _prevent(self, effect: int, area: int, x_km: float, y_km: float, u: float) -> Fate:
        share = self.effects[effect].displacement
        around = self.areas.neighbours(area)
        if not (u < share and around):
            return Fate("prevented", area, x_km, y_km, self.names[effect])
        to_area = around[min(int(u / share * len(around)), len(around) - 1)]
        x_to, y_to = self.areas.move(x_km, y_km, to_area)
        return Fate("displaced", to_area, x_to, y_to, self.names[effect])
