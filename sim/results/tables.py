"""Writing result tables: atomically, and carrying the configuration that made them.

Every file is written to a temporary name in the same folder and then renamed over the
target, so a reader (or a crashed run) never sees half a file. Parquet tables carry the
validated configuration as JSON in their schema metadata (`jointduty.config`), so a table
that travels alone still says what produced it.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.config.scenario import JobConfig
from sim.results.atomic import write_atomic

if TYPE_CHECKING:  # reading tables (`collect`) should not import the model
    from sim.experiment.replications import ExperimentResult

CONFIG_METADATA_KEY = b"jointduty.config"


def job_json(job: JobConfig) -> str:
    """The validated job as canonical JSON."""
    return json.dumps(dataclasses.asdict(job))  # key order matters: it orders the draws


def write_parquet(table: pd.DataFrame, path: Path, job: JobConfig | str) -> None:
    """A Parquet file with the job's config (or a given JSON text) in its metadata."""
    config = job if isinstance(job, str) else job_json(job)
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    metadata = {**(arrow.schema.metadata or {}), CONFIG_METADATA_KEY: config.encode()}
    write_atomic(path, lambda tmp: pq.write_table(arrow.replace_schema_metadata(metadata), tmp))


def write_json(data: object, path: Path) -> None:
    write_atomic(path, lambda tmp: tmp.write_text(json.dumps(data, indent=2, default=str) + "\n"))


def write_csv(table: pd.DataFrame, path: Path) -> None:
    write_atomic(path, lambda tmp: table.to_csv(tmp, index=False))


def write_results(result: ExperimentResult, job: JobConfig, out_dir: Path) -> list[Path]:
    """The run's tables in `out_dir`: incidents, matters and busy intervals, replications, summary,
    the job and (`analysis.json`) how many replications and which warm-up were used and why."""
    written = {
        "incidents.parquet": lambda p: write_parquet(result.incidents, p, job),
        "busy.parquet": lambda p: write_parquet(result.busy, p, job),
        "replications.csv": lambda p: write_csv(result.replications, p),
        "summary.csv": lambda p: write_csv(result.summary, p),
        "job.json": lambda p: write_atomic(p, lambda tmp: tmp.write_text(job_json(job) + "\n")),
    }
    if result.matters is not None:
        matters = result.matters
        written["matters.parquet"] = lambda p: write_parquet(matters, p, job)
    if result.analysis is not None:
        analysis = dataclasses.asdict(result.analysis)
        written["analysis.json"] = lambda p: write_json(analysis, p)
    for name, write in written.items():
        write(out_dir / name)
    return [out_dir / name for name in written]


def read_config(path: Path) -> dict[str, object]:
    """The job config stored in a Parquet table's metadata."""
    metadata = pq.read_schema(path).metadata or {}
    return json.loads(metadata[CONFIG_METADATA_KEY])
