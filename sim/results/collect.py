"""The tidy sweep table: one row per job and KPI, rebuilt from the job directories.

`write_sweep_table(DIR)` (the command `jointduty collect DIR`, `sim.cli.collect`) reads
every job directory under a sweep directory (one with a `status.json` or Hydra's
`.hydra/overrides.yaml`) and writes `sweep.parquet` and `sweep.csv` at its root, atomically.
It works at any time: during a sweep, after it, and after failures (Hydra 1.3 skips
`on_multirun_end` when a job fails, so the table cannot rely on it).

Columns: `job` (the directory name), `status` (`completed`, `failed`, `incomplete` for a
job that is running or died without a marker, or `damaged` for a job marked completed whose
files are missing, truncated or corrupted: `error` then names the file and the problem), one
column per overridden key (named by the key, numbers as numbers), then `metric, mean, sd,
ci_low, ci_high, n` from the job's `summary.csv`, then `n_replications, stop_reason,
warmup_days, duration_s, error` and `overrides` (the job's full override set as JSON). A job
without KPIs has one row with an empty metric.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml

from sim.analysis.kpis import SUMMARY_COLUMNS
from sim.results.files import write_atomic, write_csv
from sim.results.jobstatus import (
    COMPLETED,
    DAMAGED,
    INCOMPLETE,
    STATUS_FILE,
    damage,
    override_set,
    read_status,
)

TABLE_NAME = "sweep"
STATUS_COLUMNS = ("n_replications", "stop_reason", "warmup_days", "duration_s", "error")


def job_dirs(sweep_dir: Path) -> list[Path]:
    """The job directories directly under `sweep_dir`, in name order."""
    return sorted(
        p
        for p in sweep_dir.iterdir()
        if p.is_dir()
        and not p.name.startswith(".")
        and ((p / STATUS_FILE).is_file() or (p / ".hydra" / "overrides.yaml").is_file())
    )


def job_rows(job_dir: Path) -> list[dict[str, object]]:
    """The table rows of one job: one per KPI, or one without KPIs."""
    status = read_status(job_dir)
    overrides, problem = _overrides(job_dir, status)
    row: dict[str, object] = {
        "job": job_dir.name,
        "status": str(status.get("status")) if status else INCOMPLETE,
        **_override_columns(overrides),
    }
    details = {name: (status or {}).get(name) for name in STATUS_COLUMNS}
    details["error"] = problem or _last_line(details["error"])
    details["overrides"] = json.dumps(list(overrides))
    if row["status"] != COMPLETED:
        return [{**row, **dict.fromkeys(SUMMARY_COLUMNS), **details}]
    summary, problem = _checked_summary(job_dir, status or {})
    if summary is None:
        row["status"], details["error"] = DAMAGED, problem
        return [{**row, **dict.fromkeys(SUMMARY_COLUMNS), **details}]
    return [{**row, **kpi, **details} for kpi in summary.to_dict(orient="records")]


def _checked_summary(
    job_dir: Path, status: dict[str, object]
) -> tuple[pd.DataFrame | None, str | None]:
    """The completed job's KPI table, or None and `FILE: problem` if its files are damaged."""
    problem = damage(job_dir, status)
    if problem:
        return None, problem
    path = job_dir / "summary.csv"
    try:
        text = path.read_text()
        summary = pd.read_csv(path)
    except (OSError, UnicodeDecodeError, ValueError) as error:  # pandas' parser errors too
        return None, f"summary.csv: unreadable ({_last_line(error) or type(error).__name__})"
    missing = [c for c in SUMMARY_COLUMNS if c not in summary.columns]
    if missing or not text.endswith("\n") or summary.empty or summary["metric"].isna().any():
        return None, "summary.csv: truncated or corrupted (incomplete rows or columns)"
    return summary, None


def sweep_table(sweep_dir: Path) -> pd.DataFrame:
    """The tidy table of every job under `sweep_dir`."""
    rows = [row for job_dir in job_dirs(sweep_dir) for row in job_rows(job_dir)]
    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame(
            columns=["job", "status", *SUMMARY_COLUMNS, *STATUS_COLUMNS, "overrides"]
        )
    keys = [c for c in table.columns if c not in ("job", "status", *SUMMARY_COLUMNS)]
    keys = [c for c in keys if c not in (*STATUS_COLUMNS, "overrides")]
    for key in keys:
        table[key] = _typed(table[key])
    ordered = ["job", "status", *keys, *SUMMARY_COLUMNS, *STATUS_COLUMNS, "overrides"]
    table = table[ordered]
    for column in ("mean", "sd", "ci_low", "ci_high", "warmup_days", "duration_s"):
        table[column] = pd.to_numeric(table[column], errors="coerce")
    for column in ("stop_reason", "error", "overrides"):
        table[column] = table[column].astype("string")
    for column in ("n", "n_replications"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("Int64")
    return table


def write_sweep_table(sweep_dir: Path) -> pd.DataFrame:
    """Rebuild `sweep.parquet` and `sweep.csv` at the sweep root; return the table."""
    table = sweep_table(sweep_dir)
    write_atomic(
        sweep_dir / f"{TABLE_NAME}.parquet", lambda tmp: table.to_parquet(tmp, index=False)
    )
    write_csv(table, sweep_dir / f"{TABLE_NAME}.csv")
    return table


def _overrides(
    job_dir: Path, status: dict[str, object] | None
) -> tuple[tuple[str, ...], str | None]:
    """The job's override set (from its status, else Hydra's overrides.yaml), and what was
    wrong with overrides.yaml if it could not be read: such a job gets no overrides and
    that problem as its error, and the table goes on."""
    if status and _is_override_list(status.get("overrides")):
        return override_set(status["overrides"]), None  # type: ignore[arg-type]
    path = job_dir / ".hydra" / "overrides.yaml"
    try:
        loaded = yaml.safe_load(path.read_text())
    except (OSError, ValueError, yaml.YAMLError) as error:  # UnicodeDecodeError is a ValueError
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return (), f".hydra/overrides.yaml: unreadable ({first})"
    if loaded is None:
        return (), None
    if not _is_override_list(loaded):
        return (), ".hydra/overrides.yaml: must be a list of key=value strings"
    return override_set(loaded), None


def _is_override_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _override_columns(overrides: tuple[str, ...]) -> dict[str, str]:
    columns: dict[str, str] = {}
    for override in overrides:
        key, _, value = override.partition("=")
        columns[key.lstrip("+~")] = value
    return columns


def _typed(values: pd.Series) -> pd.Series:
    """Numbers as numbers when every present value is one; else text."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers[values.notna()].notna().all():
        return numbers
    return values.astype("string")


def _last_line(error: object) -> str | None:
    if not error:
        return None
    return str(error).strip().splitlines()[-1] if str(error).strip() else None
