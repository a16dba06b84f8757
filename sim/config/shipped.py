"""Where the shipped configs live: `conf/` and `scenarios/`, installed or in a checkout."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCENARIO_FILE = "scenario.yaml"  # a scenario is a folder of scenarios/ holding this file


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
