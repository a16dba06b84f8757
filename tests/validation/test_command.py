"""`jointduty validate`: the table, the CSV, and the exit status."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from sim.cli.main import main
from sim.validation import suite
from sim.validation.stats import RESULT_COLUMNS
from sim.validation.table import route_overrides

FAST_CASE = ["--quick", "--case", "sampler_exponential", "--jobs", "1"]


def validate_command(argv: list[str]) -> int:
    return main(["validate", *argv])


def test_validate_prints_the_table_and_writes_it_as_csv(tmp_path, capsys):
    status = validate_command([*FAST_CASE, "--out", str(tmp_path)])
    assert status == 0
    printed = capsys.readouterr().out
    assert "simultaneous 99% CI" in printed and "3 of 3 checks pass" in printed
    table = pd.read_csv(tmp_path / "validation.csv")
    assert list(table.columns) == list(RESULT_COLUMNS)
    assert table["metric"].tolist() == ["mean_min", "median_min", "p90_min"]
    assert (tmp_path / "validation.json").exists()


def test_the_same_seed_gives_the_same_table(tmp_path):
    validate_command([*FAST_CASE, "--out", str(tmp_path / "a")])
    validate_command([*FAST_CASE, "--out", str(tmp_path / "b")])
    first = pd.read_csv(tmp_path / "a" / "validation.csv")
    second = pd.read_csv(tmp_path / "b" / "validation.csv")
    pd.testing.assert_frame_equal(first, second)


def test_a_failing_check_makes_the_command_exit_non_zero(tmp_path, monkeypatch, capsys):
    honest = suite.CASES["sampler_exponential"]

    def wrong_by_two_percent(config: object) -> dict[str, float]:
        return {k: 1.02 * v for k, v in honest.theory(config).items()}

    broken = dataclasses.replace(honest, theory=wrong_by_two_percent)
    monkeypatch.setitem(suite.CASES, "sampler_exponential", broken)
    assert validate_command([*FAST_CASE, "--out", str(tmp_path)]) == 1
    assert "VALIDATION FAILED" in capsys.readouterr().out
    assert not pd.read_csv(tmp_path / "validation.csv")["passed"].any()


@pytest.mark.parametrize(
    "argv",
    [
        ["--quick", "--bogus"],
        ["--quick", "--case", "mmc", "mmc.servers=-1"],
        ["--quick", "nonsense.key=3"],
        ["--quick", "--jobs", "0"],
        ["--quick", "--jobs", "many"],
        ["--quick", "--case", "no_such_case"],
    ],
)
def test_bad_options_and_overrides_exit_2_with_one_line(argv, tmp_path, capsys):
    assert validate_command([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("jointduty: config error:")


def test_overrides_go_to_the_case_they_name():
    assert route_overrides(["mmc", "hypercube"], ["mmc.servers=5"]) == {"mmc": ["mmc.servers=5"]}
    assert route_overrides(["mmc"], ["roles.police.turnout_min=0"]) == {
        "mmc": ["roles.police.turnout_min=0"]
    }
