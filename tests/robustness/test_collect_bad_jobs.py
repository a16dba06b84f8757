"""`collect` marks a job whose own files are unreadable and goes on with the others."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.results.collect import sweep_table
from sim.results.jobstatus import completed_override_sets
from tests.robustness.limits import run_cli

BAD_OVERRIDES: list[bytes] = [
    b"5\n",
    b"x\n",
    b"{a: 1}\n",
    b"- [1, 2]\n",
    b"\xff\xfe\x00bad",
    b"- run.seed=1\n- {nested: map}\n",
    b"!!python/object/apply:os.system ['echo hi']\n",
]


def _good_job(sweep_dir: Path) -> None:
    job = sweep_dir / "good"
    (job / ".hydra").mkdir(parents=True)
    (job / ".hydra" / "overrides.yaml").write_text("- run.seed=1\n")


@pytest.mark.parametrize("content", BAD_OVERRIDES, ids=range(len(BAD_OVERRIDES)))
def test_a_job_with_a_bad_overrides_file_is_marked_and_the_others_are_kept(
    content: bytes, tmp_path: Path
) -> None:
    _good_job(tmp_path)
    bad = tmp_path / "bad"
    (bad / ".hydra").mkdir(parents=True)
    (bad / ".hydra" / "overrides.yaml").write_bytes(content)

    table = sweep_table(tmp_path).set_index("job")

    assert set(table.index) == {"good", "bad"}
    assert table.loc["good", "run.seed"] == 1
    assert "overrides.yaml" in str(table.loc["bad", "error"])
    assert json.loads(table.loc["bad", "overrides"]) == []


def test_the_collect_command_goes_on_past_a_bad_overrides_file(tmp_path: Path) -> None:
    _good_job(tmp_path)
    bad = tmp_path / "bad"
    (bad / ".hydra").mkdir(parents=True)
    (bad / ".hydra" / "overrides.yaml").write_text("5\n")

    result = run_cli(["collect", str(tmp_path)], timeout_s=60)

    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert "2 jobs" in result.stdout
    assert (tmp_path / "sweep.csv").exists()


def test_resume_ignores_a_status_whose_overrides_are_not_a_list(tmp_path: Path) -> None:
    job = tmp_path / "odd"
    job.mkdir()
    (job / "status.json").write_text(json.dumps({"status": "completed", "overrides": 5}))
    assert completed_override_sets(tmp_path) == {}
