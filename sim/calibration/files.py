"""The calibration files the seed's scenarios load, and where `jointduty calibrate` writes them.

Three YAML files in `scenarios/calibration/`, options of the Hydra config group `calibration`:

- `zhuji_taozhu.yaml`: the district's fitted values (call rate, settling probabilities with the
  root-cause roles, the joint-duty station's deterrence), merged at the top level after the
  district by every scenario of the district (`- /calibration: zhuji_taozhu`);
- `future_city_2021.yaml`: the after scenario's joint-operation rates. They sit inside lists
  (`incident_types.<type>.stages`), which a merged file cannot change item by item, so the
  scenario loads this file under its own name (`- /calibration@future_city_2021:
  future_city_2021`) and refers to the values as `${future_city_2021.p_joint_mediation}`;
- `agency_desk.yaml`: the agency offices' own caseload before the reform, loaded the same way
  by the before scenarios (`- /calibration@taozhu_2019: agency_desk`, and under
  `shangcheng_police_room` by that scenario).

All are written atomically, with a header saying when and how they were fitted and what the
fitted values achieve. In a source checkout they go to `scenarios/calibration/`; from an
installed package (whose scenarios are not ours to change) to `./calibration/`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from sim.calibration.search import FitPoint, settled_with
from sim.config.shipped import shipped_dir
from sim.results.files import write_atomic

DISTRICT_FILE = "zhuji_taozhu.yaml"
AFTER_FILE = "future_city_2021.yaml"
DESK_FILE = "agency_desk.yaml"
INSTALLED_OUT = Path("calibration")


def default_out_dir() -> tuple[Path, str]:
    """Where to write by default, and a sentence saying where and why."""
    scenarios = shipped_dir("scenarios")
    if (scenarios.parent / "pyproject.toml").is_file():
        return scenarios / "calibration", f"the shipped scenarios load it from {scenarios}"
    return INSTALLED_OUT, (
        f"running from an installed package, so written to ./{INSTALLED_OUT}/ and not into "
        f"{scenarios}/calibration/, which the installed scenarios load: copy the files there "
        "to use them"
    )


def district_values(point: FitPoint, p_without: Mapping[str, float]) -> dict[str, object]:
    """The district file's content: keys merged over `scenarios/districts/zhuji_taozhu.yaml`."""
    types = {
        name: {"root_cause": {"p_settled_with": p}}
        for name, p in settled_with(point, p_without).items()
    }
    return {
        "demand": {"per_day": point.per_day},
        "incident_types": types,
        "deterrence": {"joint_duty": {"factor": point.deterrence_factor}},
    }


def after_values(point: FitPoint) -> dict[str, object]:
    """The after scenario's file: its joint-operation rates, referred to by interpolation."""
    return {
        "p_joint_mediation": point.p_joint_mediation,
        "p_joint_enforcement": point.p_joint_enforcement,
    }


def write_calibration(
    out_dir: Path, point: FitPoint, p_without: Mapping[str, float], header: Sequence[str]
) -> list[Path]:
    """The files into `out_dir`, each atomically and with the same header."""
    contents = {
        DISTRICT_FILE: district_values(point, p_without),
        AFTER_FILE: after_values(point),
    }
    contents[DESK_FILE] = {"per_staff_day": point.desk_per_staff_day}
    written = []
    for name, values in contents.items():
        text = _comment(header) + yaml.safe_dump(values, sort_keys=False)
        path = out_dir / name
        write_atomic(path, lambda tmp, text=text: tmp.write_text(text, encoding="utf-8"))
        written.append(path)
    return written


def _comment(lines: Sequence[str]) -> str:
    return "".join(f"# {line}".rstrip() + "\n" for line in lines)
