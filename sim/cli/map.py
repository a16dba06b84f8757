"""`jointduty map [SCENARIO] [key=value ...] [--out DIR]`: the district map of a scenario."""

from __future__ import annotations

from pathlib import Path

from sim.cli.common import CommandParser
from sim.config.schema import ConfigError
from sim.model.staff import seat_routes
from sim.model.streams import Streams
from sim.report.maps import scenario_map
from sim.results.files import write_atomic
from sim.sweep.compose import compose_job

DESCRIPTION = """\
Draw the district of a scenario as map.png: its region, the stations by kind with their peak
staff on duty, the hotspots and the expected call density (calls per day per km², from the
scenario's demand surface), and the routes its staff walk between calls (beat routes, grid
blocks, posts; those of replication 0 of `run.seed`). A province (stations named by district,
such as zhejiang_712) is drawn as its districts, each coloured by its expected calls per day.
For the slow places (median response and settlement by cell) run the scenario and use
`jointduty report`."""
EXAMPLES = [
    "jointduty map                              # the default scenario",
    "jointduty map taozhu_2019 --out maps/",
    "jointduty map zhejiang_712                 # the province, district by district",
]
DPI = 110


def build_parser() -> CommandParser:
    parser = CommandParser(
        "map",
        DESCRIPTION,
        examples=EXAMPLES,
        positional=("SCENARIO|key=value", "a scenario name, and config overrides"),
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="where to write map.png (.)")
    return parser


def main(args: list[str]) -> int:
    options = build_parser().parse_intermixed_args(list(args))
    names = [a for a in options.overrides if "=" not in a]
    if len(names) > 1:
        raise ConfigError("SCENARIO", names, "name at most one scenario")
    overrides = [f"scenario={n}" for n in names] + [a for a in options.overrides if "=" in a]
    job = compose_job(overrides)
    routes = seat_routes(job.scenario, Streams(job.run.seed, 0))
    figure = scenario_map(job.scenario, routes)
    out_dir = options.out or Path(".")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "map.png"
    write_atomic(path, lambda tmp: figure.savefig(tmp, format="png", dpi=DPI))
    print(f"map of {job.scenario.name} written to {path}")
    return 0
