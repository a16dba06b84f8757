"""The cheapest staffing that meets targets (`jointduty optimize`, `sim.cli.optimize`).

Finds the cheapest staffing (units per role per station, per shift of each roster) that meets
every target, e.g. `target.response_min_p90_prio1=15 target.settled_same_day_share=0.6`. It
starts from the analytic estimate (`sim.planner.staffing`), searches with simulation on common
random numbers (`sim.planner.search`), and confirms the choice on fresh replications, so the
reported confidence intervals are not flattered by the search having picked a lucky point. A
target that even the upper bounds cannot meet is reported as unattainable.

Options: `--roles` / `--stations` (which levers may change; default all), `--max-per-shift`
and `--min-per-shift` (bounds; default 0 to max(2 x now, now + 2, the estimate)),
`--max-evaluations` (budget, default 40), `--confirm-replications` (default 10), `--strict`
(a target counts as met only if its whole 95 % CI is), `--out DIR` (optimization.json and
evaluations.csv), `--optuna N` (N trials of the Hydra Optuna sweeper instead,
`sim.sweep.optuna_search`).
"""

from __future__ import annotations

import argparse
import sys

from sim.config.scenario import JobConfig
from sim.config.schema import ConfigError
from sim.planner.search import Evaluation, Evaluator, SearchResult, Target, search
from sim.planner.staffing_levers import Lever, Staffing, analytic_start, current_staffing, levers_of


def kpi_names(job: JobConfig) -> list[str]:
    """The KPI columns of this scenario's replications table (one short replication)."""
    import dataclasses

    from sim.experiment.replications import run_replication

    short = dataclasses.replace(job.run, horizon_days=0.25, warmup_days=0.0)
    return list(run_replication(job.scenario, short, 0)[1])


def fixed_warmup(job: JobConfig) -> JobConfig:
    import dataclasses

    from sim.experiment.replications import choose_warmup

    if job.run.replications == "auto":
        raise ConfigError("run.replications", "auto", "optimize needs a number of replications")
    warmup = choose_warmup(job.scenario, job.run)
    return dataclasses.replace(job, run=dataclasses.replace(job.run, warmup_days=warmup.days))


def levers_for(job: JobConfig, options: argparse.Namespace) -> list[Lever]:
    scenario = job.scenario
    roles = _names(options.roles, "--roles", list(scenario.roles))
    stations = _names(options.stations, "--stations", list(scenario.stations))
    levers = [
        lever
        for lever in levers_of(scenario, roles)
        if stations is None or lever.station in stations
    ]
    if not levers:
        raise ConfigError(
            "--roles/--stations", options.roles or options.stations, "no staff to change"
        )
    return levers


def _names(text: str | None, key: str, allowed: list[str]) -> set[str] | None:
    if text is None:
        return None
    names = {n.strip() for n in text.split(",") if n.strip()}
    unknown = sorted(names - set(allowed))
    if unknown or not names:
        raise ConfigError(key, text, "allowed: " + ", ".join(allowed))
    return names


class Outcome:
    """The search result, the current staffing's evaluation and the confirmation run."""

    def __init__(
        self,
        result: SearchResult,
        now: Evaluation,
        confirmed: Evaluation | None,
        bounds: tuple[Staffing, Staffing],
        evaluations: list[Evaluation],
        replications: tuple[int, int],
    ) -> None:
        self.result, self.now, self.confirmed = result, now, confirmed
        self.lower, self.upper = bounds
        self.evaluations = evaluations
        self.n_search, self.n_confirm = replications


def optimise(
    job: JobConfig, targets: list[Target], levers: list[Lever], options: argparse.Namespace
) -> Outcome:
    """Bounds, analytic start, CRN search, then confirmation on fresh replications."""

    scenario, run = job.scenario, job.run
    assert isinstance(run.replications, int)
    now, start, lower, upper = bounds_and_start(job, levers, options)
    evaluator = Evaluator(scenario, run, levers, range(run.replications), _progress(targets))
    result = search(
        evaluator,
        targets,
        start,
        lower,
        upper,
        strict=options.strict,
        max_evaluations=options.max_evaluations,
    )
    return conclude(evaluator, result, now, (lower, upper), options.confirm_replications)


def conclude(
    evaluator: Evaluator,
    result: SearchResult,
    now: Staffing,
    bounds: tuple[Staffing, Staffing],
    n_confirm: int,
) -> Outcome:
    """The outcome of a search: the staffing now beside the best one found, which is run
    again on `n_confirm` fresh replications (the search chose it on its own replications, so
    their numbers flatter it)."""
    n_search = len(evaluator.replications)
    current = evaluator(now)
    confirmed = None
    if result.best is not None:
        fresh = range(n_search, n_search + n_confirm)
        confirmed = Evaluator(evaluator.scenario, evaluator.run, evaluator.levers, fresh)(
            result.best.staffing
        )
    evaluations = list(evaluator.cache.values())
    return Outcome(result, current, confirmed, bounds, evaluations, (n_search, n_confirm))


def bounds_and_start(
    job: JobConfig, levers: list[Lever], options: argparse.Namespace
) -> tuple[Staffing, Staffing, Staffing, Staffing]:
    """The staffing now, the analytic start, and the lower and upper bounds."""
    from sim.planner.staffing import StaffingTarget, estimate

    now = current_staffing(job.scenario, levers)
    table = estimate(job.scenario, StaffingTarget(options.wait_min, options.service_level))
    start = analytic_start(job.scenario, levers, table)
    lower = tuple(options.min_per_shift for _ in levers)
    upper = tuple(
        options.max_per_shift if options.max_per_shift is not None else max(2 * c, c + 2, s)
        for c, s in zip(now, start, strict=True)
    )
    print(_plan_text(levers, now, start, lower, upper, job.run.replications), file=sys.stderr)
    return now, start, lower, upper


def _plan_text(
    levers: list[Lever],
    now: Staffing,
    start: Staffing,
    lower: Staffing,
    upper: Staffing,
    n_replications: int,
) -> str:
    lines = [f"searching {len(levers)} levers on {n_replications} replications (CRN):"]
    lines += [
        f"  {lever.label:58s} now {c:3d}  analytic start {s:3d}  bounds [{lo}, {hi}]"
        for lever, c, s, lo, hi in zip(levers, now, start, lower, upper, strict=True)
    ]
    return "\n".join(lines)


def _progress(targets: list[Target]):  # type: ignore[no-untyped-def]
    count = [0]

    def show(evaluation: Evaluation) -> None:
        count[0] += 1
        if evaluation.summary is None:
            state = f"invalid: {evaluation.error}"
        else:
            met = [t.met(*evaluation.stats(t.kpi)) for t in targets]
            values = ", ".join(
                f"{t.kpi} {evaluation.stats(t.kpi)[0]:.3g}{'' if m else ' (missed)'}"
                for t, m in zip(targets, met, strict=True)
            )
            state = f"{sum(met)}/{len(targets)} targets met: {values}"
        print(
            f"evaluation {count[0]}: {list(evaluation.staffing)} "
            f"cost {evaluation.cost_per_day:,.0f}/day; {state}",
            file=sys.stderr,
            flush=True,
        )

    return show
