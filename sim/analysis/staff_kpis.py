"""KPIs of staff and of the joint-duty mechanisms, over one replication's record tables.

Staff: utilisation (busy share of on-duty time, overtime counted as on duty), cost per day,
overtime and volunteer hours per day; and from the units' state intervals
(`sim.model.agents`), how each role's time on duty splits into reactive (jobs), proactive
(patrol, grid walks, posts), counter (desk work done) and waiting time. Mechanisms: repeat calls,
matters settled at their root, deterred incidents, later sessions, an agency's turnaround of
a referral, joint handlings per year (a job served by two or more roles at once) split into
the scenario's joint categories, incidents, repeat calls and same-day share inside each named
area, and the calls presence prevented (by effect and area). Everything is measured
inside the window after warm-up; pure pandas/numpy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config.rosters import on_duty_minutes
from sim.config.scenario import ScenarioConfig

MIN_PER_DAY = 1440.0
MIN_PER_HOUR = 60.0
DAYS_PER_YEAR = 365.0


def _clipped(t_start: pd.Series, t_end: pd.Series, t_from: float, t_to: float) -> np.ndarray:
    return (t_end.clip(t_from, t_to) - t_start.clip(t_from, t_to)).to_numpy()


def on_duty_by_role(scenario: ScenarioConfig, t_from: float, t_to: float) -> dict[str, float]:
    """Rostered unit-minutes on duty per role inside the window (overtime not included)."""
    return {
        role: sum(
            on_duty_minutes(s.staff.get(role, 0), t_from, t_to) for s in scenario.stations.values()
        )
        for role in scenario.roles
    }


def staff_kpis(
    busy: pd.DataFrame,
    overtime: pd.DataFrame,
    scenario: ScenarioConfig,
    *,
    warmup_min: float,
    horizon_min: float,
) -> dict[str, float]:
    """Utilisation per role, staff cost per day, overtime per role and volunteer hours."""
    t_from, t_to = warmup_min, warmup_min + horizon_min
    days = horizon_min / MIN_PER_DAY
    busy_min = _by_role(_clipped(busy["t_start"], busy["t_end"], t_from, t_to), busy["role"])
    extra_min = _by_role(
        _clipped(overtime["t_shift_end"], overtime["t_free"], t_from, t_to), overtime["role"]
    )
    on_duty_min = on_duty_by_role(scenario, t_from, t_to)
    kpis: dict[str, float] = {}
    for role in scenario.roles:
        paid_min = on_duty_min[role] + extra_min.get(role, 0.0)
        kpis[f"utilisation_{role}"] = busy_min.get(role, 0.0) / paid_min if paid_min else np.nan
    kpis["staff_cost"] = (
        sum(
            scenario.roles[role].cost_per_hour * (on_duty_min[role] + extra_min.get(role, 0.0))
            for role in scenario.roles
        )
        / MIN_PER_HOUR
        / days
    )
    for role in scenario.roles:
        kpis[f"overtime_min_{role}"] = extra_min.get(role, 0.0) / days
    volunteers = [r for r, c in scenario.roles.items() if c.is_volunteer]
    kpis["volunteer_hours"] = sum(busy_min.get(r, 0.0) for r in volunteers) / MIN_PER_HOUR / days
    return kpis


TIME_KINDS: dict[str, tuple[str, ...]] = {
    "reactive": ("job",),  # sent to a call or a later session
    "proactive": ("patrol", "grid_walk", "post"),  # the routine's visible work
    "counter": ("counter",),  # desk work done: an office's caseload, a police room's counter
    "waiting": ("station", "desk"),  # free at the station or at the desk
}
"""How the states of `sim.model.agents.STATE_NAMES` add up into kinds of time."""


def time_split_kpis(
    states: pd.DataFrame, scenario: ScenarioConfig, *, warmup_min: float, horizon_min: float
) -> dict[str, float]:
    """`<kind>_share_<role>`: the share of the role's state time in the window spent on each
    kind of `TIME_KINDS` (the four add up to 1 for a role that was on duty; NaN if not)."""
    t_from, t_to = warmup_min, warmup_min + horizon_min
    minutes = _clipped(states["t_start"], states["t_end"], t_from, t_to)
    table = pd.DataFrame(
        {"role": states["role"].astype(str).to_numpy(), "state": states["state"].astype(str)}
    )
    table["minutes"] = minutes
    by_role_state = table.groupby(["role", "state"])["minutes"].sum()
    kpis: dict[str, float] = {}
    for role in scenario.roles:
        of_role = by_role_state.get(role, pd.Series(dtype=float))
        total_min = float(of_role.sum())
        for kind, kind_states in TIME_KINDS.items():
            spent_min = float(of_role.reindex(list(kind_states), fill_value=0.0).sum())
            kpis[f"{kind}_share_{role}"] = spent_min / total_min if total_min else np.nan
    return kpis


def mechanism_kpis(
    incidents: pd.DataFrame,
    jobs: pd.DataFrame,
    scenario: ScenarioConfig,
    *,
    warmup_min: float,
    horizon_min: float,
    n_deterred: int,
) -> dict[str, float]:
    """Repeat calls, settling, deterrence, later sessions and joint handlings."""
    days = horizon_min / MIN_PER_DAY
    is_repeat = incidents["is_repeat"]
    in_window = jobs[(jobs["t_start"] >= warmup_min) & (jobs["t_start"] < warmup_min + horizon_min)]
    joint = in_window[in_window["n_roles"] >= 2]
    kpis: dict[str, float] = {
        "repeat_call_share": float(is_repeat.mean()) if len(incidents) else np.nan,
        "repeat_calls_per_day": float(is_repeat.sum()) / days,
        "call_settled_share": float(incidents["settled"].mean()),
        "deterred_per_day": n_deterred / days,  # by the station-kind deterrence
        "later_sessions_per_day": float((in_window["stage"] > 0).sum()) / days,
        "joint_handlings_per_year": len(joint) / days * DAYS_PER_YEAR,
    }
    if any(s.kind == "referral" for t in scenario.incident_types.values() for s in t.stages):
        kpis.update(referral_kpis(jobs, warmup_min=warmup_min, horizon_min=horizon_min))
    for name, area in scenario.areas.items():
        kpis.update(area_kpis(name, incidents, area.x_km, area.y_km, area.radius_km, days))
    teams = joint["team"].str.split("+")
    for category, roles in scenario.joint_categories.items():
        marked = teams.apply(lambda team, roles=roles: any(m.split("*")[0] in roles for m in team))
        kpis[f"joint_{category}_per_year"] = float(marked.sum()) / days * DAYS_PER_YEAR
    return kpis


def referral_kpis(jobs: pd.DataFrame, *, warmup_min: float, horizon_min: float) -> dict[str, float]:
    """The agencies' turnaround of a referral: from the end of the session that referred the
    matter to the end of the agency's session, for the referrals made in the window. It is
    comparable with a service request's time to close (the LA 311 data's median 79 h, p90
    164 h, 15 % within 24 h): the queue at the office, its hours and the visit itself."""
    ends = jobs.set_index(["incident_id", "stage"])["t_end"]
    referrals = jobs[jobs["kind"] == "referral"]
    made = ends.reindex(
        pd.MultiIndex.from_arrays([referrals["incident_id"], referrals["stage"] - 1])
    ).to_numpy()
    in_window = (made >= warmup_min) & (made < warmup_min + horizon_min)
    turnaround_min = referrals["t_end"].to_numpy()[in_window] - made[in_window]
    if not len(turnaround_min):
        return dict.fromkeys(REFERRAL_KPIS, np.nan)
    return {
        "referral_turnaround_min_median": float(np.quantile(turnaround_min, 0.5)),
        "referral_turnaround_min_p90": float(np.quantile(turnaround_min, 0.9)),
        "referral_within_24h_share": float((turnaround_min <= MIN_PER_DAY).mean()),
    }


REFERRAL_KPIS = (
    "referral_turnaround_min_median",
    "referral_turnaround_min_p90",
    "referral_within_24h_share",
)


def prevention_kpis(
    prevented: pd.DataFrame, scenario: ScenarioConfig, *, horizon_min: float
) -> dict[str, float]:
    """Calls presence prevented (`sim.model.presence`): a day, by effect, and in each area."""
    days = horizon_min / MIN_PER_DAY
    kpis = {"prevented_per_day": len(prevented) / days}
    for effect in scenario.prevention.effects:
        kpis[f"prevented_{effect}_per_day"] = float((prevented["effect"] == effect).sum()) / days
    for name, area in scenario.areas.items():
        inside = _inside(prevented, area.x_km, area.y_km, area.radius_km)
        kpis[f"area_{name}_prevented_per_day"] = float(inside.sum()) / days
    return kpis


def area_kpis(
    name: str, incidents: pd.DataFrame, x_km: float, y_km: float, radius_km: float, days: float
) -> dict[str, float]:
    """Incidents, repeat calls and same-day share of the incidents inside one area."""
    local = incidents[_inside(incidents, x_km, y_km, radius_km)]
    same_day = (local["t_resolved"] // MIN_PER_DAY) == (local["t_arrival"] // MIN_PER_DAY)
    return {
        f"area_{name}_incidents_per_day": len(local) / days,
        f"area_{name}_repeat_calls_per_day": float(local["is_repeat"].sum()) / days,
        f"area_{name}_call_closed_same_day_share": float(same_day.mean()) if len(local) else np.nan,
    }


def _inside(table: pd.DataFrame, x_km: float, y_km: float, radius_km: float) -> pd.Series:
    """Which rows' places (`x_km`, `y_km` columns) lie in the circle."""
    return np.hypot(table["x_km"] - x_km, table["y_km"] - y_km) <= radius_km


def _by_role(minutes: np.ndarray, roles: pd.Series) -> dict[str, float]:
    if not len(minutes):
        return {}
    return {str(k): float(v) for k, v in pd.Series(minutes).groupby(roles.to_numpy()).sum().items()}
