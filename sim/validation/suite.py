"""The validation suite: every case, run replication by replication, judged as one family.

`run_suite(names, compose=..., quick=..., seed=..., n_jobs=...)` sets each case up (`compose`
composes the shipped scenarios of the cases), computes its exact values, runs its
replications (on `n_jobs` processes through `sim.experiment.executor`; each replication owns
its random streams, so the numbers do not depend on how the work is spread) and returns the
observations. `assess` (in `sim.validation.stats`) then judges them all together, so the
simultaneous 99 % intervals cover the whole table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sim.config.scenario import RunConfig
from sim.config.schema import ConfigError
from sim.config.shipped import ComposeJob
from sim.experiment.executor import Workers
from sim.validation.case import Case, Metrics, same_metrics
from sim.validation.hypercube import HYPERCUBE
from sim.validation.offered_load import MT_INFINITE
from sim.validation.queueing import MMC, MMC_PRIORITY, TEAM_PAIRS
from sim.validation.samplers import SAMPLER_CASES
from sim.validation.stats import Observation

VALIDATION_SEED = 20210201
CASES: dict[str, Case] = {
    case.name: case
    for case in (MMC, MMC_PRIORITY, MT_INFINITE, TEAM_PAIRS, HYPERCUBE, *SAMPLER_CASES)
}

Progress = Callable[[str, int, int], None]
"""Called with (case, replications done, replications in all) as replications finish."""


@dataclass(frozen=True)
class _Prepared:
    case: Case
    config: object
    run: RunConfig
    theory: Metrics


def case_names() -> list[str]:
    return list(CASES)


def prepare(
    name: str, quick: bool, seed: int, overrides: Sequence[str] = (), *, compose: ComposeJob
) -> _Prepared:
    """Set a case up and compute its exact values (a `ConfigError` if it cannot be);
    `compose` composes its shipped scenario (`sim.sweep.compose.compose_job`)."""
    if name not in CASES:
        raise ConfigError("case", name, "unknown; allowed: " + ", ".join(CASES))
    case = CASES[name]
    config, run = case.setup(case.quick if quick else case.full, seed, list(overrides), compose)
    return _Prepared(case, config, run, case.theory(config))


def measure_replication(name: str, config: object, run: RunConfig, replication: int) -> Metrics:
    """One replication of one case (a top-level function, so worker processes can run it)."""
    return CASES[name].measure(config, run, replication)


def run_suite(
    names: Sequence[str],
    *,
    compose: ComposeJob,
    quick: bool,
    seed: int = VALIDATION_SEED,
    n_jobs: int = 1,
    overrides: dict[str, list[str]] | None = None,
    progress: Progress | None = None,
) -> list[Observation]:
    """Observations of every metric of the named cases, in case then metric order."""
    overrides = overrides or {}
    prepared = [
        prepare(name, quick, seed, overrides.get(name, ()), compose=compose) for name in names
    ]
    results = _run_all(prepared, n_jobs, progress)
    observations: list[Observation] = []
    for item, per_replication in zip(prepared, results, strict=True):
        for measured in per_replication:
            same_metrics(item.case.name, item.theory, measured)
        for metric, exact in item.theory.items():
            values = tuple(float(m[metric]) for m in per_replication)
            observations.append(Observation(item.case.name, metric, float(exact), values))
    return observations


def _run_all(
    prepared: list[_Prepared], n_jobs: int, progress: Progress | None
) -> list[list[Metrics]]:
    tasks = [
        (index, item.case.name, item.config, item.run, r)
        for index, item in enumerate(prepared)
        for r in range(item.run.replications)
    ]
    results: list[list[Metrics]] = [[{}] * item.run.replications for item in prepared]
    done = [0] * len(prepared)

    def record(index: int, replication: int, metrics: Metrics) -> None:
        results[index][replication] = metrics
        done[index] += 1
        if progress is not None:
            item = prepared[index]
            progress(item.case.name, done[index], item.run.replications)

    with Workers(n_jobs) as workers:
        measured = workers.imap(measure_replication, [task[1:] for task in tasks])
        for (index, *_case, replication), metrics in zip(tasks, measured, strict=True):
            record(index, replication, metrics)
    return results
