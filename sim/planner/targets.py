"""Service targets for the optimiser: `target.<kpi>=<bound>` and whether a result meets them.

A target bounds one KPI of the replications table (README "Result tables"), e.g.
`target.response_min_p90_prio1=15` (at most 15 minutes) or `target.settled_same_day_share=0.6`
(at least 60 % of matters settled the day they began). The direction follows the KPI: shares of
good outcomes (`settled_same_day_share`, `settled_within_7d_share`, `call_closed_same_day_share`,
`call_settled_share`, and their per-area versions) must be at least the bound, everything else
(times, waits, costs, repeat calls) at most; a leading `>=` or `<=` sets it explicitly
(`target.joint_share=>=0.3`).

A target is *met* when the mean over replications is on the right side of the bound, or,
with `strict`, when the whole 95 % confidence interval is. Its *shortfall* is how far the
mean misses, relative to the bound, so that targets in different units can be added up.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from sim.config.schema import ConfigError

TARGET_PREFIX = "target."
HIGHER_IS_BETTER_SUFFIXES = (
    "same_day_share",
    "call_settled_share",
    "settled_within_7d_share",
)


@dataclass(frozen=True)
class Target:
    """A bound on one KPI: at most (`upper`) or at least (not `upper`)."""

    kpi: str
    bound: float
    upper: bool

    @property
    def text(self) -> str:
        return f"{self.kpi} {'<=' if self.upper else '>='} {self.bound:g}"

    def met(self, mean: float, ci_low: float, ci_high: float, strict: bool = False) -> bool:
        if not math.isfinite(mean):
            return False
        if strict and math.isfinite(ci_low) and math.isfinite(ci_high):
            return ci_high <= self.bound if self.upper else ci_low >= self.bound
        return mean <= self.bound if self.upper else mean >= self.bound

    def shortfall(self, mean: float) -> float:
        """How far the mean misses the bound, relative to the bound (0 when met)."""
        if not math.isfinite(mean):
            return math.inf
        miss = mean - self.bound if self.upper else self.bound - mean
        return max(0.0, miss) / max(abs(self.bound), 1e-9)


def split_targets(args: Iterable[str]) -> tuple[list[Target], list[str]]:
    """The `target.*` arguments as targets, and the other arguments as they were."""
    targets, rest = [], []
    for arg in args:
        if arg.startswith(TARGET_PREFIX):
            targets.append(parse_target(arg))
        else:
            rest.append(arg)
    return targets, rest


def parse_target(arg: str) -> Target:
    key, _, text = arg.partition("=")
    kpi = key[len(TARGET_PREFIX) :]
    if not kpi or not text:
        raise ConfigError(key or arg, text or None, "write target.<kpi>=<bound>")
    upper = not kpi.endswith(HIGHER_IS_BETTER_SUFFIXES)
    if text.startswith(("<=", ">=")):
        upper, text = text.startswith("<="), text[2:]
    try:
        bound = float(text)
    except ValueError:
        raise ConfigError(key, text, "must be a number, optionally after <= or >=") from None
    if not math.isfinite(bound):
        raise ConfigError(key, text, "must be a finite number")
    return Target(kpi, bound, upper)


def check_kpis(targets: list[Target], known: Iterable[str]) -> None:
    """Every target must name a KPI of the replications table."""
    names = list(known)
    for target in targets:
        if target.kpi not in names:
            raise ConfigError(
                f"target.{target.kpi}", target.bound, "unknown KPI; KPIs: " + ", ".join(names)
            )
