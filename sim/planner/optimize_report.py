"""What `jointduty optimize` prints and writes: the chosen staffing, its cost, each target.

The text shows every lever now and chosen, the rostered cost per day before and after, the
simulated staff cost (with overtime) and every target's mean and 95 % CI for the current
staffing (search replications) and for the chosen one (fresh confirmation replications),
the targets no staffing within the bounds can meet, and the overrides that reproduce the
choice with `jointduty run`. `--out DIR` writes `optimization.json` and `evaluations.csv`
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
from sim.planner.staffing_levers import Lever, apply, as_overrides
from sim.results.files import write_csv, write_json

if TYPE_CHECKING:
    from sim.planner.optimize import Outcome


def format_result(
    job: JobConfig, levers: list[Lever], targets: list[Target], outcome: Outcome
) -> str:
    result, run = outcome.result, job.run
    best = result.best
    lines = [
        f"Cheapest staffing for {job.scenario.name} meeting: " + ", ".join(t.text for t in targets),
        f"search: {len(outcome.evaluations)} staffings simulated on {outcome.n_search} "
        f"replications each (common random numbers, seed {run.seed}); the choice confirmed "
        f"on {outcome.n_confirm} fresh replications",
    ]
    if result.unattainable:
        lines.append(
            "UNATTAINABLE within the bounds (missed even with every lever at its upper bound): "
            + "; ".join(_unattainable_text(t, result.ceiling) for t in result.unattainable)
        )
    if best is None:
        reason = (
            "the evaluation budget ran out before any staffing met the targets; raise "
            "--max-evaluations"
            if result.budget_spent
            else "no target is attainable within the bounds"
        )
        lines.append(f"no staffing chosen: {reason}")
        return "\n".join(lines)
    if result.budget_spent:
        lines.append(
            "(budget spent: the cheapest staffing found so far; more evaluations may do better)"
        )
    lines += ["", *_lever_lines(levers, outcome.now.staffing, best.staffing), ""]
    lines += _cost_lines(outcome.now, outcome.confirmed or best)
    lines += ["", *_target_lines(targets, outcome.now, outcome.confirmed or best)]
    missed = [
        t.kpi
        for t in result.active
        if outcome.confirmed and not t.met(*outcome.confirmed.stats(t.kpi))
    ]
    if missed:
        lines.append(
            f"note: on fresh replications the choice misses {', '.join(missed)}: the search's "
            "replications flattered it. Search on more (run.replications=...) or use --strict."
        )
    chosen = apply(job.scenario, levers, best.staffing)
    overrides = " ".join(shlex.quote(o) for o in as_overrides(chosen, levers))
    lines += ["", f"reproduce: jointduty run scenario={job.scenario.name} {overrides}"]
    return "\n".join(lines)


def _unattainable_text(target: Target, ceiling: Evaluation) -> str:
    mean, low, high = ceiling.stats(target.kpi)
    return f"{target.text} (at the upper bounds: {_num(mean)} [{_num(low)}, {_num(high)}])"


def _lever_lines(levers: list[Lever], now: tuple[int, ...], chosen: tuple[int, ...]) -> list[str]:
    width = max(len(lever.label) for lever in levers) + 2
    lines = [f"{'units on duty':{width}s}{'now':>5s}{'chosen':>8s}"]
    for lever, n, c in zip(levers, now, chosen, strict=True):
        mark = "" if n == c else f"   ({c - n:+d})"
        lines.append(f"{lever.label:{width}s}{n:5d}{c:8d}{mark}")
    return lines


def _cost_lines(now: Evaluation, chosen: Evaluation) -> list[str]:
    change = chosen.cost_per_day - now.cost_per_day
    share = change / now.cost_per_day if now.cost_per_day else math.nan
    lines = [
        f"rostered staff cost per day: now {now.cost_per_day:,.0f}, chosen "
        f"{chosen.cost_per_day:,.0f} ({change:+,.0f}, {share:+.1%})"
    ]
    mean, low, high = chosen.stats("staff_cost")
    if math.isfinite(mean):
        lines.append(
            "simulated staff cost per day with overtime, chosen: "
            f"{mean:,.0f} [{low:,.0f}, {high:,.0f}]"
        )
    return lines


def _target_lines(targets: list[Target], now: Evaluation, chosen: Evaluation) -> list[str]:
    width = max(len(t.text) for t in targets) + 2
    lines = [f"{'target':{width}s}{'now [95% CI]':>28s}{'chosen [95% CI]':>28s}  met (CI)"]
    for target in targets:
        n_stats, c_stats = now.stats(target.kpi), chosen.stats(target.kpi)
        met = "yes" if target.met(*c_stats) else "NO"
        if target.met(*c_stats) and not target.met(*c_stats, strict=True):
            met += " (CI crosses the bound)"
        lines.append(f"{target.text:{width}s}{_ci(n_stats):>28s}{_ci(c_stats):>28s}  {met}")
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
    result = outcome.result
    best = result.best
    chosen = outcome.confirmed or best
    record = {
        "scenario": job.scenario.name,
        "seed": job.run.seed,
        "replications": {"search": outcome.n_search, "confirmation": outcome.n_confirm},
        "targets": [{"kpi": t.kpi, "bound": t.bound, "upper": t.upper} for t in targets],
        "unattainable": [t.kpi for t in result.unattainable],
        "levers": [
            {
                "label": lever.label,
                "station": lever.station,
                "role": lever.role,
                "shift": lever.shift,
                "now": n,
                "lower": lo,
                "upper": hi,
                "chosen": None if best is None else c,
            }
            for lever, n, lo, hi, c in zip(
                levers,
                outcome.now.staffing,
                outcome.lower,
                outcome.upper,
                best.staffing if best else outcome.now.staffing,
                strict=True,
            )
        ],
        "cost_per_day": {
            "now": outcome.now.cost_per_day,
            "chosen": None if best is None else best.cost_per_day,
        },
        "budget_spent": result.budget_spent,
        "overrides": []
        if best is None
        else as_overrides(apply(job.scenario, levers, best.staffing), levers),
        "target_results": [
            {
                "kpi": t.kpi,
                "now": list(outcome.now.stats(t.kpi)),
                "chosen": None if chosen is None else list(chosen.stats(t.kpi)),
                "met": None if chosen is None else t.met(*chosen.stats(t.kpi)),
            }
            for t in targets
        ],
    }
    write_json(record, out_dir / "optimization.json")
    write_csv(evaluations_table(levers, targets, outcome.evaluations), out_dir / "evaluations.csv")


def evaluations_table(
    levers: list[Lever], targets: list[Target], evaluations: list[Evaluation]
) -> pd.DataFrame:
    rows = []
    for evaluation in evaluations:
        row: dict[str, object] = {
            lever.label: c for lever, c in zip(levers, evaluation.staffing, strict=True)
        }
        row["cost_per_day"] = evaluation.cost_per_day
        row["error"] = evaluation.error
        for target in targets:
            mean, low, high = evaluation.stats(target.kpi)
            row[target.kpi], row[f"{target.kpi}_ci_low"], row[f"{target.kpi}_ci_high"] = (
                mean,
                low,
                high,
            )
        row["meets_all"] = evaluation.meets(targets, strict=False)
        rows.append(row)
    return pd.DataFrame(rows)
