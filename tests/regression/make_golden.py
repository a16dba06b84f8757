"""Regenerate the golden tables: `python -m tests.regression.make_golden` (only on purpose).

The golden tables were made by the core model (before the joint-duty mechanisms existed) and
must stay reproducible by the current model with every mechanism switched off.
"""

from __future__ import annotations

import json
from pathlib import Path

from sim.composition import compose_job
from sim.experiment import run_experiment
from sim.tables import job_json

GOLDEN = Path(__file__).parent / "golden"
SCENARIOS = ("taozhu_2019", "future_city_2021")
RUN = ["run.replications=2", "run.horizon_days=7", "run.warmup_days=1", "run.seed=7"]


def main() -> None:
    for scenario in SCENARIOS:
        job = compose_job([f"scenario={scenario}", *RUN])
        result = run_experiment(job)
        config = json.dumps(json.loads(job_json(job)), indent=1)
        (GOLDEN / f"{scenario}.job.json").write_text(config + "\n")
        result.incidents.to_csv(GOLDEN / f"{scenario}.incidents.csv", index=False)
        result.replications.to_csv(GOLDEN / f"{scenario}.replications.csv", index=False)


if __name__ == "__main__":
    main()
