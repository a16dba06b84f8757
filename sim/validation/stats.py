"""Acceptance of a validation check: is the exact value inside the run's confidence interval?

A check compares one exact number from queueing theory (or from a distribution's definition)
with the replications of the simulator: each replication gives one estimate, the replications
are independent, so a Student-t interval across them is the honest measure of what the run
can tell apart. Nothing here is a tolerance chosen by hand.

Two intervals are reported per check:

- the **marginal 99 % interval** (`ci99_low`, `ci99_high`): a true value falls outside it with
  probability 1 %, so in a table of K checks about K / 100 miss by chance alone;
- the **simultaneous 99 % interval** (`ci99_simultaneous_low`, `ci99_simultaneous_high`): the
  Bonferroni interval at level 1 - 0.01 / K, so that the whole table holds at once with
  probability at least 99 %.

A check **passes** when the exact value lies inside its simultaneous interval, so a correct
simulator fails the whole suite with probability at most 1 % (the family-wise error rate),
whatever the number of checks. The seeds are fixed, so a given suite either passes or fails
every time; a different `--seed` is another draw of the same 1 % risk.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

FAMILY_CONFIDENCE = 0.99
EXACT_MATCH_RELATIVE = 1e-9

RESULT_COLUMNS: tuple[str, ...] = (
    "case",
    "metric",
    "theory",
    "sim_mean",
    "sim_sd",
    "n",
    "ci99_low",
    "ci99_high",
    "ci99_simultaneous_low",
    "ci99_simultaneous_high",
    "inside_ci99",
    "passed",
)


@dataclass(frozen=True)
class Observation:
    """One check before judgement: the exact value and one estimate per replication."""

    case: str
    metric: str
    theory: float
    values: tuple[float, ...]


def t_half_width(values: np.ndarray, confidence: float) -> float:
    """Half-width of the two-sided Student-t interval of the mean of `values`."""
    n = len(values)
    if n < 2:
        return math.nan
    sd = float(values.std(ddof=1))
    return float(stats.t.ppf(0.5 + confidence / 2.0, n - 1)) * sd / math.sqrt(n)


def per_check_confidence(n_checks: int, family_confidence: float = FAMILY_CONFIDENCE) -> float:
    """Bonferroni: the per-check level that makes `n_checks` intervals hold jointly."""
    return 1.0 - (1.0 - family_confidence) / max(n_checks, 1)


def inside(theory: float, low: float, high: float) -> bool:
    """`theory` in [low, high]; a zero-width interval needs an exact match (to round-off)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return False
    slack = EXACT_MATCH_RELATIVE * max(1.0, abs(theory)) if low == high else 0.0
    return low - slack <= theory <= high + slack


def assess(
    observations: Sequence[Observation], family_confidence: float = FAMILY_CONFIDENCE
) -> pd.DataFrame:
    """The validation table: one row per check, judged on simultaneous intervals."""
    level = per_check_confidence(len(observations), family_confidence)
    rows = [_row(obs, level) for obs in observations]
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def _row(obs: Observation, simultaneous_level: float) -> dict[str, object]:
    values = np.asarray(obs.values, dtype=float)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{obs.case}.{obs.metric}: a replication gave a non-finite estimate")
    mean = float(values.mean())
    marginal = t_half_width(values, FAMILY_CONFIDENCE)
    simultaneous = t_half_width(values, simultaneous_level)
    return {
        "case": obs.case,
        "metric": obs.metric,
        "theory": obs.theory,
        "sim_mean": mean,
        "sim_sd": float(values.std(ddof=1)) if len(values) > 1 else math.nan,
        "n": len(values),
        "ci99_low": mean - marginal,
        "ci99_high": mean + marginal,
        "ci99_simultaneous_low": mean - simultaneous,
        "ci99_simultaneous_high": mean + simultaneous,
        "inside_ci99": inside(obs.theory, mean - marginal, mean + marginal),
        "passed": inside(obs.theory, mean - simultaneous, mean + simultaneous),
    }
