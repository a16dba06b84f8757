"""`jointduty optimize --optuna N`: the staffing search through Hydra's Optuna sweeper.

For users who prefer Optuna (extra `jointduty[optuna]`). Each lever becomes an integer search
dimension `jd_levers.<station>__<role>__shift<i>` of a Hydra multirun with
`hydra/sweeper=optuna` (TPE sampler seeded with `run.seed`). Each trial is one Hydra job;
its task reads the lever counts from the composed config, puts them into the scenario
(`sim.planner.staffing_levers.apply`) and evaluates it with the same `Evaluator` as the greedy
search (the same replications: common random numbers), returning

    rostered cost per day                                   if every attainable target is met,
    ceiling cost x (1 + 10 x total relative shortfall)      otherwise,

so any staffing that meets the targets beats any that does not. Targets even the ceiling
misses are reported as unattainable and left out, as in `sim.planner.search`. The cheapest staffing
that met every target is then confirmed on fresh replications and reported like the search's
choice. The sweep directory (`--out`, else `results/optuna/<date_time>`) holds Hydra's job
folders and the sweeper's `optimization_results.yaml`.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from datetime import datetime
from pathlib import Path

from omegaconf import DictConfig

from sim.config.scenario import JobConfig
from sim.config.schema import ConfigError
from sim.config.shipped import shipped_dir
from sim.planner.search import Evaluation, Evaluator, SearchResult, Target
from sim.planner.staffing_levers import Lever, Staffing
from sim.sweep.compose import register_scenarios

PENALTY_PER_SHORTFALL = 10.0
LEVER_GROUP = "jd_levers"


def optuna_command(
    job: JobConfig,
    overrides: list[str],
    targets: list[Target],
    levers: list[Lever],
    options: argparse.Namespace,
) -> int:
    from sim.planner.optimize import _progress, bounds_and_start, conclude
    from sim.planner.optimize_report import format_result, write_result

    _require_optuna(options.optuna)
    scenario, run = job.scenario, job.run
    assert isinstance(run.replications, int)
    now, start, lower, upper = bounds_and_start(job, levers, options)
    evaluator = Evaluator(scenario, run, levers, range(run.replications), _progress(targets))
    evaluator.baseline = now
    evaluator(now)  # the baseline first, as the greedy search does: later ones are its changes
    ceiling = evaluator(upper)
    active = [t for t in targets if t.met(*ceiling.stats(t.kpi), options.strict)]
    sweep_dir = Path(
        options.out or Path("results/optuna") / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    )
    if active:
        task = _task(evaluator, levers, active, ceiling.cost_per_day, options.strict)
        _run_sweep(task, job, overrides, levers, lower, upper, options.optuna, sweep_dir)
    start_evaluation = evaluator(start)  # before the scan below: the start may be the best
    feasible = [
        e
        for e in evaluator.cache.values()
        if e.summary is not None and active and e.meets(active, options.strict)
    ]
    best = min(feasible, key=lambda e: e.cost_per_day, default=None)
    result = SearchResult(
        best, start_evaluation, ceiling, active, [t for t in targets if t not in active]
    )
    result.steps.append(f"optuna: {options.optuna} trials")
    outcome = conclude(evaluator, result, now, (lower, upper), options.confirm_replications)
    print(format_result(job, levers, targets, outcome))
    write_result(sweep_dir, job, levers, targets, outcome)
    print(f"\nOptuna sweep and results in {sweep_dir}")
    return 0


def _require_optuna(n_trials: int) -> None:
    if n_trials < 1:
        raise ConfigError("--optuna", n_trials, "must be a number of trials >= 1")
    if importlib.util.find_spec("hydra_plugins.hydra_optuna_sweeper") is None:
        raise ConfigError(
            "--optuna", n_trials, "needs the optuna extra: pip install 'jointduty[optuna]'"
        )


def search_space(levers: list[Lever], lower: Staffing, upper: Staffing) -> list[str]:
    """One integer interval per lever, as a new config key the trial's task reads."""
    return [
        f"+{LEVER_GROUP}.{lever_name(lever)}=int(interval({lo},{hi}))"
        for lever, lo, hi in zip(levers, lower, upper, strict=True)
    ]


def lever_name(lever: Lever) -> str:
    """A config-key name for a lever: `<station>__<role>__shift<i>` (or `__24h`)."""
    shift = "24h" if lever.shift is None else f"shift{lever.shift}"
    return f"{lever.station}__{lever.role}__{shift}"


def _task(
    evaluator: Evaluator,
    levers: list[Lever],
    active: list[Target],
    ceiling_cost: float,
    strict: bool,
):  # type: ignore[no-untyped-def]
    def objective(cfg: DictConfig) -> float:
        chosen = cfg[LEVER_GROUP]
        staffing = tuple(int(chosen[lever_name(lever)]) for lever in levers)
        evaluation: Evaluation = evaluator(staffing)
        if evaluation.summary is None:
            return ceiling_cost * (1 + PENALTY_PER_SHORTFALL * len(active))
        if evaluation.meets(active, strict):
            return evaluation.cost_per_day
        return ceiling_cost * (1 + PENALTY_PER_SHORTFALL * evaluation.shortfall(active))

    return objective


def _run_sweep(
    task,
    job: JobConfig,
    overrides: list[str],
    levers: list[Lever],
    lower,
    upper,
    n_trials: int,
    sweep_dir: Path,
) -> None:  # type: ignore[no-untyped-def]
    import hydra

    register_scenarios()
    argv = [
        "jointduty optimize",
        "-m",
        "hydra/sweeper=optuna",
        "hydra/sweeper/sampler=tpe",
        f"hydra.sweeper.sampler.seed={job.run.seed}",
        "hydra.sweeper.direction=minimize",
        f"hydra.sweeper.n_trials={n_trials}",
        "hydra.sweeper.n_jobs=1",
        f"hydra.sweep.dir={sweep_dir}",
        "hydra.sweep.subdir=${hydra.job.num}",
        "hydra/job_logging=disabled",
        "hydra/hydra_logging=disabled",
        *overrides,
        *search_space(levers, lower, upper),
    ]
    saved = sys.argv
    sys.argv = argv
    try:
        app = hydra.main(
            config_path=str(shipped_dir("conf")), config_name="config", version_base="1.3"
        )(task)
        app()
    finally:
        sys.argv = saved
