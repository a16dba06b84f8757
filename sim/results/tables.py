"""Result tables: Parquet files that carry the configuration that made them, and the tables of
a run and of a comparison.

Parquet tables carry the validated configuration as JSON in their schema metadata
(`jointduty.config`), so a table that travels alone still says what produced it. Every file is
written atomically (`sim.results.files`): a reader (or a crashed run) never sees half a file.
This tier sits above `sim.experiment`: it writes the experiment's results, which never write
files themselves.
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
from sim.results.files import write_atomic, write_csv, write_json

if TYPE_CHECKING:  # reading tables (`collect`) should not import the model
    from sim.experiment.compare import Comparison
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


def write_results(result: ExperimentResult, job: JobConfig, out_dir: Path) -> list[Path]:
    """The run's tables in `out_dir`: incidents, matters, busy and state intervals (the staff's
    states that reach the window), replications, summary, the job and (`analysis.json`) how
    many replications and which warm-up were used and why."""
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
    if result.states is not None:
        states = result.states
        written["states.parquet"] = lambda p: write_parquet(states, p, job)
    if result.analysis is not None:
        analysis = dataclasses.asdict(result.analysis)
        written["analysis.json"] = lambda p: write_json(analysis, p)
    for name, write in written.items():
        write(out_dir / name)
    return [out_dir / name for name in written]


def write_comparison(comparison: Comparison, out_dir: Path) -> None:
    """The comparison's files, each atomically (status.json is written by the caller)."""
    jobs_json = "[" + ",".join(job_json(job) for job in comparison.jobs) + "]"
    write_csv(comparison.table, out_dir / "comparison.csv")
    write_parquet(comparison.table, out_dir / "comparison.parquet", jobs_json)
    long = pd.concat(
        [
            t.assign(scenario=n)
            for n, t in zip(comparison.names, comparison.replications, strict=True)
        ]
    )
    write_csv(
        long[["scenario"] + [c for c in long.columns if c != "scenario"]],
        out_dir / "replications.csv",
    )
    write_json(json.loads(jobs_json), out_dir / "jobs.json")
    write_json(dataclasses.asdict(comparison.analysis), out_dir / "analysis.json")


def read_config(path: Path) -> dict[str, object]:
    """The job config stored in a Parquet table's metadata."""
    metadata = pq.read_schema(path).metadata or {}
    return json.loads(metadata[CONFIG_METADATA_KEY])
