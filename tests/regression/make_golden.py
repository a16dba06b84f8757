"""Regenerate golden tables, only on purpose (say why in the commit).

- `python -m tests.regression.make_golden`: the core golden tables (`golden/`). They were made
  by the core model, before the joint-duty mechanisms existed, and must stay reproducible by
  the current model with every mechanism switched off.
- `python -m tests.regression.make_golden mechanisms`: `golden_mechanisms/`, today's
  `future_city_2021` with every mechanism on (rosters and handovers, volunteers' answers and
  call-out delays, joint teams with substitutes, `borrow`, follow-ups, referrals, repeat calls,
  deterrence), so that a change meant to be exact, such as a speed-up, is checked number for
  number by the suite; regenerate only when a change is meant to alter those numbers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sim.experiment.replications import run_experiment
from sim.results.tables import job_json
from sim.sweep.compose import compose_job

GOLDEN = Path(__file__).parent / "golden"
SCENARIOS = ("taozhu_2019", "future_city_2021")
RUN = ["run.replications=2", "run.horizon_days=7", "run.warmup_days=1", "run.seed=7"]

MECHANISM_GOLDEN = Path(__file__).parent / "golden_mechanisms"
MECHANISM_SCENARIOS = ("future_city_2021",)
MECHANISM_RUN = ["run.replications=2", "run.horizon_days=14", "run.warmup_days=1", "run.seed=11"]


def write_golden(directory: Path, scenarios: tuple[str, ...], run: list[str]) -> None:
    """Each scenario's job config, incident table and replication KPIs, into `directory`."""
    for scenario in scenarios:
        job = compose_job([f"scenario={scenario}", *run])
        result = run_experiment(job)
        config = json.dumps(json.loads(job_json(job)), indent=1)
        (directory / f"{scenario}.job.json").write_text(config + "\n")
        result.incidents.to_csv(directory / f"{scenario}.incidents.csv", index=False)
        result.replications.to_csv(directory / f"{scenario}.replications.csv", index=False)


def main(argv: list[str]) -> None:
    if argv == ["mechanisms"]:
        write_golden(MECHANISM_GOLDEN, MECHANISM_SCENARIOS, MECHANISM_RUN)
    elif not argv:
        write_golden(GOLDEN, SCENARIOS, RUN)
    else:
        raise SystemExit("usage: python -m tests.regression.make_golden [mechanisms]")


if __name__ == "__main__":
    main(sys.argv[1:])
