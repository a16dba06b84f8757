"""The cheapest staffing that meets the targets: a greedy search on common random numbers.

Every candidate staffing runs the same replications on the same seed (`Evaluator`), so
candidates see identical incidents and their differences are not noise of the incident
stream (common random numbers). The caller (`sim.planner.optimize`) evaluates the current
staffing first, as the baseline; every later staffing is described by its changes to it
(`staffing_text`, levers by label). The search (`search`) keeps every lever within its
bounds (lower and upper, one pair per lever):

1. **Ceiling.** Every lever at its upper bound. A target this staffing does not meet cannot
   be met within the bounds: it is reported as unattainable and left out of the search.
2. **Start** from the analytic estimate (`sim.planner.staffing_levers.analytic_start`), clipped to
   the bounds.
3. **Climb** while a target is missed: add the one unit that removes the most shortfall per
   unit of cost (if no single unit helps, jump to the ceiling).
4. **Trim** while targets are met: remove the unit that saves the most and still meets
   every target; then try **swaps** (one unit less of a dearer lever, one more of a cheaper
   one). Stop when nothing helps or the evaluation budget is spent.
5. **Best**: the cheapest staffing simulated within the bounds that meets the attainable
   targets (the baseline included). When none meets every target, `closest` names the one
   with the least summed relative shortfall.

The cost ranked is the rostered staff cost per day
(`sim.planner.staffing_levers.staff_cost_per_day`), which is exact; the simulated `staff_cost`
(with overtime) is reported beside it.

Targets (`target.<kpi>=<bound>`) bound one KPI of the replications table (docs/results.md),
e.g. `target.response_min_p90_prio1=15` (at most 15 minutes) or
`target.settled_same_day_share=0.6` (at least 60 % of matters settled the day they began). The
direction follows the KPI: shares of good outcomes (`settled_same_day_share`,
`settled_within_7d_share`, `call_closed_same_day_share`, `call_settled_share`, and their
per-area versions) must be at least the bound, everything else (times, waits, costs, repeat
calls) at most; a leading `>=` or `<=` sets it explicitly (`target.joint_share=>=0.3`). A
target is *met* when the mean over replications is on the right side of the bound, or, with
`strict`, when the whole 95 % confidence interval is. Its *shortfall* is how far the mean
misses, relative to the bound, so that targets in different units can be added up. """

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pandas as pd

from sim.analysis.kpis import summarise
from sim.config.checks import check_scenario
from sim.config.scenario import RunConfig, ScenarioConfig
from sim.config.schema import ConfigError
from sim.experiment.executor import run_tasks
from sim.experiment.replications import kpis_of_replication
from sim.planner.staffing_levers import Lever, Staffing, apply, staff_cost_per_day

TARGET_PREFIX = "target."
HIGHER_IS_BETTER_SUFFIXES = (
    "same_day_share",
    "call_settled_share",
    "settled_within_7d_share",
)


@dataclass(frozen=True)
class Target:
    """A bound on one KPI: at most (`upper`) or at least (not `upper`)."""

    kpi: str
    bound: float
    upper: bool

    @property
    def text(self) -> str:
        return f"{self.kpi} {'<=' if self.upper else '>='} {self.bound:g}"

    def met(self, mean: float, ci_low: float, ci_high: float, strict: bool = False) -> bool:
        if not math.isfinite(mean):
            return False
        if strict and math.isfinite(ci_low) and math.isfinite(ci_high):
            return ci_high <= self.bound if self.upper else ci_low >= self.bound
        return mean <= self.bound if self.upper else mean >= self.bound

    def shortfall(self, mean: float) -> float:
        """How far the mean misses the bound, relative to the bound (0 when met)."""
        if not math.isfinite(mean):
            return math.inf
        miss = mean - self.bound if self.upper else self.bound - mean
        return max(0.0, miss) / max(abs(self.bound), 1e-9)


def split_targets(args: Iterable[str]) -> tuple[list[Target], list[str]]:
    """The `target.*` arguments as targets, and the other arguments as they were."""
    targets, rest = [], []
    for arg in args:
        if arg.startswith(TARGET_PREFIX):
            targets.append(parse_target(arg))
        else:
            rest.append(arg)
    return targets, rest


def parse_target(arg: str) -> Target:
    key, _, text = arg.partition("=")
    kpi = key[len(TARGET_PREFIX) :]
    if not kpi or not text:
        raise ConfigError(key or arg, text or None, "write target.<kpi>=<bound>")
    upper = not kpi.endswith(HIGHER_IS_BETTER_SUFFIXES)
    if text.startswith(("<=", ">=")):
        upper, text = text.startswith("<="), text[2:]
    try:
        bound = float(text)
    except ValueError:
        raise ConfigError(key, text, "must be a number, optionally after <= or >=") from None
    if not math.isfinite(bound):
        raise ConfigError(key, text, "must be a finite number")
    return Target(kpi, bound, upper)


def check_kpis(targets: list[Target], known: Iterable[str]) -> None:
    """Every target must name a KPI of the replications table."""
    names = list(known)
    for target in targets:
        if target.kpi not in names:
            raise ConfigError(
                f"target.{target.kpi}", target.bound, "unknown KPI; KPIs: " + ", ".join(names)
            )


@dataclass(frozen=True)
class Evaluation:
    """One staffing's rostered cost and KPI summary (or why it is not a valid scenario)."""

    staffing: Staffing
    cost_per_day: float
    summary: pd.DataFrame | None  # metric, mean, sd, ci_low, ci_high, n
    error: str | None = None

    def stats(self, kpi: str) -> tuple[float, float, float]:
        if self.summary is None:
            return (math.nan, math.nan, math.nan)
        rows = self.summary[self.summary["metric"] == kpi]
        if rows.empty:
            return (math.nan, math.nan, math.nan)
        row = rows.iloc[0]
        return (float(row["mean"]), float(row["ci_low"]), float(row["ci_high"]))

    def meets(self, targets: list[Target], strict: bool) -> bool:
        return self.summary is not None and all(t.met(*self.stats(t.kpi), strict) for t in targets)

    def shortfall(self, targets: list[Target]) -> float:
        return sum(t.shortfall(self.stats(t.kpi)[0]) for t in targets)


class Evaluator:
    """Runs candidate staffings on fixed replications (CRN) and remembers the results."""

    def __init__(
        self,
        scenario: ScenarioConfig,
        run: RunConfig,
        levers: list[Lever],
        replications: range,
        report: Callable[[Evaluation, Evaluator], None] | None = None,
    ) -> None:
        self.scenario, self.run, self.levers = scenario, run, levers
        self.replications = replications
        self.report = report
        self.cache: dict[Staffing, Evaluation] = {}
        self.baseline: Staffing | None = None  # the current staffing, once evaluated first

    def describe(self, staffing: Staffing) -> str:
        """A staffing in words: every lever `label=count`, or only the levers that differ from
        the baseline (`label=count (+1)`), or `baseline (current staffing)`."""
        return staffing_text(self.levers, staffing, self.baseline)

    @property
    def n_evaluations(self) -> int:
        return len(self.cache)

    def price(self, staffing: Staffing) -> float:
        """The rostered cost per day of a staffing (no simulation)."""
        return staff_cost_per_day(apply(self.scenario, self.levers, staffing))

    def __call__(self, staffing: Staffing) -> Evaluation:
        if staffing not in self.cache:
            self.cache[staffing] = self._evaluate(staffing)
            if self.report is not None:
                self.report(self.cache[staffing], self)
        return self.cache[staffing]

    def _evaluate(self, staffing: Staffing) -> Evaluation:
        variant = apply(self.scenario, self.levers, staffing)
        cost = staff_cost_per_day(variant)
        try:
            check_scenario(variant)
        except ConfigError as error:
            return Evaluation(staffing, cost, None, str(error))
        tasks = [(variant, self.run, r) for r in self.replications]
        kpis = run_tasks(kpis_of_replication, tasks, self.run.n_workers)
        rows = [{"replication": r, **k} for r, k in zip(self.replications, kpis, strict=True)]
        return Evaluation(staffing, cost, summarise(pd.DataFrame(rows)))


def staffing_text(levers: list[Lever], staffing: Staffing, baseline: Staffing | None) -> str:
    """`label=count` for every lever, or only for those that differ from `baseline`."""
    if baseline is None:
        return ", ".join(f"{lv.label}={n}" for lv, n in zip(levers, staffing, strict=True))
    if staffing == baseline:
        return "baseline (current staffing)"
    changes = [
        f"{lever.label}={n} ({n - b:+d})"
        for lever, n, b in zip(levers, staffing, baseline, strict=True)
        if n != b
    ]
    return "baseline with " + ", ".join(changes)


def closest(evaluations: Iterable[Evaluation], targets: list[Target]) -> Evaluation | None:
    """The valid evaluation nearest to meeting every target: the least summed relative
    shortfall (`Target.shortfall`: how far each mean misses its bound, as a share of the
    bound), the cheaper one on a tie."""
    valid = [e for e in evaluations if e.summary is not None]
    return min(valid, key=lambda e: (e.shortfall(targets), e.cost_per_day), default=None)


@dataclass
class SearchResult:
    """What the search found, and everything it needed to get there."""

    best: Evaluation | None
    start: Evaluation
    ceiling: Evaluation
    active: list[Target]
    unattainable: list[Target]
    budget_spent: bool = False
    steps: list[str] = field(default_factory=list)


class BudgetSpent(Exception):
    """The evaluation budget is used up."""


def search(
    evaluate: Evaluator,
    targets: list[Target],
    start: Staffing,
    lower: Staffing,
    upper: Staffing,
    *,
    strict: bool = False,
    max_evaluations: int = 40,
) -> SearchResult:
    """Climb to a staffing that meets the attainable targets, then trim it (see module)."""
    ceiling = evaluate(upper)
    if ceiling.summary is None:
        raise ConfigError(
            "staffing bounds", list(upper), f"the ceiling is invalid: {ceiling.error}"
        )
    active = [t for t in targets if t.met(*ceiling.stats(t.kpi), strict)]
    unattainable = [t for t in targets if t not in active]
    point = tuple(min(max(c, lo), hi) for c, lo, hi in zip(start, lower, upper, strict=True))
    result = SearchResult(None, evaluate(point), ceiling, active, unattainable)
    if not active:
        return result
    feasible = lambda e: e.meets(active, strict)  # noqa: E731
    budgeted = _Budgeted(evaluate, max_evaluations)
    current = result.start
    try:
        current = _climb(budgeted, current, active, feasible, upper, result.steps)
        result.best = current
        current = _trim(budgeted, current, feasible, lower, upper, result.steps)
        result.best = current
    except BudgetSpent:
        result.budget_spent = True
    # The cheapest feasible staffing simulated within the bounds (the baseline among them):
    # the climb and trim end in a local optimum, which need not be the cheapest one seen.
    found = [
        e
        for e in evaluate.cache.values()
        if e.summary is not None and feasible(e) and _within(e.staffing, lower, upper)
    ]
    result.best = min(found, key=lambda e: e.cost_per_day, default=None)
    return result


def _within(staffing: Staffing, lower: Staffing, upper: Staffing) -> bool:
    return all(lo <= n <= hi for n, lo, hi in zip(staffing, lower, upper, strict=True))


class _Budgeted:
    """The evaluator, but raising `BudgetSpent` instead of running one evaluation too many."""

    def __init__(self, evaluate: Evaluator, max_evaluations: int) -> None:
        self.evaluate, self.max_evaluations = evaluate, max_evaluations

    def __call__(self, staffing: Staffing) -> Evaluation:
        evaluate = self.evaluate
        if staffing not in evaluate.cache and evaluate.n_evaluations >= self.max_evaluations:
            raise BudgetSpent
        return evaluate(staffing)

    def price(self, staffing: Staffing) -> float:
        return self.evaluate.price(staffing)

    def describe(self, staffing: Staffing) -> str:
        return self.evaluate.describe(staffing)


Feasible = Callable[[Evaluation], bool]


def _climb(
    evaluate: _Budgeted,
    current: Evaluation,
    active: list[Target],
    feasible: Feasible,
    upper: Staffing,
    steps: list[str],
) -> Evaluation:
    """Add single units, best shortfall reduction per cost first, until feasible."""
    while not feasible(current):
        options = []
        for index in range(len(current.staffing)):
            if current.staffing[index] < upper[index]:
                candidate = evaluate(_step(current.staffing, index, +1))
                gain = current.shortfall(active) - candidate.shortfall(active)
                extra = max(candidate.cost_per_day - current.cost_per_day, 1e-9)
                if candidate.summary is not None and gain > 0:
                    options.append((gain / extra, -candidate.cost_per_day, index, candidate))
        if not options:
            steps.append("climb: no single unit helps; jumping to the ceiling")
            return evaluate(upper)
        _ratio, _cost, index, current = max(options, key=lambda o: o[:3])
        steps.append(f"climb: +1 on {evaluate.evaluate.levers[index].label}")
    return current


def _trim(
    evaluate: _Budgeted,
    current: Evaluation,
    feasible: Feasible,
    lower: Staffing,
    upper: Staffing,
    steps: list[str],
) -> Evaluation:
    """Remove units (then swap units) while every target stays met and the cost falls."""
    while True:
        saving = {
            m: current.cost_per_day - evaluate.price(m)
            for m in _moves(current.staffing, lower, upper)
        }
        cheaper = [m for m in saving if saving[m] > 1e-9]
        for move in sorted(cheaper, key=lambda m: saving[m], reverse=True):
            candidate = evaluate(move)
            if feasible(candidate):
                steps.append(
                    f"trim: {evaluate.describe(current.staffing)} -> "
                    f"{evaluate.describe(candidate.staffing)}"
                )
                current = candidate
                break
        else:
            return current


def _moves(staffing: Staffing, lower: Staffing, upper: Staffing) -> list[Staffing]:
    """One unit less somewhere; then one unit less somewhere and one more elsewhere."""
    n = len(staffing)
    fewer = [_step(staffing, i, -1) for i in range(n) if staffing[i] > lower[i]]
    swaps = [
        _step(_step(staffing, i, -1), j, +1)
        for i, j in itertools.permutations(range(n), 2)
        if staffing[i] > lower[i] and staffing[j] < upper[j]
    ]
    return fewer + swaps


def _step(staffing: Staffing, index: int, delta: int) -> Staffing:
    counts = list(staffing)
    counts[index] += delta
    return tuple(counts)
