"""Plain-word labels with units for KPI names, for tables and plot axes.

One vocabulary: a KPI keeps its column name in the tables, and the report shows this label
beside it. Names without an entry are read by rule (`_min` means minutes, `prio<k>` means
priority k, `utilisation_<role>` is that role's busy share, and so on).

Times are in minutes everywhere. Money is in the scenario's currency (`currency`: the
scenario's `currency` if it names one, else `CNY`, the currency of every shipped scenario's
`cost_per_hour`). Utilisation has one definition: busy time over time on duty, overtime
counted as on duty (`UTILISATION_DEFINITION`).
"""

from __future__ import annotations

import re

DEFAULT_CURRENCY = "CNY"
UTILISATION_DEFINITION = "busy time / (rostered time + overtime)"

LABELS: dict[str, str] = {
    "n_incidents": "Incidents measured (count)",
    "incidents_per_day": "Incidents per day",
    "wait_min_mean": "Mean wait for a team (minutes)",
    "p_wait": "Share of calls that waited for a team",
    "response_min_mean": "Mean response time (minutes)",
    "response_min_median": "Median response time (minutes)",
    "response_min_p90": "Response time, 90th percentile (minutes)",
    "n_matters": "Matters begun (count)",
    "settle_min_median": "Time to settlement of a matter, median (minutes, Kaplan-Meier)",
    "settle_min_p90": "Time to settlement of a matter, 90th percentile (minutes, Kaplan-Meier)",
    "settled_same_day_share": "Share of matters settled the day of their first call",
    "settled_within_7d_share": "Share of matters settled within 7 days (Kaplan-Meier)",
    "open_after_30d_share": "Share of matters still open after 30 days (Kaplan-Meier)",
    "calls_per_matter": "Calls per matter",
    "referrals_per_matter": "Referral sessions per matter",
    "joint_matter_share": "Share of matters handled jointly at least once",
    "call_close_min_mean": "Mean call close time, not settlement (minutes)",
    "call_close_min_median": "Median call close time, not settlement (minutes)",
    "call_close_min_p90": "Call close time, 90th percentile, not settlement (minutes)",
    "call_closed_same_day_share": "Share of calls closed the same day (not settlement)",
    "joint_share": "Share handled jointly (two or more roles)",
    "staff_cost": "Staff cost per day ({currency})",
    "volunteer_hours": "Volunteer hours per day",
    "later_sessions_per_day": "Follow-up and referral sessions per day",
    "repeat_call_share": "Share of calls that are repeat calls",
    "repeat_calls_per_day": "Repeat calls per day",
    "call_settled_share": "Share of calls (of types with a root cause) that settled their matter",
    "deterred_per_day": "Incidents prevented by a station's kind (static deterrence), per day",
    "prevented_per_day": "Incidents prevented by staff presence, per day",
    "referral_turnaround_min_median": "Agency turnaround of a referral, median (minutes)",
    "referral_turnaround_min_p90": "Agency turnaround of a referral, 90th percentile (minutes)",
    "referral_within_24h_share": "Share of referrals the agency finished within 24 h",
    "joint_handlings_per_year": "Joint handlings per year",
}

RULES: list[tuple[str, str]] = [
    (r"^response_min_mean_prio(\d+)$", r"Mean response time, priority \1 (minutes)"),
    (r"^response_min_p90_prio(\d+)$", r"Response time, 90th percentile, priority \1 (minutes)"),
    (r"^utilisation_(\w+)$", r"Utilisation of \1 (busy / (rostered + overtime))"),
    (r"^overtime_min_(\w+)$", r"Overtime of \1 (minutes per day)"),
    (r"^joint_(\w+)_per_year$", r"Joint handlings with \1, per year"),
    (r"^area_(\w+?)_incidents_per_day$", r"Incidents per day in area \1"),
    (r"^area_(\w+?)_prevented_per_day$", r"Incidents prevented by presence per day in area \1"),
    (r"^prevented_(\w+?)_per_day$", r"Incidents prevented by presence (\1) per day"),
    (r"^reactive_share_(\w+)$", r"Share of \1's time on calls and sessions"),
    (r"^proactive_share_(\w+)$", r"Share of \1's time on patrol, grid walks and posts"),
    (r"^counter_share_(\w+)$", r"Share of \1's time on desk and counter work"),
    (r"^waiting_share_(\w+)$", r"Share of \1's time free at the station or desk"),
    (r"^area_(\w+?)_repeat_calls_per_day$", r"Repeat calls per day in area \1"),
    (r"^area_(\w+?)_call_closed_same_day_share$", r"Share of calls closed the same day in area \1"),
    (r"^area_(\w+?)_settled_same_day_share$", r"Share of matters settled the same day in area \1"),
    (r"^area_(\w+?)_calls_per_matter$", r"Calls per matter in area \1"),
    (r"^settle_min_median_(\w+)$", r"Time to settlement, median, of \1 matters (minutes)"),
    (r"^settled_same_day_share_(\w+)$", r"Share of \1 matters settled the same day"),
    (r"^settled_within_1h_share_(\w+)$", r"Share of \1 matters settled within 1 hour"),
    (r"^settled_within_12h_share_(\w+)$", r"Share of \1 matters settled within 12 hours"),
]

SHARE_SUFFIXES = ("_share", "p_wait")


def currency(scenario: object) -> str:
    """The currency of a scenario's costs: its `currency` if it names one, else CNY."""
    return str(getattr(scenario, "currency", None) or DEFAULT_CURRENCY)


def kpi_label(name: str, currency: str = DEFAULT_CURRENCY) -> str:
    """The KPI in plain words with its unit (money in `currency`)."""
    if name in LABELS:
        return LABELS[name].format(currency=currency)
    for pattern, replacement in RULES:
        if re.match(pattern, name):
            return words(re.sub(pattern, replacement, name))
    return words(name).capitalize()


def words(name: str) -> str:
    """Identifiers to words: `grid_worker` -> `grid worker`."""
    return name.replace("_", " ")


def is_share(name: str) -> bool:
    """KPIs that are shares (shown as percentages)."""
    return name.endswith(SHARE_SUFFIXES) or name.startswith("utilisation_")


def format_value(name: str, value: float) -> str:
    """A KPI value as text: shares as percentages, large numbers with separators."""
    if value != value:  # NaN
        return "-"
    if is_share(name):
        return f"{value:.1%}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:,.1f}"
