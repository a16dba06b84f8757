"""`jointduty report PATH`: pictures and tables of a run, a comparison or a sweep."""

from __future__ import annotations

from pathlib import Path

from sim.cli.common import CommandParser
from sim.config.schema import ConfigError
from sim.report.build import write_report
from sim.report.data import load
from sim.results.outdir import require_writable_dir

DESCRIPTION = """\
Write report.md (with its PNG pictures beside it) and report.html (one self-contained page)
for the result directory PATH: a run (`jointduty run`), a comparison (`jointduty compare`)
or a sweep (`jointduty run -m`). Every KPI is shown with its 95 % confidence interval;
comparisons also get the paired differences to the first scenario."""


def build_parser() -> CommandParser:
    parser = CommandParser(
        "report",
        DESCRIPTION,
        overrides=False,
        scenario=None,
        examples=[
            "jointduty report results/compare/2026-01-05_10-00-00",
            "jointduty report results/sweeps/station_sweep --out report/",
        ],
    )
    parser.add_argument("path", metavar="PATH", type=Path, help="run, comparison or sweep dir")
    parser.add_argument("--out", type=Path, help="where to write the report (default: PATH)")
    parser.add_argument(
        "--max-rerun",
        type=int,
        default=5,
        metavar="N",
        help="comparisons: replications re-simulated for incident-level pictures (default 5)",
    )
    return parser


def main(args: list[str]) -> int:
    options = build_parser().parse(args)
    require_writable_dir("--out" if options.out else "PATH", options.out or options.path)
    if options.max_rerun < 1:
        raise ConfigError("--max-rerun", options.max_rerun, "must be >= 1")
    data = load(options.path, options.max_rerun)
    out_dir = options.out or options.path
    written = write_report(data, out_dir)
    print(f"report of the {data.kind} in {data.path}: {len(written)} files written to {out_dir}")
    for path in written:
        print(f"  {path.name}")
    return 0
