"""The values every KPI can take, and confidence intervals of its mean clipped to them.

Each KPI of the replications table (`sim.analysis.kpis.replication_kpis`,
`sim.analysis.staff_kpis`) has one
declared range: times, counts, rates and costs are `NON_NEGATIVE`; shares and probabilities
(`p_wait`, `*_share`, `utilisation_<role>`) are `SHARE`, [0, 1]. Utilisation is busy time over
rostered plus overtime minutes, and a unit is busy only while on duty or on overtime, so it is
a share too. No KPI is signed today; a signed one would be declared `UNBOUNDED`. Names made per
role, priority, area or joint category are matched by the patterns of `KPI_RANGES`, where
`<role>` and the like stand for any name.

**Why clipping an interval is honest.** Every replication's value of a KPI lies in its range
R (an interval), so the KPI's true mean mu does too. For a random interval C, mu in C exactly
when mu in C intersected with R, so P(mu in C and R) = P(mu in C): the clipped Student-t
interval keeps the coverage of the t-interval (nominally 95 %), it is only shorter. The mean
and sd are not touched, and neither are paired differences (`sim.analysis.paired`, `diff_ci_*`): a
difference of two non-negative KPIs can have either sign. Clipping removes only the part of
an interval that no value can reach; it does not mend a t-interval's approximate coverage
with few, skewed replications.

A KPI name matching no pattern has no declared range and its interval is left as it is
(still a valid interval); `tests/cli/test_every_kpi_has_a_range.py` runs every shipped
scenario and fails on any KPI without a range, so a new KPI cannot silently go without one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class KpiRange:
    """The values a KPI can take: `low <= value <= high` (a side may be infinite)."""

    low: float
    high: float

    def contains(self, value: float) -> bool:
        """Whether `value` is in the range (NaN, an undefined KPI, is not)."""
        return self.low <= value <= self.high

    def clip(self, ci_low: float, ci_high: float) -> tuple[float, float]:
        """The interval [ci_low, ci_high] intersected with the range; NaN stays NaN."""
        return (_clip(ci_low, self.low, self.high), _clip(ci_high, self.low, self.high))


NON_NEGATIVE = KpiRange(0.0, math.inf)
SHARE = KpiRange(0.0, 1.0)
UNBOUNDED = KpiRange(-math.inf, math.inf)

KPI_RANGES: tuple[tuple[str, KpiRange], ...] = (
    ("n_matters", NON_NEGATIVE),
    ("settle_min_median", NON_NEGATIVE),
    ("settle_min_p90", NON_NEGATIVE),
    ("settled_same_day_share", SHARE),
    ("settled_within_7d_share", SHARE),
    ("open_after_30d_share", SHARE),
    ("calls_per_matter", NON_NEGATIVE),
    ("referrals_per_matter", NON_NEGATIVE),
    ("joint_matter_share", SHARE),
    ("settle_min_median_<type>", NON_NEGATIVE),
    ("settled_same_day_share_<type>", SHARE),
    ("settled_within_1h_share_<type>", SHARE),
    ("settled_within_12h_share_<type>", SHARE),
    ("area_<area>_settled_same_day_share", SHARE),
    ("area_<area>_calls_per_matter", NON_NEGATIVE),
    ("n_incidents", NON_NEGATIVE),
    ("incidents_per_day", NON_NEGATIVE),
    ("wait_min_mean", NON_NEGATIVE),
    ("p_wait", SHARE),
    ("response_min_mean", NON_NEGATIVE),
    ("response_min_median", NON_NEGATIVE),
    ("response_min_p90", NON_NEGATIVE),
    ("call_close_min_mean", NON_NEGATIVE),
    ("call_close_min_median", NON_NEGATIVE),
    ("call_close_min_p90", NON_NEGATIVE),
    ("call_closed_same_day_share", SHARE),
    ("response_min_mean_prio<priority>", NON_NEGATIVE),
    ("response_min_p90_prio<priority>", NON_NEGATIVE),
    ("joint_share", SHARE),
    ("utilisation_<role>", SHARE),
    ("staff_cost", NON_NEGATIVE),
    ("overtime_min_<role>", NON_NEGATIVE),
    ("volunteer_hours", NON_NEGATIVE),
    ("repeat_call_share", SHARE),
    ("repeat_calls_per_day", NON_NEGATIVE),
    ("call_settled_share", SHARE),
    ("deterred_per_day", NON_NEGATIVE),
    ("later_sessions_per_day", NON_NEGATIVE),
    ("joint_handlings_per_year", NON_NEGATIVE),
    ("area_<area>_incidents_per_day", NON_NEGATIVE),
    ("area_<area>_repeat_calls_per_day", NON_NEGATIVE),
    ("area_<area>_call_closed_same_day_share", SHARE),
    ("joint_<category>_per_year", NON_NEGATIVE),
    ("reactive_share_<role>", SHARE),
    ("proactive_share_<role>", SHARE),
    ("counter_share_<role>", SHARE),
    ("waiting_share_<role>", SHARE),
    ("prevented_per_day", NON_NEGATIVE),
    ("prevented_<effect>_per_day", NON_NEGATIVE),
    ("area_<area>_prevented_per_day", NON_NEGATIVE),
    ("referral_turnaround_min_median", NON_NEGATIVE),
    ("referral_turnaround_min_p90", NON_NEGATIVE),
    ("referral_within_24h_share", SHARE),
)


def _compiled(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(<\w+>)", pattern)
    return re.compile("".join(".+" if p.startswith("<") else re.escape(p) for p in parts))


_MATCHERS: tuple[tuple[re.Pattern[str], KpiRange], ...] = tuple(
    (_compiled(pattern), kpi_range) for pattern, kpi_range in KPI_RANGES
)


def kpi_range(metric: str) -> KpiRange | None:
    """The declared range of a KPI, or None if no pattern of `KPI_RANGES` names it.

    Raises ValueError if two patterns name it with different ranges (a declaration error).
    """
    found = {r for matcher, r in _MATCHERS if matcher.fullmatch(metric)}
    if len(found) > 1:
        ranges = ", ".join(sorted(map(str, found)))
        raise ValueError(f"KPI {metric!r} has conflicting declared ranges: {ranges}")
    return found.pop() if found else None


def clip_interval(metric: str, ci_low: float, ci_high: float) -> tuple[float, float]:
    """A level interval of `metric`'s mean clipped to its range (unchanged if undeclared).

    Only for intervals of a KPI's mean, never of a difference of two KPIs (see module).
    """
    declared = kpi_range(metric)
    return (ci_low, ci_high) if declared is None else declared.clip(ci_low, ci_high)


def _clip(value: float, low: float, high: float) -> float:
    return value if math.isnan(value) else min(max(value, low), high)
