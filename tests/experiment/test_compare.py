"""Comparing scenarios: paired differences on common random numbers, Holm, the command."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.kpi_ranges import kpi_range
from sim.analysis.kpis import mean_ci
from sim.analysis.paired import COMPARISON_COLUMNS, holm, paired_p_value, variance_ratio
from sim.cli.compare import parse_args
from sim.config.schema import ConfigError
from sim.experiment.compare import DEFAULT_SCENARIOS, run_comparison, variance_reduction
from sim.sweep.compose import compose_job, compose_jobs
from tests.cli.test_cli import jointduty

FAST = ("run.replications=4", "run.horizon_days=2", "run.warmup_days=0.5")


def test_holm_matches_the_step_down_adjustment_worked_by_hand():
    # sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, max(0.04*1, 0.06) = 0.06
    adjusted = holm([0.01, 0.04, 0.03, 0.005, np.nan])
    np.testing.assert_allclose(adjusted[:4], [0.03, 0.06, 0.06, 0.02])
    assert np.isnan(adjusted[4])


def test_holm_never_exceeds_one():
    assert holm([0.5, 0.6, 0.9]).max() == 1.0


def test_the_paired_p_value_is_scipys_paired_t_test():
    rng = np.random.default_rng(1)
    a, b = rng.normal(10, 2, 12), rng.normal(10.8, 2, 12)
    assert paired_p_value(b - a) == pytest.approx(stats.ttest_rel(b, a).pvalue)


def test_an_exact_difference_has_p_zero_and_no_difference_p_one():
    assert paired_p_value(np.full(5, 7.0)) == 0.0
    assert paired_p_value(np.zeros(5)) == 1.0


def test_the_variance_ratio_interval_covers_one_for_two_samples_of_one_distribution():
    rng = np.random.default_rng(4)
    ratio, low, high = variance_ratio(rng.normal(0, 1, 40), rng.normal(0, 1, 40))
    assert low < 1 < high and low < ratio < high


def test_the_comparison_pairs_replications_and_differences_the_first_scenario():
    jobs = compose_jobs(("taozhu_2019", "future_city_2021"), FAST)
    comparison = run_comparison(jobs)
    table = comparison.table
    assert tuple(table.columns) == COMPARISON_COLUMNS
    before, after = comparison.replications
    row = table[(table.metric == "response_min_mean") & (table.scenario == "future_city_2021")]
    expected = (after["response_min_mean"] - before["response_min_mean"]).mean()
    assert row["diff_mean"].item() == pytest.approx(expected)
    assert row["mean"].item() == pytest.approx(after["response_min_mean"].mean())
    baseline = table[table.scenario == "taozhu_2019"]
    assert baseline["diff_mean"].isna().all() and (baseline["baseline"] == "taozhu_2019").all()


def test_a_scenario_compared_with_itself_differs_by_exactly_nothing():
    job = compose_job(["scenario=taozhu_2019", *FAST])
    table = run_comparison([job, job]).table
    second = table.iloc[1::2].dropna(subset=["diff_mean"])
    second = second[second["diff_n"] >= 2]  # a KPI defined in one replication has no sd
    assert len(second) > 10
    assert (second["diff_mean"] == 0).all() and (second["diff_sd"] == 0).all()
    assert (second["p_holm"] == 1.0).all()


def test_independent_seeds_give_the_scenarios_different_incidents():
    jobs = compose_jobs(("taozhu_2019", "future_city_2021"), FAST)
    comparison = run_comparison(jobs, independent_seeds=True)
    before, after = comparison.replications
    assert (before["n_incidents"] != after["n_incidents"]).any()


@pytest.mark.slow


def test_auto_replications_run_the_scenarios_in_step_until_all_are_precise():
    overrides = (*FAST[1:], "run.replications=auto", "run.precision=0.1")
    comparison = run_comparison(compose_jobs(("taozhu_2019", "future_city_2021"), overrides))
    n = comparison.analysis.n_replications
    assert all(len(table) == n for table in comparison.replications)
    assert "precision reached" in comparison.analysis.stop_reason


def test_the_quick_start_comparison_has_no_level_bound_outside_its_kpis_range():
    """`jointduty compare` as the README's quick start runs it (5 replications of 28 days):
    several plain t-intervals of non-negative KPIs reach below 0; the table's do not."""
    comparison = run_comparison(compose_jobs(DEFAULT_SCENARIOS, ()))
    table, n_clipped = comparison.table, 0
    for row in table.itertuples(index=False):
        declared = kpi_range(row.metric)
        assert declared is not None, row.metric
        if np.isnan(row.ci_low):
            continue
        assert declared.low <= row.ci_low <= row.mean <= row.ci_high <= declared.high, row
        values = comparison.replications[comparison.names.index(row.scenario)][row.metric]
        mean, half_width, _sd, _n = mean_ci(values.to_numpy(dtype=float))
        if mean - half_width < declared.low:
            assert row.ci_low == declared.low, row
            n_clipped += 1
    assert n_clipped > 0  # the quick start does have t-intervals crossing 0
    assert (table["diff_ci_low"] < 0).any()  # differences are signed and never clipped


@pytest.mark.slow
def test_crn_reduces_the_variance_of_the_differences_of_a_staffing_change():
    overrides = ["run.replications=30", "run.horizon_days=7", "run.warmup_days=1"]
    jobs = [
        compose_job(["scenario=taozhu_2019", *overrides]),
        compose_job(
            ["scenario=taozhu_2019", "stations.taozhu_police_station.staff.police=5", *overrides]
        ),
    ]
    ratios = variance_reduction(jobs)
    for metric in ("call_close_min_mean", "utilisation_police"):
        row = ratios[ratios.metric == metric].iloc[0]
        assert row["ci_high"] < 1.0, row  # the whole 95 % interval of the ratio is below 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["taozhu_2019"], "scenarios = ['taozhu_2019']: name at least two different scenarios"),
        (["taozhu_2019", "taozhu_2019"], "name at least two different scenarios"),
        (["--fast"], "option = '--fast': unknown; allowed: --out, --all, --independent-seeds"),
    ],
)
def test_bad_compare_arguments_are_config_errors(args, message):
    with pytest.raises(ConfigError) as raised:
        parse_args(args)
    assert message in str(raised.value)


def test_compare_defaults_to_the_before_and_after_scenarios():
    assert parse_args([]).scenarios == ("taozhu_2019", "future_city_2021")


def test_compare_reads_its_options_and_passes_overrides_to_every_scenario():
    request = parse_args(["a", "b", "run.seed=3", "--out", "x", "--variance-reduction"])
    assert request.scenarios == ("a", "b")
    assert request.overrides == ("run.warmup_days=28", "run.seed=3")  # 28 days unless given
    assert str(request.out_dir) == "x" and request.variance_reduction


@pytest.mark.slow


def test_the_compare_command_prints_the_table_and_writes_it(tmp_path):
    out = tmp_path / "cmp"
    result = jointduty("compare", *FAST, "--out", str(out), "--all")
    assert result.returncode == 0, result.stderr
    assert "diff vs taozhu_2019" in result.stdout and "p (Holm)" in result.stdout
    assert "time to settlement of a matter, median (h)" in result.stdout
    assert "verdict: future_city_2021 vs taozhu_2019" in result.stdout
    assert "not adjusted for multiplicity" in result.stdout
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["scenario"]) == {"taozhu_2019", "future_city_2021"}
    pd.testing.assert_frame_equal(
        table, pd.read_parquet(out / "comparison.parquet"), check_dtype=False
    )
    assert (out / "status.json").is_file() and (out / "replications.csv").is_file()


def test_compare_with_an_unknown_scenario_is_one_line_and_exit_status_2(tmp_path):
    result = jointduty("compare", "taozhu_2019", "atlantis", "--out", str(tmp_path / "x"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "jointduty: config error: scenario = 'atlantis': unknown option; allowed: "
        + result.stderr.split("allowed: ", 1)[1].strip()
    ]
    assert not (tmp_path / "x").exists()


def test_the_notebook_api_compares_like_the_command():
    from sim.api import compare_scenarios

    comparison = compare_scenarios(["taozhu_2019", "future_city_2021"], FAST)
    assert comparison.names == ("taozhu_2019", "future_city_2021")
    assert tuple(comparison.table.columns) == COMPARISON_COLUMNS


def test_compare_without_a_warm_up_override_warms_up_28_days_and_with_one_keeps_it():
    default = parse_args([]).overrides
    assert compose_jobs(DEFAULT_SCENARIOS, default)[0].run.warmup_days == 28.0
    given = parse_args(["run.warmup_days=2"]).overrides
    assert given == ("run.warmup_days=2",)
    assert compose_jobs(DEFAULT_SCENARIOS, given)[0].run.warmup_days == 2.0


@pytest.mark.slow


def test_the_headline_shows_the_key_figures_but_not_every_kpi(tmp_path):
    result = jointduty("compare", *FAST, "--out", str(tmp_path / "cmp"))
    assert result.returncode == 0, result.stderr
    assert "matters settled the same day (%)" in result.stdout
    assert "call close time, median (min)" in result.stdout  # per call, under its own name
    assert "p (Holm)" not in result.stdout and "utilisation_police" not in result.stdout
    table = pd.read_csv(tmp_path / "cmp" / "comparison.csv")
    assert "utilisation_police" in set(table["metric"])  # the full table is always written
