"""What `jointduty optimize` prints and writes: the verdict, the staffing, its cost, each target.

The text opens with a plain verdict: the cheapest staffing found meets every target
(confirmed on fresh replications), or the search's choice was not confirmed, or no staffing
within the bounds meets every target (then the closest one is shown). Then every lever by its
label (`station.role[shift]`) with its bounds, the baseline (current staffing) beside the
chosen or closest staffing, the rostered cost per day of both in the scenario's currency, the
simulated staff cost (with overtime), and every target's mean and 95 % CI. A `reproduce:`
line with the overrides for `jointduty run` follows only when the staffing met every target
on the fresh replications. `--out DIR` writes `optimization.json` and `evaluations.csv`
(every staffing the search simulated).
"""

from __future__ import annotations

import math
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sim.config.scenario import JobConfig
from sim.planner.search import Evaluation, Target
from sim.planner.staffing_levers import Lever, apply, as_overrides, currency
from sim.results.files import write_csv, write_json

if TYPE_CHECKING:
    from sim.planner.optimize import Outcome


def format_result(
    job: JobConfig, levers: list[Lever], targets: list[Target], outcome: Outcome
) -> str:
    """The outcome in words: a plain verdict first, then the levers (baseline beside the
    chosen or closest staffing), the costs, every target, and `reproduce:` only for a
    staffing that met every target on the fresh confirmation replications."""
    result, run = outcome.result, job.run
    money = currency(job.scenario)
    lines = [
        f"Staffing for {job.scenario.name} against: " + ", ".join(t.text for t in targets),
        f"search: {len(outcome.evaluations)} staffings simulated, the baseline (current "
        f"staffing) first, on {outcome.n_search} replications each (common random numbers, "
        f"seed {run.seed}); a choice is confirmed on {outcome.n_confirm} fresh replications",
    ]
    if result.unattainable:
        lines.append(
            "UNATTAINABLE within the bounds (missed even with every lever at its upper bound): "
            + "; ".join(_unattainable_text(t, result.ceiling) for t in result.unattainable)
        )
    met = outcome.confirmed_meets(targets)
    shown, column = _shown(outcome, met)
    lines += ["", *_verdict(targets, outcome, met)]
    if shown is None:
        return "\n".join(lines)
    lines += ["", *_lever_lines(levers, outcome, shown.staffing, column), ""]
    lines += _cost_lines(outcome.now, shown, column, money)
    lines += ["", *_target_lines(targets, outcome.now, shown, column)]
    if met:
        chosen = apply(job.scenario, levers, shown.staffing)
        overrides = " ".join(shlex.quote(o) for o in as_overrides(chosen, levers))
        lines += ["", f"reproduce: jointduty run scenario={job.scenario.name} {overrides}"]
    return "\n".join(lines)


def _shown(outcome: Outcome, met: bool) -> tuple[Evaluation | None, str]:
    """The staffing to show beside the baseline, and its column name."""
    if met:
        return outcome.confirmed, "chosen"
    if outcome.confirmed is not None and not outcome.result.unattainable:
        return outcome.confirmed, "searched"
    return outcome.closest, "closest"


def _verdict(targets: list[Target], outcome: Outcome, met: bool) -> list[str]:
    result = outcome.result
    if met:
        text = (
            f"RESULT: the cheapest staffing found meets every target, confirmed on "
            f"{outcome.n_confirm} fresh replications"
        )
        if result.budget_spent:
            text += " (budget spent: more evaluations may find a cheaper one)"
        return [text]
    if outcome.confirmed is not None and not result.unattainable:
        missed = [
            t.kpi for t in targets if not t.met(*outcome.confirmed.stats(t.kpi), outcome.strict)
        ]
        return [
            f"RESULT: not confirmed: the staffing the search chose misses {', '.join(missed)} "
            f"on {outcome.n_confirm} fresh replications (the search's replications flattered "
            "it); search on more (run.replications=...) or use --strict. No staffing is "
            "recommended."
        ]
    lines = ["RESULT: no staffing within the bounds meets every target."]
    if result.budget_spent and not result.unattainable:
        lines.append("(the evaluation budget ran out first: raise --max-evaluations)")
    if outcome.closest is not None:
        lines.append(
            f"The closest one is shown (the least summed shortfall, each target's miss as a "
            f"share of its bound: {outcome.closest.shortfall(targets):.1%}), on the search's "
            f"{outcome.n_search} replications; it is not a recommendation."
        )
    return lines


def _unattainable_text(target: Target, ceiling: Evaluation) -> str:
    mean, low, high = ceiling.stats(target.kpi)
    return f"{target.text} (at the upper bounds: {_num(mean)} [{_num(low)}, {_num(high)}])"


def _lever_lines(
    levers: list[Lever], outcome: Outcome, shown: tuple[int, ...], column: str
) -> list[str]:
    width = max(len(lever.label) for lever in levers) + 2
    lines = [f"{'units on duty':{width}s}{'min':>5s}{'max':>5s}{'baseline':>10s}{column:>10s}"]
    rows = zip(levers, outcome.lower, outcome.upper, outcome.now.staffing, shown, strict=True)
    for lever, lo, hi, n, c in rows:
        mark = "" if n == c else f"  ({c - n:+d})"
        lines.append(f"{lever.label:{width}s}{lo:5d}{hi:5d}{n:10d}{c:10d}{mark}")
    return lines


def _cost_lines(now: Evaluation, shown: Evaluation, column: str, money: str) -> list[str]:
    change = shown.cost_per_day - now.cost_per_day
    share = change / now.cost_per_day if now.cost_per_day else math.nan
    lines = [
        f"rostered staff cost per day ({money}): baseline {now.cost_per_day:,.0f}, {column} "
        f"{shown.cost_per_day:,.0f} ({change:+,.0f}, {share:+.1%})"
    ]
    mean, low, high = shown.stats("staff_cost")
    if math.isfinite(mean):
        lines.append(
            f"simulated staff cost per day with overtime ({money}), {column}: "
            f"{mean:,.0f} [{low:,.0f}, {high:,.0f}]"
        )
    return lines


def _target_lines(
    targets: list[Target], now: Evaluation, shown: Evaluation, column: str
) -> list[str]:
    width = max(len(t.text) for t in targets) + 2
    lines = [f"{'target':{width}s}{'baseline [95% CI]':>26s}{column + ' [95% CI]':>26s}  met"]
    for target in targets:
        n_stats, c_stats = now.stats(target.kpi), shown.stats(target.kpi)
        met = "yes" if target.met(*c_stats) else "NO"
        if target.met(*c_stats) and not target.met(*c_stats, strict=True):
            met += " (CI crosses the bound)"
        lines.append(f"{target.text:{width}s}{_ci(n_stats):>26s}{_ci(c_stats):>26s}  {met}")
    return lines


def _ci(stats: tuple[float, float, float]) -> str:
    mean, low, high = stats
    return f"{_num(mean)} [{_num(low)}, {_num(high)}]"


def _num(value: float) -> str:
    if not math.isfinite(value):
        return "-"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def write_result(
    out_dir: Path, job: JobConfig, levers: list[Lever], targets: list[Target], outcome: Outcome
) -> None:
    """`optimization.json` (bounds, baseline, choice, closest, verdict) and `evaluations.csv`
    (every staffing simulated, the baseline first, one column per lever label)."""
    result = outcome.result
    best = result.best
    chosen = outcome.confirmed or best
    met = outcome.confirmed_meets(targets)
    closest = outcome.closest
    record = {
        "scenario": job.scenario.name,
        "seed": job.run.seed,
        "currency": currency(job.scenario),
        "replications": {"search": outcome.n_search, "confirmation": outcome.n_confirm},
        "targets": [{"kpi": t.kpi, "bound": t.bound, "upper": t.upper} for t in targets],
        "unattainable": [t.kpi for t in result.unattainable],
        "meets_every_target": met,
        "levers": [
            {
                "label": lever.label,
                "station": lever.station,
                "role": lever.role,
                "shift": lever.shift,
                "now": n,
                "lower": lo,
                "upper": hi,
                "chosen": None if best is None else best.staffing[i],
                "closest": None if closest is None else closest.staffing[i],
            }
            for i, (lever, n, lo, hi) in enumerate(
                zip(levers, outcome.now.staffing, outcome.lower, outcome.upper, strict=True)
            )
        ],
        "cost_per_day": {
            "now": outcome.now.cost_per_day,
            "chosen": None if best is None else best.cost_per_day,
            "closest": None if closest is None else closest.cost_per_day,
        },
        "closest_shortfall": None if closest is None else closest.shortfall(targets),
        "budget_spent": result.budget_spent,
        "overrides": as_overrides(apply(job.scenario, levers, best.staffing), levers)
        if met and best is not None
        else [],
        "target_results": [
            {
                "kpi": t.kpi,
                "now": list(outcome.now.stats(t.kpi)),
                "chosen": None if chosen is None else list(chosen.stats(t.kpi)),
                "met": None if chosen is None else t.met(*chosen.stats(t.kpi)),
                "closest": None if closest is None else list(closest.stats(t.kpi)),
            }
            for t in targets
        ],
    }
    write_json(record, out_dir / "optimization.json")
    table = evaluations_table(levers, targets, outcome.evaluations, outcome.now.staffing)
    write_csv(table, out_dir / "evaluations.csv")


def evaluations_table(
    levers: list[Lever],
    targets: list[Target],
    evaluations: list[Evaluation],
    baseline: tuple[int, ...] | None = None,
) -> pd.DataFrame:
    """One row per staffing simulated, in order, with a column per lever (its label)."""
    rows = []
    for order, evaluation in enumerate(evaluations, start=1):
        row: dict[str, object] = {
            "evaluation": order,
            "baseline": evaluation.staffing == baseline,
        }
        row.update({lv.label: c for lv, c in zip(levers, evaluation.staffing, strict=True)})
        row["cost_per_day"] = evaluation.cost_per_day
        row["error"] = evaluation.error
        for target in targets:
            mean, low, high = evaluation.stats(target.kpi)
            row[target.kpi] = mean
            row[f"{target.kpi}_ci_low"], row[f"{target.kpi}_ci_high"] = low, high
        row["meets_all"] = evaluation.meets(targets, strict=False)
        rows.append(row)
    return pd.DataFrame(rows)
