"""What a report is made of, read from a run, comparison or sweep directory.

The directory type is told by the files present:

- **run** (`jointduty run`): `summary.csv` and `job.json`; the KPI summary, the incidents
  and the busy intervals.
- **comparison** (`jointduty compare`): `comparison.csv` and `jobs.json`; the comparison
  table. A comparison keeps only KPIs, so incidents and busy intervals are re-simulated from
  `jobs.json` on the same seeds (its first `max_rerun` replications).
- **sweep** (`jointduty run -m`): `sweep.parquet` or `sweep.csv`; the sweep table, and each
  completed job directory as a run, labelled by its swept values with short keys
  (`fcjd.police=2`). The jobs left out (failed, incomplete, damaged) are kept with their
  status and reason (`ReportData.excluded`), and the swept keys with their values (`swept`).

Every kind becomes a `ReportData`: a list of `Variant`s (one per run, scenario or job), each
with its validated scenario, window, summary and (where available) incident and busy tables.

A damaged result file is refused in one line naming it (`DamagedFileError`): a file that no
longer matches the checksum its `status.json` recorded, or a table that cannot be parsed,
lacks its columns or ends mid-row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import pandas as pd

from sim.analysis.kpis import SUMMARY_COLUMNS
from sim.config.checks import validate
from sim.config.scenario import JobConfig
from sim.config.schema import ConfigError
from sim.results.jobstatus import COMPLETED, damage, short_key

MIN_PER_DAY = 1440.0
ReportKind = Literal["run", "comparison", "sweep"]


@dataclass(frozen=True)
class Variant:
    """One configuration in the report: a run, a compared scenario, or a sweep job."""

    name: str
    job: JobConfig
    warmup_days: float
    summary: pd.DataFrame  # metric, mean, sd, ci_low, ci_high, n
    incidents: pd.DataFrame | None = None
    busy: pd.DataFrame | None = None
    matters: pd.DataFrame | None = None  # matters.parquet, where the run wrote one
    overrides: tuple[str, ...] = ()
    note: str = ""
    label: str = ""  # how pictures name it (default: the name)

    @property
    def shown(self) -> str:
        return self.label or self.name

    @property
    def window_min(self) -> tuple[float, float]:
        start = self.warmup_days * MIN_PER_DAY
        return start, start + self.job.run.horizon_days * MIN_PER_DAY

    def kpi(self, metric: str) -> tuple[float, float, float]:
        rows = self.summary[self.summary["metric"] == metric]
        if rows.empty:
            return (float("nan"),) * 3  # type: ignore[return-value]
        row = rows.iloc[0]
        return (float(row["mean"]), float(row["ci_low"]), float(row["ci_high"]))


@dataclass(frozen=True)
class ReportData:
    kind: ReportKind
    path: Path
    variants: list[Variant]
    comparison: pd.DataFrame | None = None
    sweep: pd.DataFrame | None = None
    note: str = ""
    swept: dict[str, list[object]] = field(default_factory=dict)  # sweeps: key -> values
    excluded: pd.DataFrame | None = None  # sweeps: job, status, reason of jobs left out


def detect_kind(path: Path) -> ReportKind:
    """Which kind of result directory `path` is, by the files it holds."""
    if not path.is_dir():
        raise ConfigError("PATH", str(path), "must be an existing directory")
    if (path / "comparison.csv").is_file() and (path / "jobs.json").is_file():
        return "comparison"
    if (path / "sweep.parquet").is_file() or (path / "sweep.csv").is_file():
        return "sweep"
    if (path / "summary.csv").is_file() and (path / "job.json").is_file():
        return "run"
    raise ConfigError(
        "PATH",
        str(path),
        "is not a run, comparison or sweep directory "
        "(expected summary.csv + job.json, comparison.csv + jobs.json, or sweep.parquet)",
    )


def load(path: Path, max_rerun: int = 5) -> ReportData:
    """The report's data from a result directory of any kind."""
    kind = detect_kind(path)
    if kind == "run":
        return ReportData("run", path, [load_run(path)])
    if kind == "comparison":
        return load_comparison(path, max_rerun)
    return load_sweep(path)


class DamagedFileError(ConfigError):
    """A result file that is truncated, corrupted or changed since it was written."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(str(path), None, problem)
        self.args = (f"{path}: damaged result file: {problem}",)


def load_run(path: Path, name: str | None = None) -> Variant:
    """A run directory: job, summary, and the incident and busy tables if present."""
    status = _read_json(path / "status.json") if (path / "status.json").is_file() else {}
    _check_checksums(path, status)
    job = job_from_dict(_read_json(path / "job.json"))
    analysis = _read_json(path / "analysis.json") if (path / "analysis.json").is_file() else {}
    warmup = analysis.get("warmup_days", job.run.warmup_days)
    incidents = _parquet(path / "incidents.parquet")
    busy = _parquet(path / "busy.parquet")
    return Variant(
        name=name or job.scenario.name,
        job=job,
        warmup_days=float(warmup),
        summary=_csv(path / "summary.csv", SUMMARY_COLUMNS),
        incidents=incidents,
        busy=busy,
        matters=_parquet(path / "matters.parquet"),
        overrides=tuple(status.get("overrides") or ()),
    )


def load_comparison(path: Path, max_rerun: int) -> ReportData:
    """A comparison directory; incident tables re-simulated from its jobs on the same seeds."""
    table = _csv(path / "comparison.csv", ("scenario", *SUMMARY_COLUMNS))
    jobs = [job_from_dict(d) for d in _read_json(path / "jobs.json")]
    analysis = _read_json(path / "analysis.json") if (path / "analysis.json").is_file() else {}
    n_replications = int(analysis.get("n_replications", jobs[0].run.replications))
    warmup = float(analysis.get("warmup_days", jobs[0].run.warmup_days))
    n_rerun = min(n_replications, max_rerun)
    variants = []
    for job in jobs:
        rows = table[table["scenario"] == job.scenario.name]
        summary = rows[["metric", "mean", "sd", "ci_low", "ci_high", "n"]].reset_index(drop=True)
        incidents, busy, matters = _rerun(job, warmup, n_rerun)
        variants.append(Variant(job.scenario.name, job, warmup, summary, incidents, busy, matters))
    note = (
        f"Incident-level figures (distributions, demand, utilisation by station) come from "
        f"replications 0-{n_rerun - 1} of the comparison, re-simulated from jobs.json on the "
        f"same seeds; KPI tables are the comparison's own ({n_replications} replications)."
    )
    return ReportData("comparison", path, variants, comparison=table, note=note)


def load_sweep(path: Path) -> ReportData:
    """A sweep directory: the sweep table and each completed job as a run."""
    sweep_file = path / "sweep.parquet"
    table = _parquet(sweep_file) if sweep_file.is_file() else _csv(path / "sweep.csv", ("job",))
    assert table is not None
    if "status" not in table.columns or "job" not in table.columns:
        raise DamagedFileError(sweep_file, "has no job and status columns")
    per_job = table.drop_duplicates("job").set_index("job")
    swept = swept_keys(table)
    variants, excluded = [], []
    for job_name, row in per_job.iterrows():
        reason = "" if pd.isna(row.get("error")) else str(row.get("error"))
        if row["status"] != COMPLETED:
            excluded.append((job_name, row["status"], reason or _why(str(row["status"]))))
            continue
        # a job damaged since the table was written is refused (DamagedFileError names the
        # file): the table is stale, and `jointduty collect` lists the job as damaged
        variant = load_run(path / str(job_name), name=str(job_name))
        label = ", ".join(f"{short_key(k)}={_value(row[k])}" for k in swept) or str(job_name)
        variants.append(replace(variant, label=label))
    if not variants:
        raise ConfigError("PATH", str(path), "is a sweep without completed jobs")
    left_out = pd.DataFrame(excluded, columns=["job", "status", "reason"])
    values = {k: sorted(per_job[k].dropna().unique().tolist(), key=str) for k in swept}
    return ReportData("sweep", path, variants, sweep=table, swept=values, excluded=left_out)


def swept_keys(table: pd.DataFrame) -> list[str]:
    """The override keys of a sweep table whose value differs between jobs."""
    columns = list(table.columns)
    keys = columns[columns.index("status") + 1 : columns.index("metric")]
    per_job = table.drop_duplicates("job")
    return [k for k in keys if per_job[k].astype(str).nunique() > 1]


def _value(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _why(status: str) -> str:
    return {
        "incomplete": "no status.json: the job is still running or died before it finished",
        "failed": "the job raised an error (see its run.log)",
        "damaged": "a result file is missing or changed since the job completed",
    }.get(status, "not completed")


def job_from_dict(data: dict[str, object]) -> JobConfig:
    """A JobConfig from `job.json` (scenario, run and placement as written)."""
    scenario = dict(data["scenario"])  # type: ignore[call-overload]
    return validate({**scenario, "run": data["run"], "placement": data.get("placement") or {}})


def _rerun(job: JobConfig, warmup_days: float, n_replications: int):  # type: ignore[no-untyped-def]
    from sim.experiment.replications import run_replication

    run = replace(job.run, warmup_days=warmup_days)
    incidents, busy, matters = [], [], []
    for replication in range(n_replications):
        records, _kpis = run_replication(job.scenario, run, replication)
        incidents.append(records.incidents.assign(replication=replication))
        busy.append(records.busy.assign(replication=replication))
        own = getattr(records, "matters", None)  # records gain a matters table with matters
        if isinstance(own, pd.DataFrame):
            matters.append(own.assign(replication=replication))
    return (
        pd.concat(incidents, ignore_index=True),
        pd.concat(busy, ignore_index=True),
        pd.concat(matters, ignore_index=True) if matters else None,
    )


def _check_checksums(path: Path, status: object) -> None:
    if isinstance(status, dict) and status.get("status") == COMPLETED:
        problem = damage(path, status)
        if problem:
            name, _, why = problem.partition(": ")
            raise DamagedFileError(path / name, why)


def _parquet(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    try:
        return pd.read_parquet(path)
    except Exception as error:  # pyarrow raises several types for a corrupt file
        raise DamagedFileError(path, f"unreadable Parquet ({_first_line(error)})") from None


def _csv(path: Path, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """A CSV table that is whole: it parses, has its columns, and ends with a full line."""
    try:
        text = path.read_text()
        table = pd.read_csv(path)
    except FileNotFoundError:
        raise DamagedFileError(path, "missing") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise DamagedFileError(path, f"unreadable CSV ({_first_line(error)})") from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DamagedFileError(path, "lacks the columns " + ", ".join(missing))
    if not text.endswith("\n") or table.empty:
        raise DamagedFileError(path, "truncated (it ends mid-row or has no rows)")
    return table


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _read_json(path: Path):  # type: ignore[no-untyped-def]
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ConfigError(str(path), None, f"cannot be read: {error}") from None
