"""Matters: a citizen's problem across all its calls, referrals and follow-ups.

A matter begins with its first call (its `matter_id` is that call's incident id) and gathers
every repeat call about it. It is settled when one of its calls is settled at its root (for a
type without a root cause: when its only call is resolved, its last stage done); a matter
still open when the run stops is censored there. The table has one row per matter whose first
call was measured (arrived after the warm-up and was not deterred); a repeat call of a matter
that began in the warm-up is in the incident table but its matter is not in this one.

Columns: `kind` and place (`x_km`, `y_km`) of its first call, `t_first_call`, `t_settled` (NaN
while open), `t_censor` (when the run stopped), `settled`, `settle_min` (to settlement, or to
censoring for an open matter: the duration a survival estimate needs), `settled_same_day`
(settled on the calendar day of its first call), `n_calls`, `n_referrals` (referral sessions),
`n_jobs` (sessions of any kind), `roles` (the roles of all the teams that worked on it, e.g.
`enforcement+police`), `n_roles` and `joint` (at least one session was handled by two or more
roles at once).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_PER_DAY = 1440.0

MATTER_COLUMNS: tuple[str, ...] = (
    "matter_id",
    "kind",
    "x_km",
    "y_km",
    "t_first_call",
    "t_settled",
    "t_censor",
    "settled",
    "settle_min",
    "settled_same_day",
    "n_calls",
    "n_referrals",
    "n_jobs",
    "roles",
    "n_roles",
    "joint",
)


@dataclass(frozen=True)
class CallColumns:
    """Per incident (all of them, warm-up included), indexed by incident id."""

    matter_id: np.ndarray  # int: the id of the matter's first call
    kind: pd.Categorical  # the incident's type
    x_km: np.ndarray
    y_km: np.ndarray
    t_arrival: np.ndarray
    t_resolved: np.ndarray  # NaN while unresolved
    settled: np.ndarray  # 1 settled at its root, 0 not, NaN when the type has no root cause
    roles_seen: np.ndarray  # int bit mask of the roles of all its teams
    measured: np.ndarray  # bool: the call is in the incident table


def matter_table(
    calls: CallColumns,
    jobs: pd.DataFrame,
    role_names: list[str],
    t_stop_min: float,
) -> pd.DataFrame:
    """One row per measured matter, in the order of their first calls' ids."""
    n = len(calls.matter_id)
    matter = calls.matter_id
    first = np.flatnonzero((matter == np.arange(n)) & calls.measured)
    n_calls = np.bincount(matter, minlength=n)
    t_settled = _settlement_times(calls, n)
    roles_seen = np.zeros(n, dtype=np.int64)
    np.bitwise_or.at(roles_seen, matter, calls.roles_seen)
    job_matter = matter[jobs["incident_id"].to_numpy(dtype=np.int64)]
    n_jobs = np.bincount(job_matter, minlength=n)
    is_referral = (jobs["kind"] == "referral").to_numpy()
    n_referrals = np.bincount(job_matter[is_referral], minlength=n)
    is_joint = (jobs["n_roles"] >= 2).to_numpy()
    joint = np.bincount(job_matter[is_joint], minlength=n) > 0
    t_first, t_end = calls.t_arrival[first], t_settled[first]
    settled = np.isfinite(t_end)
    # a few distinct role masks for many matters: label and count each once, then index
    unique_masks, mask_index = np.unique(roles_seen[first], return_inverse=True)
    labels = [_roles_label(int(mask), role_names) for mask in unique_masks]
    n_roles = np.array([bin(int(mask)).count("1") for mask in unique_masks], dtype=np.int16)
    label_order = np.argsort(labels, kind="stable")  # pd.Categorical sorts its categories
    code_of_mask = np.empty(len(labels), dtype=np.int64)
    code_of_mask[label_order] = np.arange(len(labels))
    categories = [labels[i] for i in label_order]
    return pd.DataFrame(
        {
            "matter_id": first.astype(np.int64),
            "kind": calls.kind[first],
            "x_km": calls.x_km[first],
            "y_km": calls.y_km[first],
            "t_first_call": t_first,
            "t_settled": t_end,
            "t_censor": np.full(len(first), t_stop_min),
            "settled": settled,
            "settle_min": np.where(settled, t_end, t_stop_min) - t_first,
            "settled_same_day": settled
            & (np.floor(np.nan_to_num(t_end) / MIN_PER_DAY) == np.floor(t_first / MIN_PER_DAY)),
            "n_calls": n_calls[first].astype(np.int16),
            "n_referrals": n_referrals[first].astype(np.int16),
            "n_jobs": n_jobs[first].astype(np.int16),
            "roles": pd.Categorical.from_codes(code_of_mask[mask_index], categories),
            "n_roles": n_roles[mask_index],
            "joint": joint[first],
        },
        columns=list(MATTER_COLUMNS),
    )


def _settlement_times(calls: CallColumns, n: int) -> np.ndarray:
    """Per matter id: the time the matter was settled (NaN if still open).

    A call settles its matter when it is settled at its root, or, for a type without a root
    cause, when it is resolved. A matter has at most one settling call (a settled matter
    does not call again), so the earliest is the one."""
    settles = (calls.settled == 1.0) | (np.isnan(calls.settled) & np.isfinite(calls.t_resolved))
    t_settled = np.full(n, np.inf)
    rows = np.flatnonzero(settles)
    np.minimum.at(t_settled, calls.matter_id[rows], calls.t_resolved[rows])
    t_settled[np.isinf(t_settled)] = np.nan
    return t_settled


def _roles_label(mask: int, role_names: list[str]) -> str:
    return "+".join(sorted(name for bit, name in enumerate(role_names) if mask >> bit & 1))
