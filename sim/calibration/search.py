"""The search behind `jointduty calibrate`: fitted parameters from published outcomes.

The report gives outcomes, not the parameters behind them. Six parameters are fitted, each to
the outcome it mainly drives (the targets of `sim.calibration.published` are nearly separable):

- `per_day`, the candidate calls a day: 35 incidents a day before the reform, repeats included;
- `desk_per_staff_day`, the agency offices' own caseload before the reform (tasks a day per
  member of staff): the median turnaround of a referral, 78.8 h as in the LA 311 data. The
  turnaround is the office's queue and hours; the caseload is what makes the queue;
- `unsettled_factor` s: repeat calls in the area -70 %. With its root-cause role (mediator,
  enforcement, market regulation) a matter stays unsettled s times as often as without, so
  p_settled_with = 1 - s (1 - p_settled_without) for every type with a root cause;
- `deterrence_factor` of the joint-duty station (radius fixed): incidents in the area -33 %;
- `p_joint_mediation`: 72 joint dispute mediations a year;
- `p_joint_enforcement`: 63 joint law-enforcement operations a year.

Every evaluation runs the same replications on the same seed (common random numbers, CRN), so
the estimates move smoothly with the parameters and the search sees no sampling noise between
steps. The before scenario depends on `per_day` and `desk_per_staff_day` only, so they are solved
first: `per_day` by proportional steps (incidents scale with the call rate), and inside each of
its steps the caseload by a bounded secant step on the logarithm of the median turnaround (which
rises steeply as the office fills up). With them fixed, the other four are
solved together by a diagonal quasi-Newton iteration: each step runs the after scenario once
and moves each parameter along its own outcome, a joint-operation rate in proportion (the count
is proportional to it), the deterrence factor by Newton's step (the area's deterrable incidents
are exactly proportional to it under CRN thinning) and the unsettled factor by a secant step.
It stops when every outcome is within `tolerance` confidence half-widths of its target.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from sim.calibration.published import (
    AFTER,
    BEFORE,
    TARGETS,
    Estimate,
    Kpis,
    PublishedTarget,
    estimate,
)
from sim.config.checks import validate
from sim.config.scenario import ScenarioConfig
from sim.config.shipped import ComposeConfig, ComposeJob
from sim.experiment.executor import Workers
from sim.experiment.replications import kpis_of_replication

TARGET = {t.name: t for t in TARGETS}
FITTED_TARGETS = (  # the outcomes the after scenario's parameters are fitted to
    "area_repeat_calls_change",
    "area_incidents_change",
    "joint_mediation_per_year",
    "joint_enforcement_per_year",
)
Note = Callable[[str], None]


@dataclass(frozen=True)
class FitPoint:
    """The fitted parameters (see the module docstring)."""

    per_day: float
    unsettled_factor: float
    deterrence_factor: float
    p_joint_mediation: float
    p_joint_enforcement: float
    desk_per_staff_day: float = 0.0


@dataclass(frozen=True)
class SearchSettings:
    """How each evaluation runs, and when the search stops."""

    replications: int = 24
    horizon_days: float = 364.0
    warmup_days: float = 28.0
    seed: int = 2021
    jobs: int = 2
    max_steps: int = 10
    tolerance: float = 0.25  # in confidence half-widths
    extra_overrides: tuple[str, ...] = ()  # unfitted values changed (identifiability)
    extra_before_overrides: tuple[str, ...] = ()  # the same, of keys only the before one has


@dataclass(frozen=True)
class Evaluation:
    """The fitted point and the KPIs of every replication of both scenarios there."""

    point: FitPoint
    runs: Mapping[str, Kpis]
    converged: bool
    n_steps: int


class Evaluator:
    """Runs the before and after scenarios at a point, replications in parallel worker processes;
    `compose_job` composes a shipped scenario with overrides (`sim.sweep.compose.compose_job`)."""

    def __init__(
        self, settings: SearchSettings, p_without: Mapping[str, float], compose_job: ComposeJob
    ) -> None:
        self.settings, self.p_without = settings, dict(p_without)
        self.compose_job = compose_job
        self._workers = Workers(settings.jobs)

    def __enter__(self) -> Evaluator:
        self._workers.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._workers.__exit__(None, None, None)

    def run(self, scenario: str, point: FitPoint) -> list[dict[str, float]]:
        """Every replication's KPIs of `scenario` with the parameters of `point`."""
        overrides = district_overrides(point, self.p_without)
        if scenario == AFTER:
            overrides += after_only_overrides(point)
        else:
            overrides.append(f"{BEFORE}.per_staff_day={point.desk_per_staff_day!r}")
        extra = self.settings.extra_overrides
        if scenario == BEFORE:
            extra += self.settings.extra_before_overrides
        job = self.compose_job([f"scenario={scenario}", *self.run_overrides(), *overrides, *extra])
        scenario_config, run = job.scenario, job.run
        tasks = [(scenario_config, run, r) for r in range(self.settings.replications)]
        return self._workers.map(kpis_of_replication, tasks)

    def run_overrides(self) -> list[str]:
        s = self.settings
        return [
            f"run.replications={s.replications}",
            f"run.horizon_days={s.horizon_days}",
            f"run.warmup_days={s.warmup_days}",
            f"run.seed={s.seed}",
        ]


def district_overrides(point: FitPoint, p_without: Mapping[str, float]) -> list[str]:
    """The overrides of the district keys (both scenarios) and the after scenario's rates."""
    overrides = [f"demand.per_day={point.per_day!r}"]
    for type_name, p_settled_with in settled_with(point, p_without).items():
        overrides.append(f"incident_types.{type_name}.root_cause.p_settled_with={p_settled_with!r}")
    overrides.append(f"deterrence.joint_duty.factor={point.deterrence_factor!r}")
    return overrides


def after_only_overrides(point: FitPoint) -> list[str]:
    return [
        f"{AFTER}.p_joint_mediation={point.p_joint_mediation!r}",
        f"{AFTER}.p_joint_enforcement={point.p_joint_enforcement!r}",
    ]


def settled_with(point: FitPoint, p_without: Mapping[str, float]) -> dict[str, float]:
    """p_settled_with of every type with a root cause, from the unsettled factor."""
    s = point.unsettled_factor
    return {name: round(1.0 - s * (1.0 - p), 4) for name, p in p_without.items()}


def after_scenario(compose_job: ComposeJob) -> ScenarioConfig:
    """The shipped after scenario, validated (composed by `compose_job`)."""
    return compose_job([f"scenario={AFTER}"]).scenario


def current_point(compose_config: ComposeConfig) -> tuple[FitPoint, dict[str, float]]:
    """The parameters in effect in the shipped scenarios, and p_settled_without by type
    (`compose_config` composes a shipped scenario: `sim.sweep.compose.compose_config`)."""
    plain = compose_config([f"scenario={AFTER}"])
    scenario = validate(plain).scenario
    roots = {n: t.root_cause for n, t in scenario.incident_types.items() if t.root_cause}
    p_without = {name: root.p_settled_without for name, root in roots.items()}
    first = next(iter(roots.values()))
    rates = plain[AFTER]
    assert isinstance(rates, dict)
    desk = compose_config([f"scenario={BEFORE}"])[BEFORE]
    assert isinstance(desk, dict)
    point = FitPoint(
        per_day=float(scenario.demand.per_day or 0.0),
        unsettled_factor=(1.0 - first.p_settled_with) / (1.0 - first.p_settled_without),
        deterrence_factor=scenario.deterrence["joint_duty"].factor,
        p_joint_mediation=float(rates["p_joint_mediation"]),
        p_joint_enforcement=float(rates["p_joint_enforcement"]),
        desk_per_staff_day=float(desk["per_staff_day"]),
    )
    return point, p_without


def fit(
    start: FitPoint,
    p_without: Mapping[str, float],
    settings: SearchSettings,
    note: Note,
    compose_job: ComposeJob,
) -> Evaluation:
    """The search: `per_day` and the offices' caseload on the before scenario, then the rest
    on the after scenario."""
    with Evaluator(settings, p_without, compose_job) as evaluator:
        point, before = _fit_before(start, evaluator, note)
        return _fit_after(point, before, evaluator, note)


def evaluate_point(
    point: FitPoint,
    p_without: Mapping[str, float],
    settings: SearchSettings,
    compose_job: ComposeJob,
) -> dict[str, Kpis]:
    """Both scenarios at one point (for `--check`, with the shipped values)."""
    with Evaluator(settings, p_without, compose_job) as evaluator:
        return {name: evaluator.run(name, point) for name in (BEFORE, AFTER)}


def _fit_before(
    point: FitPoint, evaluator: Evaluator, note: Note
) -> tuple[FitPoint, list[dict[str, float]]]:
    """The call rate, and for each call rate the caseload that gives the turnaround: the
    turnaround depends on both (the police's referrals are part of the offices' load), and the
    incidents on the turnaround (a matter waiting for an office flares up), so the caseload is
    solved inside each call-rate step."""
    calls, turnaround = TARGET["incidents_per_day_before"], TARGET["referral_turnaround_before"]
    settings, step = evaluator.settings, 0
    while True:
        previous: tuple[float, float] | None = None  # (caseload, log median turnaround)
        for _ in range(settings.max_steps):
            step += 1
            before = evaluator.run(BEFORE, point)
            found_calls = estimate(calls, {BEFORE: before})
            found_turnaround = estimate(turnaround, {BEFORE: before})
            note(
                f"before step {step}: per_day {point.per_day:.3f}, caseload "
                f"{point.desk_per_staff_day:.4f} -> {_show(calls.name, found_calls)}, "
                f"{_show(turnaround.name, found_turnaround)}"
            )
            if _close(turnaround, found_turnaround, settings.tolerance):
                break
            if not found_turnaround.mean > 0:  # no referral finished in the window (NaN or 0)
                note("    no referral turnaround to fit the caseload to: it is kept as it is")
                break
            log_found = math.log(found_turnaround.mean)
            caseload = _next_caseload(point.desk_per_staff_day, log_found, turnaround, previous)
            previous = (point.desk_per_staff_day, log_found)
            point = replace(point, desk_per_staff_day=caseload)
        # Changing the rate redraws the arrivals, so CRN cannot make this smooth: accept
        # anything within half a confidence half-width.
        if abs(found_calls.mean - calls.value) <= 0.5 * found_calls.half_width:
            return point, before
        if step >= 3 * settings.max_steps:
            return point, before
        point = replace(point, per_day=round(point.per_day * calls.value / found_calls.mean, 3))


def _next_caseload(
    caseload: float,
    log_found: float,
    target: PublishedTarget,
    previous: tuple[float, float] | None,
) -> float:
    """A secant step on the log median turnaround, within a factor of four of the slope
    measured on the shipped scenario (the turnaround doubles as the caseload grows by about
    9 %): near a full office the median of a few replications is noisy, and a flat secant would
    throw the caseload far away. A step moves it by at most a tenth."""
    residual = log_found - math.log(target.value)
    typical = math.log(2.0) / (0.09 * caseload) if caseload > 0 else 1.0
    slope = typical
    if previous is not None and previous[0] != caseload:
        secant = (log_found - previous[1]) / (caseload - previous[0])
        slope = min(4.0 * typical, max(typical / 4.0, secant))
    step = max(-0.1 * caseload, min(0.1 * caseload, residual / slope))
    return round(max(0.0, caseload - step), 4)


def _fit_after(
    point: FitPoint, before: list[dict[str, float]], evaluator: Evaluator, note: Note
) -> Evaluation:
    settings = evaluator.settings
    previous: tuple[FitPoint, dict[str, Estimate]] | None = None
    for step in range(1, settings.max_steps + 1):
        runs = {BEFORE: before, AFTER: evaluator.run(AFTER, point)}
        found = {t.name: estimate(t, runs) for t in TARGETS}
        note(f"step {step}: {_show_point(point)}")
        note("    -> " + ", ".join(_show(name, found[name]) for name in FITTED_TARGETS))
        converged = all(_close(TARGET[n], found[n], settings.tolerance) for n in FITTED_TARGETS)
        if converged or step == settings.max_steps:
            return Evaluation(point, runs, converged, step)
        point, previous = _next_point(point, found, runs, previous), (point, found)
    raise ValueError("max_steps must be at least 1")


def _close(target: PublishedTarget, found: Estimate, tolerance: float) -> bool:
    return abs(found.mean - target.value) <= tolerance * found.half_width


def _next_point(
    point: FitPoint,
    found: Mapping[str, Estimate],
    runs: Mapping[str, Kpis],
    previous: tuple[FitPoint, Mapping[str, Estimate]] | None,
) -> FitPoint:
    """One diagonal quasi-Newton step (see the module docstring)."""
    return replace(
        point,
        unsettled_factor=_next_unsettled(point, found, previous),
        deterrence_factor=_next_deterrence(point, found, runs),
        p_joint_mediation=_proportional(point.p_joint_mediation, found, "joint_mediation_per_year"),
        p_joint_enforcement=_proportional(
            point.p_joint_enforcement, found, "joint_enforcement_per_year"
        ),
    )


def _proportional(p: float, found: Mapping[str, Estimate], name: str) -> float:
    achieved = found[name].mean
    scaled = p * TARGET[name].value / achieved if achieved > 0 else 2.0 * p
    return round(min(1.0, max(1e-5, scaled)), 5)


def _next_unsettled(
    point: FitPoint,
    found: Mapping[str, Estimate],
    previous: tuple[FitPoint, Mapping[str, Estimate]] | None,
) -> float:
    """Secant on the repeat-call change; the first step assumes repeats proportional to s."""
    name, s = "area_repeat_calls_change", point.unsettled_factor
    residual = found[name].mean - TARGET[name].value
    if previous is not None and previous[0].unsettled_factor != s:
        s0, r0 = previous[0].unsettled_factor, previous[1][name].mean - TARGET[name].value
        slope = (residual - r0) / (s - s0)
        proposal = s - residual / slope if slope > 0 else s
    else:
        proposal = s * (1.0 + TARGET[name].value) / max(1e-6, 1.0 + found[name].mean)
    return round(min(1.0, max(0.0, proposal)), 4)


def _next_deterrence(
    point: FitPoint, found: Mapping[str, Estimate], runs: Mapping[str, Kpis]
) -> float:
    """Newton's step: the area keeps `factor` of its D deterrable calls, D from this run."""
    name, factor = "area_incidents_change", point.deterrence_factor
    residual = found[name].mean - TARGET[name].value
    deterred = _mean(runs[AFTER], "deterred_per_day")
    area_before = _mean(runs[BEFORE], TARGET[name].metric)
    if factor >= 1.0 or deterred <= 0 or area_before <= 0:
        return round(max(0.0, factor - 0.1), 4)  # no handle on the slope yet: a plain step
    slope = deterred / (1.0 - factor) / area_before  # d(change)/d(factor)
    return round(min(1.0, max(0.0, factor - residual / slope)), 4)


def _mean(runs: Kpis, metric: str) -> float:
    values = [r[metric] for r in runs if math.isfinite(r[metric])]
    return sum(values) / len(values) if values else float("nan")


def _show_point(point: FitPoint) -> str:
    return (
        f"per_day {point.per_day:.3f}, caseload {point.desk_per_staff_day:.4f}, "
        f"unsettled factor {point.unsettled_factor:.4f}, "
        f"deterrence {point.deterrence_factor:.4f}, p joint mediation "
        f"{point.p_joint_mediation:.5f}, p joint enforcement {point.p_joint_enforcement:.5f}"
    )


def _show(name: str, found: Estimate) -> str:
    return f"{name} {found.mean:.4g} ± {found.half_width:.2g}"


def summary_of(evaluation: Evaluation, confidence: float) -> dict[str, Estimate]:
    """Every target's estimate at the final point, at the given confidence."""
    return {t.name: estimate(t, evaluation.runs, confidence) for t in TARGETS}
