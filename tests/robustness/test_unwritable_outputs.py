"""Every command that writes results refuses an output it cannot write, before any work."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sim.config.schema import ConfigError
from sim.results.outdir import require_writable_dir, require_writable_file
from tests.robustness.limits import REPO, assert_clean_refusal, run_cli

BAD = "/dev/null/x"
LOG = str(REPO / "tests" / "data" / "mke_calls_sample.csv")
COMMANDS = {
    "compare": ["compare", "taozhu_2019", "future_city_2021", "--out", BAD],
    "report": ["report", str(REPO), "--out", BAD],
    "estimate": ["estimate", "--out", BAD],
    "validate": ["validate", "--quick", "--out", BAD],
    "fit-demand": ["fit-demand", LOG, "--time-col", "time", "--type-col", "nature",
                   "--out", f"{BAD}/district.yaml"],
    "province": ["province", "--out", BAD],
}  # fmt: skip


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.slow
def test_an_unwritable_out_is_refused_in_one_line_before_any_work(
    command: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    result = run_cli(COMMANDS[command], cwd=tmp_path, timeout_s=60)
    assert_clean_refusal(result, "--out", BAD)
    assert time.monotonic() - started < 30


def test_a_folder_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError) as caught:
        require_writable_dir("--out", tmp_path / "file" / "sub")
    assert "under the file" in caught.value.allowed


def test_a_folder_that_does_not_exist_yet_is_fine_and_is_not_made(tmp_path: Path) -> None:
    require_writable_dir("--out", tmp_path / "a" / "b")
    assert list(tmp_path.iterdir()) == []


def test_a_file_output_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        require_writable_file("--out", tmp_path)
