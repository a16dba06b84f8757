"""`jointduty calibrate`: options, the check of the shipped values, and the files a fit writes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats

from sim.calibration.files import INSTALLED_OUT, default_out_dir
from sim.calibration.held_out import HELD_OUT, format_held_out, held_out_rows
from sim.calibration.published import (
    AFTER,
    BEFORE,
    TARGETS,
    Estimate,
    PublishedTarget,
    estimate,
    family_confidence,
    verdict,
)
from sim.cli.calibrate import parse_args
from sim.cli.main import main
from sim.config.schema import ConfigError
from sim.sweep.compose import compose_job

TINY = ["--replications", "2", "--horizon-days", "14", "--warmup-days", "7", "--jobs", "1"]


def calibrate_command(argv: list[str]) -> int:
    return main(["calibrate", *argv])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--replications", "1"], "--replications = 1: must be >= 2"),
        (["--horizon-days", "soon"], "--horizon-days = 'soon': must be a number"),
        (["--seed", "-1"], "--seed = -1: must be >= 0"),
        (["--jobs"], "--jobs = None: needs a value"),
        (["--frobnicate"], "option = '--frobnicate': unknown; allowed: --quick, --check"),
        (["--quick", "--check"], "choose one of them"),
    ],
)
def test_bad_options_are_one_line_config_errors(args, message):
    with pytest.raises(ConfigError) as caught:
        parse_args(args)
    assert message in str(caught.value)


def test_bad_options_exit_with_status_2_and_one_line(capsys):
    assert calibrate_command(["--replications", "x"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["jointduty: config error: --replications = 'x': must be a whole number"]


def test_check_and_quick_start_from_their_own_defaults_and_options_override_them():
    check = parse_args(["--check", "--seed", "5"])
    assert check.check and check.settings.seed == 5 and check.settings.replications == 10
    quick = parse_args(["--quick", "--out=/tmp/x"])
    assert quick.quick and quick.settings.replications == 6 and quick.out_dir == Path("/tmp/x")
    assert parse_args(["--dry-run"]).check


def _runs(before: list[float], after: list[float], metric: str) -> dict[str, list[dict]]:
    return {
        BEFORE: [{metric: v} for v in before],
        AFTER: [{metric: v} for v in after],
    }


def test_a_change_is_the_mean_of_the_paired_per_replication_ratios():
    target = next(t for t in TARGETS if t.name == "area_repeat_calls_change")
    runs = _runs([2.0, 4.0, 5.0], [0.5, 1.6, 1.0], target.metric)
    found = estimate(target, runs)
    assert found.mean == pytest.approx(np.mean([0.25, 0.4, 0.2]) - 1.0)
    assert found.n == 3


def test_an_equal_target_must_lie_inside_the_interval_and_an_above_target_below_it():
    equal = next(t for t in TARGETS if t.kind == "equal")
    above = PublishedTarget("share", "a share above one half", 0.5, "some_share", kind="above")
    v = equal.value
    assert verdict(equal, Estimate(v + 1.0, 1.5, 5))
    assert not verdict(equal, Estimate(v + 1.0, 0.5, 5))
    assert verdict(above, Estimate(0.6, 0.05, 5))
    assert not verdict(above, Estimate(0.52, 0.05, 5))
    assert family_confidence() == pytest.approx(1 - 0.05 / len(TARGETS))


def test_the_check_runs_the_shipped_scenarios_and_reports_every_target(capsys):
    status = calibrate_command(["--check", *TINY])
    out = capsys.readouterr().out
    assert status in (0, 1)  # two replications of two weeks decide little
    for target in TARGETS:
        assert target.label in out
    assert f"{family_confidence():.1%} CI" in out and "deterrence:" in out
    for check in HELD_OUT:
        assert check.label in out


def test_a_fit_writes_both_calibration_files_loadable_and_with_their_header(tmp_path):
    out = tmp_path / "cal"
    calibrate_command(["--quick", *TINY, "--out", str(out)])
    district = yaml.safe_load((out / "zhuji_taozhu.yaml").read_text())
    after = yaml.safe_load((out / "future_city_2021.yaml").read_text())
    assert district["demand"]["per_day"] > 0
    assert set(district["incident_types"]) == {"dispute", "municipal", "market"}
    assert 0 <= district["deterrence"]["joint_duty"]["factor"] <= 1
    assert set(after) == {"p_joint_mediation", "p_joint_enforcement"}
    desk = yaml.safe_load((out / "agency_desk.yaml").read_text())
    assert set(desk) == {"per_staff_day"} and desk["per_staff_day"] > 0
    composed_before = compose_job([f"scenario={BEFORE}", f"{BEFORE}.per_staff_day=2.5"]).scenario
    assert composed_before.stations["street_office"].desk_work["enforcement"].per_staff_day == 2.5
    header = (out / "zhuji_taozhu.yaml").read_text().splitlines()[0]
    assert header.startswith("# Fitted by `jointduty calibrate --quick")
    overrides = [f"{AFTER}.{key}={value}" for key, value in after.items()]
    composed = compose_job([f"scenario={AFTER}", *overrides]).scenario
    assert composed.incident_types["dispute"].stages[1].p == after["p_joint_mediation"]


@pytest.mark.slow
def test_a_quick_fit_without_out_writes_nothing(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    calibrate_command(["--quick", *TINY])
    assert "nothing written" in capsys.readouterr().out
    assert not any(tmp_path.iterdir())


def test_an_installed_package_writes_to_the_working_directory(monkeypatch, tmp_path):
    installed = tmp_path / "site-packages" / "sim" / "scenarios"
    installed.mkdir(parents=True)
    monkeypatch.setattr("sim.calibration.files.shipped_dir", lambda name: installed)
    out_dir, why = default_out_dir()
    assert out_dir == INSTALLED_OUT and "installed package" in why


def _held_out_runs(rng: np.random.Generator, n: int = 6) -> dict[str, list[dict[str, float]]]:
    metrics = [c.metric for c in HELD_OUT]
    before = [{m: float(rng.uniform(0.0, 0.4)) for m in metrics} for _ in range(n)]
    after = [{m: float(rng.uniform(0.55, 0.9)) for m in metrics} for _ in range(n)]
    return {BEFORE: before, AFTER: after}


def test_the_printed_held_out_table_is_the_runs_own_numbers():
    runs = _held_out_runs(np.random.default_rng(3))
    text = format_held_out(runs)
    for check in HELD_OUT:
        after = np.array([k[check.metric] for k in runs[AFTER]])
        before = np.array([k[check.metric] for k in runs[BEFORE]])
        line = next(line for line in text.splitlines() if check.label in line)
        assert f"{before.mean():.3f} [" in line and f"{after.mean():.3f} [" in line
        half = stats.t.ppf(0.975, len(after) - 1) * after.std(ddof=1) / np.sqrt(len(after))
        assert f"[{after.mean() - half:.3f}, {after.mean() + half:.3f}]" in line
        if check.criterion != "near_data_before":  # after well above before and above a half
            assert line.rstrip().endswith("yes")


def test_a_held_out_figure_the_model_misses_is_reported_not_met():
    runs = _held_out_runs(np.random.default_rng(4))
    for kpis in runs[AFTER]:
        kpis["area_future_city_settled_same_day_share"] = 0.3  # below half, below before too
    rows = {row.check.criterion: row for row in held_out_rows(runs)}
    assert not rows["above_half_after"].met
    assert rows["happens_after"].met
    assert "NOT MET" in format_held_out(runs)


def test_a_data_check_is_met_when_its_interval_before_meets_the_data_within_a_quarter():
    check = next(c for c in HELD_OUT if c.metric == "referral_turnaround_min_p90")
    runs = _held_out_runs(np.random.default_rng(5))
    for scale, met in ((1.0, True), (1.2, True), (1.4, False), (0.6, False)):
        for i, kpis in enumerate(runs[BEFORE]):
            kpis[check.metric] = check.value * scale * (1 + 0.01 * (i % 3 - 1))  # a tight CI
        row = next(r for r in held_out_rows(runs) if r.check is check)
        assert row.met is met, scale


def test_a_before_run_without_any_referral_keeps_the_caseload_instead_of_failing():
    from types import SimpleNamespace

    from sim.calibration.search import FitPoint, SearchSettings, _fit_before

    runs = [{"incidents_per_day": 35.0 + 0.1 * i, "referral_turnaround_min_median": np.nan}
            for i in range(4)]  # fmt: skip
    evaluator = SimpleNamespace(settings=SearchSettings(max_steps=3), run=lambda *_: runs)
    notes: list[str] = []
    start = FitPoint(27.0, 0.4, 0.25, 0.05, 0.06, desk_per_staff_day=2.0)
    point, _ = _fit_before(start, evaluator, notes.append)
    assert point.desk_per_staff_day == 2.0
    assert any("no referral turnaround" in line for line in notes)
