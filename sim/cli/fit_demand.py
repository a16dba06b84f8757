"""`jointduty fit-demand LOG.csv ... --time-col C --type-col C`: demand fitted to a call log."""

from __future__ import annotations

from sim.cli.common import CommandParser
from sim.demand.district_file import load_base, write_outputs
from sim.demand.fit import check_outputs, fit_log
from sim.demand.report import print_summary
from sim.sweep.compose import compose_config

DESCRIPTION = """\
Fit a district's demand to a real incident log: the hour-of-day x weekday rate profile, the
type mix and, given coordinates, a local km projection and the hotspots. Writes a
district-style YAML file a scenario can load (`defaults: [/district: NAME]`), the mapping
from the log's types to the scenario's as CSV and, with --trace-out, the calls as a trace
for replay. Every file is written atomically; a summary is printed."""
EXAMPLES = [
    "jointduty fit-demand calls.csv --time-col time --type-col category --out my_district.yaml",
    "jointduty fit-demand calls.csv --time-col t --type-col type --lat-col lat --lon-col lon "
    "--base taozhu_2019",
]


def build_parser() -> CommandParser:
    p = CommandParser("fit-demand", DESCRIPTION, overrides=False, scenario=None, examples=EXAMPLES)
    p.add_argument("files", nargs="+", metavar="FILE", help="incident log CSV files (.gz ok)")
    p.add_argument("--time-col", required=True, help="column with the call time")
    p.add_argument("--type-col", required=True, help="column with the call type")
    p.add_argument("--lat-col", help="column with the latitude (with --lon-col)")
    p.add_argument("--lon-col", help="column with the longitude (with --lat-col)")
    p.add_argument("--time-format", help="strftime format of the times (default: guessed)")
    p.add_argument("--start", help="window start, e.g. 2018-05-01 (default: first call)")
    p.add_argument("--end", help="window end, exclusive (default: just after the last call)")
    p.add_argument("--exclude", action="append", default=[], metavar="COL=VALUE")
    p.add_argument("--type-map", help="CSV log_type,scenario_type (or YAML); target drop drops")
    p.add_argument("--top-types", type=int, default=8, help="without --type-map (default 8)")
    p.add_argument("--hotspots", type=int, default=5, help="hotspots to fit (default 5)")
    p.add_argument("--trim", type=float, default=0.005, help="outlier share cut per axis")
    p.add_argument("--min-spread-km", type=float, default=0.1)
    p.add_argument("--max-gap-hours", type=float, default=6.0, help="shortest gap to report")
    p.add_argument("--seed", type=int, default=0, help="seed of the k-means starts")
    p.add_argument("--base", help="scenario, district or YAML file giving types' teams etc.")
    p.add_argument("--out", default="fitted_district.yaml", help="the district YAML to write")
    p.add_argument("--map-out", help="type mapping CSV (default: OUT stem + _types.csv)")
    p.add_argument("--trace-out", help="also write the calls used as a trace CSV for replay")
    return p


def main(args: list[str]) -> int:
    options = build_parser().parse(args)
    check_outputs(options)
    base = load_base(options.base, compose_config) if options.base else None
    fit = fit_log(options)
    written = write_outputs(fit, options, base)
    print_summary(fit, written)
    return 0
