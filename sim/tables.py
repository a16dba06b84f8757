"""Writing result tables: atomically, and carrying the configuration that made them.

Every file is written to a temporary name in the same folder and then renamed over the
target, so a reader (or a crashed run) never sees half a file. Parquet tables carry the
validated configuration as JSON in their schema metadata (`jointduty.config`), so a table
that travels alone still says what produced it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.config import JobConfig
from sim.experiment import ExperimentResult

CONFIG_METADATA_KEY = b"jointduty.config"


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def job_json(job: JobConfig) -> str:
    """The validated job as canonical JSON."""
    return json.dumps(dataclasses.asdict(job))  # key order matters: it orders the draws


def write_parquet(table: pd.DataFrame, path: Path, job: JobConfig) -> None:
    """A Parquet file with the job's config in its metadata."""
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    metadata = {**(arrow.schema.metadata or {}), CONFIG_METADATA_KEY: job_json(job).encode()}
    write_atomic(path, lambda tmp: pq.write_table(arrow.replace_schema_metadata(metadata), tmp))


def write_csv(table: pd.DataFrame, path: Path) -> None:
    write_atomic(path, lambda tmp: table.to_csv(tmp, index=False))


def write_results(result: ExperimentResult, job: JobConfig, out_dir: Path) -> list[Path]:
    """The run's tables in `out_dir`: incidents and busy intervals, replications, summary."""
    written = {
        "incidents.parquet": lambda p: write_parquet(result.incidents, p, job),
        "busy.parquet": lambda p: write_parquet(result.busy, p, job),
        "replications.csv": lambda p: write_csv(result.replications, p),
        "summary.csv": lambda p: write_csv(result.summary, p),
        "job.json": lambda p: write_atomic(p, lambda tmp: tmp.write_text(job_json(job) + "\n")),
    }
    for name, write in written.items():
        write(out_dir / name)
    return [out_dir / name for name in written]


def read_config(path: Path) -> dict[str, object]:
    """The job config stored in a Parquet table's metadata."""
    metadata = pq.read_schema(path).metadata or {}
    return json.loads(metadata[CONFIG_METADATA_KEY])
