"""`jointduty collect SWEEP_DIR`: rebuild a sweep's table and say how its jobs stand."""

from __future__ import annotations

import sys
from pathlib import Path

from sim.cli.common import EXIT_FAILED, EXIT_OK, CommandParser
from sim.config.schema import ConfigError
from sim.results.collect import DAMAGED, TABLE_NAME, job_dirs, write_sweep_table
from sim.results.jobstatus import COMPLETED

DESCRIPTION = """\
Read every job directory under SWEEP_DIR (one with a status.json or Hydra's
.hydra/overrides.yaml) and write the tidy table of the sweep, one row per job and KPI, to
SWEEP_DIR/sweep.parquet and SWEEP_DIR/sweep.csv (atomically). It works during a sweep, after
it and after failures. Each job's status is completed, failed, incomplete (running, or died
without a marker) or damaged (marked completed but a file is missing or corrupted; the
error column names it). The exit status is 1 when a job is not completed (the table is
written all the same), as for `jointduty run -m`."""


def build_parser() -> CommandParser:
    parser = CommandParser(
        "collect",
        DESCRIPTION,
        overrides=False,
        scenario=None,
        examples=["jointduty collect results/sweeps/2026-01-05_10-00-00"],
    )
    parser.add_argument("sweep_dir", metavar="SWEEP_DIR", type=Path, help="a sweep directory")
    return parser


def main(args: list[str]) -> int:
    sweep_dir = build_parser().parse(args).sweep_dir
    if not sweep_dir.is_dir():
        raise ConfigError("SWEEP_DIR", str(sweep_dir), "must be an existing directory")
    if not job_dirs(sweep_dir):
        raise ConfigError("SWEEP_DIR", str(sweep_dir), "holds no job directories")
    table = write_sweep_table(sweep_dir)
    for job, error in table[table["status"] == DAMAGED][["job", "error"]].itertuples(index=False):
        print(f"jointduty: damaged job {job}: {error}", file=sys.stderr)
    unreadable = table["error"].fillna("").str.startswith(".hydra/overrides.yaml")
    for job, error in table[unreadable][["job", "error"]].drop_duplicates().itertuples(index=False):
        print(f"jointduty: job {job}: {error}", file=sys.stderr)
    counts = table.drop_duplicates("job")["status"].value_counts().to_dict()
    shown = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    print(f"{table['job'].nunique()} jobs: {shown}")
    print(f"table written to {sweep_dir / (TABLE_NAME + '.parquet')} and .csv")
    # As `jointduty run -m` does: 1 when a job is not complete, so that a script notices.
    return EXIT_OK if set(counts) <= {COMPLETED} else EXIT_FAILED
