"""fit-demand on hostile or degenerate logs: a clear refusal, a warning, or a safe file."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.cli.main import main
from tests.robustness.limits import deadline

DISTRICT_KEYS = {"region", "roles", "demand", "travel", "incident_types", "incidents"}
HOSTILE_TYPES = [
    "theft\nhydra:\n  run:\n    dir: /tmp/evil",
    "theft\r\nname: pwned",
    "a\u2028b: c",
    "a\u0085hydra: x",
    "a\x00b\x1b[31mred",
    "# x\n---\nother: doc",
]


def write_log(path: Path, times: list[str], types: list[str], places: bool = False) -> Path:
    rng = np.random.default_rng(1)
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["time", "nature", "lat", "lon"])
        for time, kind in zip(times, types, strict=True):
            lat, lon = 43.0 + rng.normal(0, 0.03), -87.9 + rng.normal(0, 0.03)
            writer.writerow([time, kind, f"{lat:.6f}", f"{lon:.6f}"])
    return path


def spread_times(n: int, days: int = 14) -> list[str]:
    rng = np.random.default_rng(2)
    seconds = np.sort(rng.uniform(0, days * 86400, n)).astype(int)
    start = np.datetime64("2018-05-01T00:00:00")
    return [str(start + np.timedelta64(int(s), "s")).replace("T", " ") for s in seconds]


def fit(tmp_path: Path, log: Path, *extra: str) -> int:
    with deadline(120):
        return main(
            ["fit-demand", str(log), "--time-col", "time", "--type-col", "nature",
             "--out", str(tmp_path / "district.yaml"), *extra]
        )  # fmt: skip


def test_a_log_whose_calls_all_share_one_second_is_refused(tmp_path: Path, capsys) -> None:
    log = write_log(tmp_path / "log.csv", ["2018-05-01 10:00:00"] * 50, ["theft"] * 50)
    status = fit(tmp_path, log)
    err = capsys.readouterr().err
    assert status == 2
    assert "--start/--end" in err and "day" in err and err.count("\n") == 1
    assert not (tmp_path / "district.yaml").exists()


def test_a_window_of_a_few_hours_is_refused_naming_its_length(tmp_path: Path, capsys) -> None:
    times = [f"2018-05-01 {h:02d}:{m:02d}:00" for h in range(8, 12) for m in range(0, 60, 5)]
    log = write_log(tmp_path / "log.csv", times, ["theft"] * len(times))
    assert fit(tmp_path, log) == 2
    assert "observed days" in capsys.readouterr().err


def test_far_more_hotspots_than_the_calls_support_are_capped_with_a_warning(
    tmp_path: Path, capsys
) -> None:
    n = 567
    log = write_log(tmp_path / "log.csv", spread_times(n), ["theft"] * n)
    status = fit(tmp_path, log, "--lat-col", "lat", "--lon-col", "lon", "--hotspots", "10000")
    err = capsys.readouterr().err
    assert status == 0, err
    assert "--hotspots" in err and "10000" in err
    district = yaml.safe_load((tmp_path / "district.yaml").read_text())
    assert 1 <= len(district["region"]["hotspots"]) <= n // 20


@pytest.mark.parametrize("hostile", HOSTILE_TYPES, ids=range(len(HOSTILE_TYPES)))
def test_a_call_type_with_line_breaks_cannot_add_keys_to_the_district(
    hostile: str, tmp_path: Path
) -> None:
    n = 200
    types = [hostile if i % 2 else "burglary" for i in range(n)]
    log = write_log(tmp_path / "log.csv", spread_times(n), types)
    assert fit(tmp_path, log) == 0
    text = (tmp_path / "district.yaml").read_text()
    district = yaml.safe_load(text)
    assert set(district) <= DISTRICT_KEYS
    assert all(ch == "\n" or ch >= " " for ch in text if ch < " " or ch in "\u2028\u2029\x85")
    assert not any(ch in text for ch in "\r\u2028\u2029\x85\x00\x1b")


def test_a_file_name_with_a_line_break_cannot_add_keys_either(tmp_path: Path) -> None:
    n = 200
    log = write_log(tmp_path / "log\nhydra: x.csv", spread_times(n), ["theft"] * n)
    assert fit(tmp_path, log) == 0
    assert set(yaml.safe_load((tmp_path / "district.yaml").read_text())) <= DISTRICT_KEYS
