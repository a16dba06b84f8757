"""Back-test: today's joint-duty scenario, every mechanism on, reproduces its stored tables."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.config import validate
from sim.experiment import run_experiment
from tests.regression.make_mechanism_golden import GOLDEN, SCENARIOS


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_stored_config_reproduces_the_mechanism_golden_tables(scenario):
    stored = json.loads((GOLDEN / f"{scenario}.job.json").read_text())
    job = validate({**stored["scenario"], "run": stored["run"]})
    result = run_experiment(job)
    golden_incidents = pd.read_csv(GOLDEN / f"{scenario}.incidents.csv")
    incidents = result.incidents[golden_incidents.columns]
    for column in ("kind", "station", "team"):
        incidents = incidents.assign(**{column: incidents[column].astype(str)})
    golden_incidents = golden_incidents.assign(team=golden_incidents["team"].fillna(""))
    assert len(golden_incidents) > 500 and golden_incidents["is_repeat"].any()  # it covers repeats
    pd.testing.assert_frame_equal(
        incidents.reset_index(drop=True), golden_incidents, check_dtype=False, check_exact=True
    )
    golden_replications = pd.read_csv(GOLDEN / f"{scenario}.replications.csv")
    pd.testing.assert_frame_equal(
        result.replications[golden_replications.columns],
        golden_replications,
        check_dtype=False,
        check_exact=True,
    )
