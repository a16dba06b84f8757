"""Prevention from presence: staff seen in an area prevent some of its calls, with diminishing
returns, computed exactly from the agents' state intervals.

**Dose.** An effect of the scenario's `prevention:` block (`sim.config.prevention`) counts the
time that staff of its roles spend in its states (patrol, post, grid_walk, ...) in each area.
The dose of an area at time t is that presence, in staff-hours, over the trailing window
[t - window, t], per km² of the area and per day of the window. Before a whole window has
passed since `t_origin_min`, the window is the time elapsed, so that the first days of a run
see the presence rate so far rather than a ramp. Open intervals (started, not yet stopped)
count up to t. Nothing is ticked: `PresenceLedger` (`sim.model.presence_ledger`) keeps, per
effect and area, the sorted start and end times with running sums of weight and weight × time,
so that the presence in any window is a handful of binary searches (O(log n) per query,
however long the run). Areas are the square cells of `GridAreas` (`sim.model.areas`).

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

from collections.abc import Sequence
from typing import Literal, NamedTuple

import numpy as np

from sim.config.prevention import PreventionConfig, PreventionEffectConfig
from sim.model.areas import GridAreas
from sim.model.presence_ledger import MIN_PER_DAY, PresenceLedger, PresenceSeries

__all__ = [
    "MIN_PER_DAY",
    "Fate",
    "GridAreas",
    "PresenceLedger",
    "PresenceSeries",
    "Prevention",
    "draw_prevention_uniforms",
    "response",
]


def response(dose_h_per_km2_day: float, p_max: float, dose_half_h_per_km2_day: float) -> float:
    """The share of calls prevented at a dose: p_max · d / (d + d_half), 0 at d = 0.

    Written as p_max · (1 - d_half / (d + d_half)) so that, in floating point too, it never
    decreases as the dose grows (each operation is monotone) and is exactly 0 at d = 0.
    """
    if dose_h_per_km2_day <= 0.0:
        return 0.0
    return p_max * (1.0 - dose_half_h_per_km2_day / (dose_h_per_km2_day + dose_half_h_per_km2_day))


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

    `incident_types` lists the scenario's type names in type-index order. Agents report closed
    state intervals with `record`, and their walks and rounds straight to the ledger's series
    (`sim.model.agents.Presence`, `add_route`); the model asks `fate` (or `prevented`) at each
    candidate call's arrival.
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
        for name, effect in zip(self.names, self.effects, strict=True):
            unknown = [t for t in effect.incident_types if t not in incident_types]
            if unknown:
                raise ValueError(
                    f"prevention.effects.{name}.incident_types = {unknown}: not incident types "
                    f"of the scenario; declared: {', '.join(incident_types)}"
                )
        self._of_type = tuple(
            tuple(i for i, e in enumerate(self.effects) if name in e.incident_types)
            for name in incident_types
        )
        self._of_state: dict[tuple[str, str], tuple[int, ...]] = {}

    def counting(self, role: str, state: str) -> tuple[int, ...]:
        """The effects whose presence a role's state counts for (empty: it counts for none)."""
        effects = self._of_state.get((role, state))
        if effects is None:
            effects = tuple(
                i for i, e in enumerate(self.effects) if role in e.roles and state in e.states
            )
            self._of_state[(role, state)] = effects
        return effects

    def add_route(self, shares: dict[int, float]) -> int:
        """A route's cells and their shares of a round (`Route.cell_shares`); returns the key
        to report its rounds under, in place of an area (`PresenceLedger.add_footprint`)."""
        return self.ledger.add_footprint(shares)

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

    def acts_on(self, type_index: int) -> bool:
        """Whether any effect acts on calls of the type (else presence never prevents one)."""
        return bool(self._of_type[type_index])

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
