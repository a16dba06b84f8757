"""The test-session rules CI relies on: real data found through one helper, no silent skips."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import real_data

REPO = Path(__file__).resolve().parents[1]


def test_a_missing_real_data_folder_fails_the_test_naming_where_it_looked(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(real_data, "REAL_DIR", tmp_path / "shared" / "data" / "real")
    with pytest.raises(pytest.fail.Exception, match=r"real data folder .*shared/data/real"):
        real_data.real_file("mke.csv.gz")


def test_outside_ci_a_missing_real_data_folder_skips_the_test_saying_why(monkeypatch, tmp_path):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("JOINTDUTY_NO_SKIPS", raising=False)
    monkeypatch.setattr(real_data, "REAL_DIR", tmp_path / "shared" / "data" / "real")
    with pytest.raises(pytest.skip.Exception, match=r"real data folder .*shared/data/real"):
        real_data.real_file("mke.csv.gz")


def test_a_missing_real_data_file_fails_the_test_listing_what_the_folder_holds(
    monkeypatch, tmp_path
):
    (tmp_path / "la311.csv.gz").write_text("")
    monkeypatch.setattr(real_data, "REAL_DIR", tmp_path)
    with pytest.raises(pytest.fail.Exception, match=r"mke.csv.gz is missing .*holds la311.csv.gz"):
        real_data.real_file("mke.csv.gz")


def test_the_real_data_samples_are_beside_the_repository():
    assert real_data.real_file("README.md").is_file()


def run_pytest_on(tmp_path: Path, source: str, **env: str) -> subprocess.CompletedProcess[str]:
    """pytest on one test file in `tmp_path` under tests/conftest.py's rules, with `env` added."""
    (tmp_path / "conftest.py").write_text("from tests.conftest import *  # noqa: F403\n")
    (tmp_path / "test_scratch.py").write_text(source)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JOINTDUTY_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={**clean, **env},
    )


SKIPPING = "import pytest\n\ndef test_skips():\n    pytest.skip('no chromium')\n"


@pytest.mark.slow


def test_a_skip_is_a_skip_locally(tmp_path):
    done = run_pytest_on(tmp_path, SKIPPING)
    assert done.returncode == 0 and "1 skipped" in done.stdout, done.stdout


def test_a_skip_fails_in_ci_with_its_reason(tmp_path):
    done = run_pytest_on(tmp_path, SKIPPING, JOINTDUTY_NO_SKIPS="1")
    assert done.returncode == 1 and "1 failed" in done.stdout, done.stdout
    assert "no chromium" in done.stdout
