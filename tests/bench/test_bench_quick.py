"""The benchmark's quick mode runs every item and reports sane, complete numbers.

No timing is asserted here (performance is judged in bench/, never in tests): only that each
item produced its rows, that every number is finite and in its possible range, and that the
model, plain SimPy and Ciw simulate the same M/M/c queue.
"""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {
    ("engine", "speed vs plain SimPy M/M/c"),
    ("peer", "speed vs Ciw M/M/c"),
    ("realistic", "time vs plain SimPy, same incidents"),
    ("sweep", "parallel efficiency, 2 workers"),
    ("sweep", "Amdahl's bound for 2 workers"),
    ("sweep", "outside the jobs, 1 worker"),
    ("sweep", "Hydra overhead, 1 worker"),
    ("province", "time, 2 workers"),
    ("province", "peak RSS, parent + 2 workers"),
    ("province", "speed-up 2 shards vs 1"),
}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, json.loads(out.read_text())


@pytest.mark.slow
def test_quick_mode_reports_every_item_with_finite_numbers(quick_run):
    stdout, record = quick_run
    rows = record["rows"]
    assert {(r["item"], r["measure"]) for r in rows} == EXPECTED
    for row in rows:
        assert math.isfinite(row["value"]), row
        assert row["passed"] is None  # quick runs are not judged
    shares = [r["value"] for r in rows if r["unit"] == "%"]
    assert all(0 <= share <= 100 for share in shares)
    assert all(r["value"] > 0 for r in rows if r["unit"] in ("x", "s", "GiB"))
    assert "| engine |" in stdout and record["machine"]["n_cpus"] >= 1
    bound = next(r for r in rows if r["measure"] == "Amdahl's bound for 2 workers")
    assert 1.0 <= bound["value"] <= 2.0  # 1 if all of the sweep were serial, 2 if none
    efficiency = next(r for r in rows if r["measure"] == "parallel efficiency, 2 workers")
    assert 0 < efficiency["value"] <= 1.2  # speed-up over 2 (above 1 only by timing noise)


@pytest.mark.slow
def test_the_mmc_comparisons_report_each_sides_mean_wait(quick_run):
    _, record = quick_run
    for item, sides in (
        ("engine", ("model", "simpy", "erlang_c")),
        ("peer", ("model", "ciw", "erlang_c")),
    ):
        row = next(r for r in record["rows"] if r["item"] == item)
        waits = dict(part.split(" ") for part in row["detail"].split("mean waits: ")[1].split(", "))
        assert set(waits) == {f"{side}_wait_min" for side in sides}
        assert all(float(wait) > 0 for wait in waits.values())
