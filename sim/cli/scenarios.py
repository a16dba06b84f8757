"""`jointduty scenarios`: the shipped scenarios, one line each with its description."""

from __future__ import annotations

from sim.cli.common import CommandParser
from sim.config.shipped import scenario_names
from sim.sweep.compose import compose_job


def build_parser() -> CommandParser:
    return CommandParser(
        "scenarios",
        "List the shipped scenarios (name and description); run one with "
        "`jointduty run scenario=NAME`.",
        overrides=False,
        scenario=None,
        examples=["jointduty scenarios", "jointduty run scenario=taozhu_2019"],
    )


def main(args: list[str]) -> int:
    build_parser().parse(args)
    for name in scenario_names():
        job = compose_job([f"scenario={name}"])
        print(f"{name:24s} {job.scenario.description}")
    return 0
