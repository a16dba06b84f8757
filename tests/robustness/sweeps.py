"""Helpers for the sweep robustness tests: the small sweep they run, and reading its table."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[2]
SWEEP = [
    "scenario=taozhu_2019",
    "run.replications=2",
    "run.horizon_days=1",
    "run.warmup_days=0.25",
    "run.seed=1,2,3",
    "dispatch=nearest,borrow",
]
N_JOBS = 6
RESULT_FILES = ("incidents.parquet", "busy.parquet", "replications.csv", "summary.csv")
# Columns of sweep.csv that say when, where and how fast a job ran, not what it computed.
TIMING_COLUMNS = ["duration_s"]


def sweep_command(sweep_dir: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "sim",
        "run",
        "-m",
        *SWEEP,
        *extra,
        f"hydra.sweep.dir={sweep_dir}",
    ]


def run_sweep(sweep_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = sweep_command(sweep_dir, *extra)
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=600)


def job_statuses(sweep_dir: Path) -> dict[str, dict[str, object]]:
    """Job folder name -> its status record, for the jobs that have one."""
    found = {}
    for path in sweep_dir.glob("*/status.json"):
        found[path.parent.name] = json.loads(path.read_text())
    return found


def fingerprint(job_dir: Path) -> dict[str, tuple[int, int, str]]:
    """File name -> (inode, mtime in ns, sha256) of every file a job wrote (not Hydra's)."""
    prints = {}
    for path in sorted(job_dir.iterdir()):
        if path.is_file():
            stat = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            prints[path.name] = (stat.st_ino, stat.st_mtime_ns, digest)
    return prints


def kpi_table(sweep_dir: Path) -> pd.DataFrame:
    """sweep.csv without the timing columns, in a fixed row order."""
    table = pd.read_csv(sweep_dir / "sweep.csv").drop(columns=TIMING_COLUMNS)
    return table.sort_values(["job", "metric"]).reset_index(drop=True)
