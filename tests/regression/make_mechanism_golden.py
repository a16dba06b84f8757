"""Regenerate the mechanism golden tables: `python -m tests.regression.make_mechanism_golden`.

Only on purpose: when a change is meant to alter the joint-duty model's numbers (say so in the
commit). `tests/regression/golden` pins the core model with every mechanism off; these pin
today's `future_city_2021` with all of them on (rosters and handovers, volunteers' answers
and call-out delays, joint teams with substitutes, `borrow`, follow-ups, referrals, repeat
calls, deterrence), so that a change meant to be exact, such as a speed-up, is checked
number for number by the suite, not only by its author.
"""

from __future__ import annotations

import json
from pathlib import Path

from sim.composition import compose_job
from sim.experiment import run_experiment
from sim.tables import job_json

GOLDEN = Path(__file__).parent / "golden_mechanisms"
SCENARIOS = ("future_city_2021",)
RUN = ["run.replications=2", "run.horizon_days=14", "run.warmup_days=1", "run.seed=11"]


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
