"""The cheapest staffing that meets targets (`jointduty optimize`, `sim.cli.optimize`).

Finds the cheapest staffing (units per role per station, per shift of each roster) that
meets every target, e.g. `target.response_min_p90=20 target.response_min_mean=10`. The
current staffing is evaluated first, as the baseline every later staffing is compared with.
It starts from the analytic estimate (`sim.planner.staffing`), searches with simulation on
common random numbers (`sim.planner.search`), and confirms the choice on fresh replications,
so the reported confidence intervals are not flattered by the search having picked a lucky
point. A target that even the upper bounds cannot meet is reported as unattainable; when no
staffing within the bounds meets every target, the one closest to them is shown
(`sim.planner.search.closest`), and a `reproduce:` line is printed only for a staffing that
met every target on the fresh replications.

Levers are labelled `station.role`, with the shift where the roster has several
(`taozhu_police_station.police[08-16]`). Options: `--roles` / `--stations` (which levers may
change; default all), `--min LEVER=N` / `--max LEVER=N` (one lever, or every shift of
`station.role`), `--min-per-shift` / `--max-per-shift` (every lever; see `lever_bounds`: by
default at least one police officer at every police station in every shift, at most
max(2 x now, now + 2, the estimate)), `--max-evaluations` (budget beyond the baseline,
default 40), `--confirm-replications` (default 10), `--strict` (a target counts as met only
if its whole 95 % CI is), `--out DIR` (optimization.json and evaluations.csv), `--optuna N`
(N trials of the Hydra Optuna sweeper instead, `sim.sweep.optuna_search`).
"""

from __future__ import annotations

import argparse
import sys

from sim.config.scenario import JobConfig, ScenarioConfig
from sim.config.schema import ConfigError
from sim.planner.search import Evaluation, Evaluator, SearchResult, Target, closest, search
from sim.planner.staffing_levers import (
    Lever,
    Staffing,
    analytic_start,
    currency,
    current_staffing,
    default_minimums,
    levers_of,
)


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
    """The search result, the baseline (current staffing), the confirmation run, and the
    staffing closest to the targets when none meets them all."""

    def __init__(
        self,
        result: SearchResult,
        now: Evaluation,
        confirmed: Evaluation | None,
        bounds: tuple[Staffing, Staffing],
        evaluations: list[Evaluation],
        replications: tuple[int, int],
        closest: Evaluation | None = None,
        strict: bool = False,
    ) -> None:
        self.result, self.now, self.confirmed = result, now, confirmed
        self.lower, self.upper = bounds
        self.evaluations = evaluations
        self.n_search, self.n_confirm = replications
        self.closest = closest
        self.strict = strict

    def confirmed_meets(self, targets: list[Target]) -> bool:
        """True only if the chosen staffing met every target on the fresh replications."""
        return (
            not self.result.unattainable
            and self.confirmed is not None
            and self.confirmed.meets(targets, self.strict)
        )


def optimise(
    job: JobConfig, targets: list[Target], levers: list[Lever], options: argparse.Namespace
) -> Outcome:
    """Bounds, the baseline (current staffing) first, analytic start, CRN search, then
    confirmation on fresh replications."""

    scenario, run = job.scenario, job.run
    assert isinstance(run.replications, int)
    now, start, lower, upper = bounds_and_start(job, levers, options)
    evaluator = Evaluator(scenario, run, levers, range(run.replications), _progress(targets))
    evaluator.baseline = now
    evaluator(now)  # the baseline: every later staffing is shown as changes to it
    result = search(
        evaluator,
        targets,
        start,
        lower,
        upper,
        strict=options.strict,
        max_evaluations=options.max_evaluations + 1,  # the baseline is not the search's
    )
    return conclude(
        evaluator,
        result,
        now,
        (lower, upper),
        options.confirm_replications,
        targets,
        options.strict,
    )


def conclude(
    evaluator: Evaluator,
    result: SearchResult,
    now: Staffing,
    bounds: tuple[Staffing, Staffing],
    n_confirm: int,
    targets: list[Target] | None = None,
    strict: bool = False,
) -> Outcome:
    """The outcome of a search: the staffing now beside the best one found, which is run
    again on `n_confirm` fresh replications (the search chose it on its own replications, so
    their numbers flatter it), and the staffing closest to `targets` (all of them, by
    `sim.planner.search.closest`)."""
    n_search = len(evaluator.replications)
    if evaluator.baseline is None:
        evaluator.baseline = now
    current = evaluator(now)
    confirmed = None
    if result.best is not None:
        fresh = range(n_search, n_search + n_confirm)
        confirmed = Evaluator(evaluator.scenario, evaluator.run, evaluator.levers, fresh)(
            result.best.staffing
        )
    evaluations = list(evaluator.cache.values())
    targets = result.active + result.unattainable if targets is None else targets
    nearest = closest(evaluations, targets)
    return Outcome(
        result,
        current,
        confirmed,
        bounds,
        evaluations,
        (n_search, n_confirm),
        closest=nearest,
        strict=strict,
    )


def bounds_and_start(
    job: JobConfig, levers: list[Lever], options: argparse.Namespace
) -> tuple[Staffing, Staffing, Staffing, Staffing]:
    """The staffing now, the analytic start (within the bounds), and the lower and upper
    bounds (`lever_bounds`)."""
    from sim.planner.staffing import StaffingTarget, estimate

    now = current_staffing(job.scenario, levers)
    table = estimate(job.scenario, StaffingTarget(options.wait_min, options.service_level))
    raw_start = analytic_start(job.scenario, levers, table, tuple(0 for _ in levers))
    lower, upper = lever_bounds(job.scenario, levers, now, raw_start, options)
    start = tuple(min(max(s, lo), hi) for s, lo, hi in zip(raw_start, lower, upper, strict=True))
    print(_plan_text(levers, now, start, lower, upper, job.run.replications), file=sys.stderr)
    return now, start, lower, upper


def lever_bounds(
    scenario: ScenarioConfig,
    levers: list[Lever],
    now: Staffing,
    start: Staffing,
    options: argparse.Namespace,
) -> tuple[Staffing, Staffing]:
    """Each lever's fewest and most units.

    Lower: `--min-per-shift` (default 0) but at least `default_minimums` (one police officer
    at every police station in every shift); `--min LEVER=N` sets one lever or, with
    `station.role`, every shift of that entry (it may also lower a default). Upper:
    `--max-per-shift`, else max(2 x now, now + 2, the analytic start, the lower bound);
    `--max LEVER=N` as `--min`. A lower bound above an upper one is a config error.
    """
    lower = [max(options.min_per_shift, d) for d in default_minimums(scenario, levers)]
    explicit_max = getattr(options, "max_per_shift", None)
    upper = [
        explicit_max if explicit_max is not None else max(2 * c, c + 2, s)
        for c, s in zip(now, start, strict=True)
    ]
    for spec in getattr(options, "min", None) or []:
        for index, count in _lever_spec(spec, "--min", levers):
            lower[index] = count
    pinned = [explicit_max is not None] * len(levers)
    for spec in getattr(options, "max", None) or []:
        for index, count in _lever_spec(spec, "--max", levers):
            upper[index], pinned[index] = count, True
    for index, lever in enumerate(levers):
        if upper[index] < lower[index]:
            if pinned[index]:
                raise ConfigError(
                    f"bounds of {lever.label}",
                    [lower[index], upper[index]],
                    "need min <= max (set them with --min/--max LEVER=N)",
                )
            upper[index] = lower[index]
    return tuple(lower), tuple(upper)


def _lever_spec(spec: str, key: str, levers: list[Lever]) -> list[tuple[int, int]]:
    """(lever index, count) for `station.role=N` (every shift) or `station.role[shift]=N`."""
    name, sep, text = spec.partition("=")
    allowed = "write LEVER=N with N >= 0, LEVER one of: " + ", ".join(
        dict.fromkeys([lv.unit for lv in levers] + [lv.label for lv in levers])
    )
    try:
        count = int(text)
    except ValueError:
        count = -1
    if not sep or count < 0:
        raise ConfigError(key, spec, allowed)
    matches = [i for i, lv in enumerate(levers) if name.strip() in (lv.label, lv.unit)]
    if not matches:
        raise ConfigError(key, spec, allowed)
    return [(i, count) for i in matches]


def _plan_text(
    levers: list[Lever],
    now: Staffing,
    start: Staffing,
    lower: Staffing,
    upper: Staffing,
    n_replications: int,
) -> str:
    width = max(len(lever.label) for lever in levers) + 2
    lines = [
        f"searching {len(levers)} levers on {n_replications} replications (CRN); "
        "the baseline (current staffing) is evaluated first:",
        f"  {'lever':{width}s}{'now':>5s}{'start':>7s}{'min':>5s}{'max':>5s}",
    ]
    lines += [
        f"  {lever.label:{width}s}{c:5d}{s:7d}{lo:5d}{hi:5d}"
        for lever, c, s, lo, hi in zip(levers, now, start, lower, upper, strict=True)
    ]
    return "\n".join(lines)


def _progress(targets: list[Target]):  # type: ignore[no-untyped-def]
    count = [0]

    def show(evaluation: Evaluation, evaluator: Evaluator) -> None:
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
            f"evaluation {count[0]}: {evaluator.describe(evaluation.staffing)}; "
            f"cost {evaluation.cost_per_day:,.0f} {currency(evaluator.scenario)}/day; {state}",
            file=sys.stderr,
            flush=True,
        )

    return show
