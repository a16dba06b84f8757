"""Where the shipped configs live (`conf/` and `scenarios/`, installed or in a checkout), and
the shape of the function that composes them.

Composing a shipped scenario with `key=value` overrides is Hydra's work, and only the sweep
tier imports Hydra (`sim.sweep.compose`). The tools below it that start from a shipped
scenario (validation cases, calibration, a fitted district's `--base`) are therefore handed
a composing function of the type `ComposeConfig` or `ComposeJob` by their command.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path

from sim.config.scenario import JobConfig

SCENARIO_FILE = "scenario.yaml"  # a scenario is a folder of scenarios/ holding this file

ComposeConfig = Callable[[Sequence[str]], dict[str, object]]
"""Overrides -> the composed config as a plain mapping (`sim.sweep.compose.compose_config`)."""
ComposeJob = Callable[[Sequence[str]], JobConfig]
"""Overrides -> the composed and validated job (`sim.sweep.compose.compose_job`)."""


def shipped_dir(name: str) -> Path:
    """The folder `conf` or `scenarios`: inside the installed package, else beside `sim/`."""
    try:
        spec = importlib.util.find_spec(f"sim.{name}")
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    candidate = Path(__file__).resolve().parents[2] / name  # a source checkout
    if candidate.is_dir():
        return candidate
    raise FileNotFoundError(f"cannot find the shipped folder {name!r} (broken install?)")


def scenario_names() -> list[str]:
    """Names of the shipped scenarios (folders of `scenarios/` with a scenario.yaml)."""
    root = shipped_dir("scenarios")
    return sorted(p.parent.name for p in root.glob(f"*/{SCENARIO_FILE}"))
