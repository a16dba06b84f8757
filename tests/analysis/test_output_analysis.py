"""Auto replications stop where the precision rule says, and MSER-5 cuts initial bias."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim.analysis.kpis import mean_ci
from sim.analysis.output_analysis import decide, mser5, relative_half_width, worst_precision
from sim.api import load_job
from sim.config.schema import ConfigError
from sim.experiment.replications import choose_warmup, run_experiment

SHORT = ["run.horizon_days=3", "run.warmup_days=0.5"]


def _batch_mean_ci(values: np.ndarray, batch: int = 50) -> tuple[float, float]:
    n = len(values) // batch
    mean, half, _sd, _n = mean_ci(values[: n * batch].reshape(n, batch).mean(axis=1))
    return mean - half, mean + half


def test_mser5_discards_an_initial_transient_so_the_kept_mean_is_unbiased():
    rng = np.random.default_rng(7)
    index = np.arange(5000)
    series = 4.0 * np.exp(-index / 150.0) + rng.normal(0.0, 1.0, size=index.size)
    truncation = mser5(series)
    low_all, high_all = _batch_mean_ci(series)
    low_kept, high_kept = _batch_mean_ci(series[truncation.n_discard :])
    assert not low_all <= 0.0 <= high_all  # the whole series is visibly biased ...
    assert low_kept <= 0.0 <= high_kept  # ... what MSER-5 keeps is not
    assert not truncation.at_limit


def test_mser5_reports_a_series_that_never_settles():
    series = np.linspace(0.0, 10.0, 1000)  # a trend: every truncation point is "better"
    assert mser5(series).at_limit


def test_mser5_keeps_a_too_short_series_whole_and_says_so():
    truncation = mser5(np.ones(20))
    assert truncation.n_discard == 0 and truncation.at_limit


def test_relative_half_width_of_a_constant_is_zero_and_of_one_value_infinite():
    assert relative_half_width(np.array([3.0, 3.0, 3.0])) == 0.0
    assert relative_half_width(np.array([3.0])) == float("inf")


@pytest.mark.slow
def test_auto_replications_stop_at_the_first_replication_that_meets_the_precision():
    # Response times: a 3-day run's matter and call-close means are dominated by the few
    # referrals that wait days for an agency, and would need the cap, not the rule, to stop.
    precise = ["run.precision=0.05", "run.precision_metrics=[response_min_mean]"]
    job = load_job("taozhu_2019", [*SHORT, "run.replications=auto", *precise])
    result = run_experiment(job)
    n = result.analysis.n_replications
    table = result.replications
    metrics = job.run.precision_metrics
    assert job.run.min_replications <= n < job.run.max_replications
    assert worst_precision([table], metrics).relative_half_width <= 0.05
    if n > job.run.min_replications:  # one replication fewer was not precise enough
        assert worst_precision([table.iloc[:-1]], metrics).relative_half_width > 0.05
    assert "precision reached" in result.analysis.stop_reason
    counts = result.summary.set_index("metric")["n"]
    assert (counts <= n).all() and (counts[list(metrics)] == n).all()
    # A matter KPI may be "not reached" (NaN) in a replication: Kaplan-Meier's median of a
    # type whose matters mostly stayed open; the summary's n then counts the others.


def test_auto_replications_stop_at_the_cap_and_say_so():
    overrides = ["run.replications=auto", "run.precision=0.0001", "run.max_replications=6"]
    result = run_experiment(load_job("taozhu_2019", [*SHORT, *overrides]))
    assert result.analysis.n_replications == 6
    assert "cap run.max_replications=6 reached" in result.analysis.stop_reason


def test_an_unknown_precision_metric_is_a_config_error_naming_the_kpis():
    job = load_job("taozhu_2019", [*SHORT, "run.replications=auto", "run.precision_metrics=[nope]"])
    with pytest.raises(ConfigError, match=r"run.precision_metrics = 'nope': unknown KPI"):
        run_experiment(job)


def test_a_fixed_number_of_replications_is_reported_as_fixed():
    run = load_job("taozhu_2019", ["run.replications=3"]).run
    assert decide(run, [pd.DataFrame({"x": [1.0, 2.0, 3.0]})]).stop
    assert not decide(run, [pd.DataFrame({"x": [1.0, 2.0]})]).stop


def test_auto_warmup_gives_the_same_tables_as_running_with_the_warmup_it_chose():
    job = load_job("taozhu_2019", ["run.horizon_days=5", "run.warmup_days=auto"])
    job = replace(job, run=replace(job.run, replications=3))
    chosen = choose_warmup(job.scenario, job.run)
    assert "MSER-5 on call_close_min" in chosen.reason
    auto = run_experiment(job)
    fixed = run_experiment(replace(job, run=replace(job.run, warmup_days=chosen.days)))
    assert auto.analysis.warmup_days == chosen.days
    pd.testing.assert_frame_equal(auto.replications, fixed.replications)


def test_auto_warmup_finds_the_transient_of_a_system_started_empty_under_heavy_load():
    # Two officers for 35 calls a day: the queue builds up over the first days.
    overrides = ["run.horizon_days=10", "stations.taozhu_police_station.staff.police=2"]
    job = load_job("taozhu_2019", [*overrides, "run.warmup_days=auto", "run.mser_metric=wait_min"])
    assert choose_warmup(job.scenario, job.run).days > 0
