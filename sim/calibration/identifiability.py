"""Identifiability: which values the published figures pin down, and what rests on the others.

The six fitted figures fit six values (`sim.calibration.search`). Others are assumed,
and the fitted values are residuals of those assumptions: with another share of matters
settled without the right agency, another repeat delay or another deterrence radius, the same
figures fit with other values, and the conclusions may move. So each unpinned value is varied
one at a time over a declared plausible range, the six values are fitted again (a quick fit
on common random numbers), and the table shows how the fitted values and the headline
conclusions (time to settlement p90 and same-day settlement, before and after) move with it.

The declared ranges (no published figure speaks to any of them):
- share settled without the right agency (`p_settled_without`, every type): x0.8 and x1.2,
  +-20 % around the assumed 0.55 (disputes) and 0.45 (municipal, market);
- repeat delay (`repeat_delay` median and p90, every type): x0.5 and x2, days to weeks;
- deterrence radius of the joint-duty station: 1.5 and 2.5 km around the assumed 2 km (the
  published area is the 2 km circle; presence reaches some streets, not the whole town);
- scale of prevention from presence (`prevention.effects.<patrol, grid_visits>`): `p_max`
  0.2 and 0.6 around the assumed 0.4, and the half-saturation dose x0.5 and x2 around the
  assumed 4 staff-hours per km2 per day (the literature gives the shape and a small size, not
  these numbers); the station-kind deterrence, fitted, takes up the rest of the -33 %;
- time of an agency office's desk task before the reform (`desk_work.<role>.handling` median
  and p90, the three offices): x0.5 and x2 around the assumed median 1 h, p90 3 h. The caseload
  is refitted to the same median turnaround, so this moves the queue's shape, not its median.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from sim.calibration.notes import presence_share
from sim.calibration.published import AFTER, BEFORE, Kpis
from sim.calibration.search import Evaluation, FitPoint, SearchSettings, fit
from sim.config.scenario import ScenarioConfig
from sim.config.shipped import ComposeJob

Note = Callable[[str], None]
IDENTIFIABILITY_INTRO = """# Identifiability of the calibration

Written by `jointduty calibrate --identifiability`.

The published figures (and the LA 311 turnaround) pin down the six fitted values (call rate,
the agency offices' caseload, unsettled factor s, deterrence factor, the two joint-operation
rates) only given the values assumed below. Each row fits the six again with one assumed value
moved to an end of its declared range (module docstring of sim/calibration/identifiability.py);
the last columns show the conclusions.
"""
IDENTIFIABILITY = SearchSettings(replications=8, horizon_days=91.0, max_steps=5)
CONCLUSIONS = (  # (label, metric, scale): a KPI before and after, in the unit shown
    ("settlement p90 (h)", "settle_min_p90", 1 / 60),
    ("settled same day", "settled_same_day_share", 1.0),
    ("repeat calls a day", "repeat_calls_per_day", 1.0),
)


@dataclass(frozen=True)
class Variation:
    """One unpinned value at one setting: its label and the overrides that set it."""

    parameter: str
    setting: str
    overrides: tuple[str, ...]
    p_without_scale: float = 1.0
    before_only: tuple[str, ...] = ()  # overrides of keys only the before scenario has


def variations(scenario: ScenarioConfig) -> list[Variation]:
    """The baseline and each unpinned value at both ends of its declared range."""
    roots = {n: t.root_cause for n, t in scenario.incident_types.items() if t.root_cause}
    rows = [Variation("(assumed values)", "as shipped", ())]
    for scale in (0.8, 1.2):
        overrides = tuple(
            f"{_root_key(name)}.p_settled_without={root.p_settled_without * scale:.4f}"
            for name, root in roots.items()
        )
        rows.append(Variation("share settled without the agency", f"x{scale:g}", overrides, scale))
    for scale in (0.5, 2.0):
        overrides = tuple(
            f"{_root_key(name)}.repeat_delay.{key}={getattr(root.repeat_delay, key) * scale:g}"
            for name, root in roots.items()
            for key in ("median_min", "p90_min")
        )
        rows.append(Variation("repeat delay", f"x{scale:g}", overrides))
    for radius_km in (1.5, 2.5):
        overrides = (f"deterrence.joint_duty.radius_km={radius_km:g}",)
        rows.append(Variation("deterrence radius", f"{radius_km:g} km", overrides))
    effects = scenario.prevention.effects
    for p_max in (0.2, 0.6):
        overrides = tuple(f"prevention.effects.{name}.p_max={p_max:g}" for name in effects)
        rows.append(Variation("presence: largest share preventable", f"{p_max:g}", overrides))
    for scale in (0.5, 2.0):
        overrides = tuple(
            f"prevention.effects.{name}.dose_half_h_per_km2_day="
            f"{effect.dose_half_h_per_km2_day * scale:g}"
            for name, effect in effects.items()
        )
        rows.append(Variation("presence: half-saturation dose", f"x{scale:g}", overrides))
    for scale in (0.5, 2.0):
        before_only = tuple(
            f"stations.{office}.desk_work.{role}.handling.{key}={value * scale:g}"
            for office, role in OFFICE_DESKS
            for key, value in (("median_min", 60.0), ("p90_min", 180.0))
        )
        rows.append(Variation("agency desk task time", f"x{scale:g}", (), 1.0, before_only))
    return rows


OFFICE_DESKS = (  # the before scenario's agency offices and the role at each desk
    ("street_office", "enforcement"),
    ("market_office", "market_regulation"),
    ("mediation_committee", "mediator"),
)


@dataclass(frozen=True)
class IdentifiabilityRow:
    variation: Variation
    evaluation: Evaluation


def run_identifiability(
    start: FitPoint,
    p_without: Mapping[str, float],
    scenario: ScenarioConfig,
    compose_job: ComposeJob,
    settings: SearchSettings = IDENTIFIABILITY,
    note: Note = print,
) -> list[IdentifiabilityRow]:
    """A quick fit for the baseline and for every variation, from the shipped point (the
    scenarios composed by `compose_job`)."""
    rows = []
    for variation in variations(scenario):
        note(f"identifiability: {variation.parameter} {variation.setting}")
        scaled = {name: p * variation.p_without_scale for name, p in p_without.items()}
        varied = replace(
            settings,
            extra_overrides=variation.overrides,
            extra_before_overrides=variation.before_only,
        )
        evaluation = fit(start, scaled, varied, lambda _: None, compose_job)
        rows.append(IdentifiabilityRow(variation, evaluation))
    return rows


def format_identifiability(rows: list[IdentifiabilityRow]) -> str:
    """The table: fitted values and conclusions (before -> after) per variation, markdown."""
    head = ["unpinned value", "setting", "converged", "per_day", "caseload", "unsettled s",
            "deterrence factor", "p joint med.", "p joint enf."]  # fmt: skip
    head += [label + ", before -> after" for label, _, _ in CONCLUSIONS]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for row in rows:
        point, runs = row.evaluation.point, row.evaluation.runs
        cells = [
            row.variation.parameter,
            row.variation.setting,
            "yes" if row.evaluation.converged else "NO",
            f"{point.per_day:.2f}",
            f"{point.desk_per_staff_day:.3f}",
            f"{point.unsettled_factor:.3f}",
            f"{point.deterrence_factor:.3f}",
            f"{point.p_joint_mediation:.4f}",
            f"{point.p_joint_enforcement:.4f}",
        ]
        for _label, metric, scale in CONCLUSIONS:
            before, after = _mean(runs[BEFORE], metric), _mean(runs[AFTER], metric)
            cells.append(f"{before * scale:.3g} -> {after * scale:.3g}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summarise_identifiability(rows: list[IdentifiabilityRow]) -> str:
    """In words: how far the fitted deterrence and the conclusions move over the rows, and
    which rows could not be fitted (a published figure out of reach with that assumption)."""
    prevented = [1.0 - r.evaluation.point.deterrence_factor for r in rows]
    presence = [presence_share(r.evaluation.runs) for r in rows]
    presence = [p for p in presence if np.isfinite(p)]
    ratios = [
        _mean(r.evaluation.runs[AFTER], "settle_min_p90")
        / _mean(r.evaluation.runs[BEFORE], "settle_min_p90")
        for r in rows
    ]
    gains = [
        _mean(r.evaluation.runs[AFTER], "settled_same_day_share")
        - _mean(r.evaluation.runs[BEFORE], "settled_same_day_share")
        for r in rows
    ]
    failed = [f"{r.variation.parameter} {r.variation.setting}" for r in rows
              if not r.evaluation.converged]  # fmt: skip
    text = (
        f"Across the rows, deterrence must prevent {min(prevented):.0%} to {max(prevented):.0%} "
        "of the deterrable calls near the station: that figure rests on the assumed values, "
        "not on the data. "
        + (
            f"Presence (patrols, posts, grid visits) prevents {min(presence):.0%} to "
            f"{max(presence):.0%} of the area's incidents: that part of the -33 % is an outcome "
            "of the staff's hours, the deterrence above is the residual. "
            if presence
            else ""
        )
        + ("In every row" if max(ratios) < 1 and min(gains) > 0 else "NOT in every row")
        + ", settlement is faster after the reform: the 90th percentile of time to settlement "
        f"after is {min(ratios):.0%} to {max(ratios):.0%} of before, and the share settled the "
        f"same day changes by {min(gains) * 100:+.1f} to {max(gains) * 100:+.1f} points."
    )
    if failed:
        text += (
            " Not fitted (a published figure is out of reach with that assumption, the last "
            f"step is shown): {', '.join(failed)}."
        )
    return text


def _root_key(type_name: str) -> str:
    return f"incident_types.{type_name}.root_cause"


def _mean(kpis: Kpis, metric: str) -> float:
    values = np.array([k.get(metric, np.nan) for k in kpis], dtype=float)
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")
