"""`incidents.source=trace` replays a log through the ordinary run path."""

from __future__ import annotations

import pytest

from sim.config.schema import ConfigError
from sim.experiment.replications import run_replication
from sim.sweep.compose import compose_job

ROWS = [
    ("2021-03-01 00:30:00", "dispute", 4.0, 4.0, 20.0),
    ("2021-03-01 02:00:00", "theft", 5.0, 5.0, 30.0),
    ("2021-03-01 13:15:00", "welfare", 6.0, 5.0, 40.0),
    ("2021-03-02 09:00:00", "traffic", 2.0, 3.0, 10.0),
]


def write_trace(tmp_path):
    path = tmp_path / "calls.csv"
    lines = ["time,type,x_km,y_km,handling_min"] + [",".join(map(str, row)) for row in ROWS]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_trace_replaces_the_sampled_calls_call_for_call(tmp_path):
    trace = write_trace(tmp_path)
    job = compose_job(
        [
            "scenario=taozhu_2019",
            "incidents.source=trace",
            f"incidents.trace_file={trace}",
            "run.horizon_days=2",
            "run.warmup_days=0",
        ]
    )
    records, _ = run_replication(job.scenario, job.run, 0)
    first_calls = records.incidents[~records.incidents["is_repeat"]]
    assert first_calls["kind"].astype(str).tolist() == [row[1] for row in ROWS]
    assert first_calls["t_arrival"].tolist() == [30.0, 120.0, 795.0, 1980.0]
    assert first_calls["handling_min"].tolist() == [20.0, 30.0, 40.0, 10.0]


def test_trace_mode_without_a_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"is required when incidents\.source=trace"):
        compose_job(["scenario=taozhu_2019", "incidents.source=trace"])
    with pytest.raises(ConfigError, match="no such file"):
        compose_job(
            [
                "scenario=taozhu_2019",
                "incidents.source=trace",
                f"incidents.trace_file={tmp_path}/x.csv",
            ]
        )
