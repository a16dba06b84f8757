"""The shared executor: the same results, in task order, in one process or in several."""

from __future__ import annotations

import operator
from contextlib import closing
from dataclasses import replace

import pandas as pd
import pytest

from sim.config.scenario import JobConfig
from sim.config.schema import ConfigError
from sim.experiment.compare import run_comparison
from sim.experiment.executor import Workers, run_tasks
from sim.experiment.replications import ExperimentResult, run_experiment
from sim.sweep.compose import compose_job

SMALL = ["run.replications=3", "run.horizon_days=2", "run.warmup_days=0.5", "run.seed=5"]


def with_workers(job: JobConfig, n_workers: int) -> JobConfig:
    return replace(job, run=replace(job.run, n_workers=n_workers))


def table_bytes(result: ExperimentResult) -> dict[str, str]:
    tables = {"incidents": result.incidents, "busy": result.busy}
    tables |= {"replications": result.replications, "summary": result.summary}
    return {name: table.to_csv(index=False) for name, table in tables.items()}


@pytest.mark.parametrize("n_workers", [1, 2])
def test_results_come_back_in_task_order_whatever_the_number_of_workers(n_workers):
    tasks = [(task, 3) for task in range(7)]
    assert run_tasks(operator.mul, tasks, n_workers) == [3 * task for task in range(7)]


def test_a_failing_task_raises_its_own_error_in_the_caller():
    with pytest.raises(ZeroDivisionError):
        run_tasks(operator.truediv, [(1, 1), (1, 0), (2, 1)], 2)


def test_one_worker_runs_each_task_only_when_its_result_is_asked_for():
    started: list[int] = []

    def note(task: int) -> int:
        started.append(task)
        return task

    with Workers(1) as workers, closing(workers.imap(note, ((t,) for t in range(5)))) as results:
        assert next(results) == 0
        assert started == [0]


def test_fewer_than_one_worker_is_refused_naming_the_value():
    with pytest.raises(ValueError, match="n_workers = 0"):
        Workers(0)


def test_a_job_on_two_workers_writes_the_same_tables_byte_for_byte_as_on_one():
    job = compose_job(["scenario=future_city_2021", *SMALL])
    one, two = (run_experiment(with_workers(job, n)) for n in (1, 2))
    assert table_bytes(two) == table_bytes(one)
    assert two.analysis == one.analysis


@pytest.mark.slow
def test_auto_replications_stop_at_the_same_replication_on_two_workers_as_on_one():
    auto = ["run.replications=auto", "run.min_replications=2", "run.max_replications=4"]
    job = compose_job(["scenario=taozhu_2019", *SMALL, *auto, "run.precision=0.5"])
    one, two = (run_experiment(with_workers(job, n)) for n in (1, 2))
    assert table_bytes(two) == table_bytes(one)
    assert two.analysis == one.analysis


@pytest.mark.slow
def test_a_comparison_on_two_workers_gives_the_same_table_as_on_one():
    names = ("taozhu_2019", "future_city_2021")
    jobs = [compose_job([f"scenario={name}", *SMALL]) for name in names]
    one, two = (run_comparison([with_workers(job, n) for job in jobs]) for n in (1, 2))
    pd.testing.assert_frame_equal(two.table, one.table, check_exact=True)
    for mine, theirs in zip(two.replications, one.replications, strict=True):
        assert mine.to_csv(index=False) == theirs.to_csv(index=False)


def products_on_two_workers(k: int) -> list[int]:
    return run_tasks(operator.mul, [(k, 2), (k, 3)], 2)


@pytest.mark.slow
def test_workers_start_inside_a_joblib_launcher_worker_as_a_sweep_job_would():
    from joblib import Parallel, delayed

    results = Parallel(n_jobs=2)(delayed(products_on_two_workers)(k) for k in (1, 2))
    assert results == [[2, 3], [4, 6]]


@pytest.mark.parametrize("value", ["0", "257", "two"])
def test_a_bad_number_of_workers_is_a_config_error_naming_run_n_workers(value):
    with pytest.raises(ConfigError, match=r"run\.n_workers"):
        compose_job([f"run.n_workers={value}"])
