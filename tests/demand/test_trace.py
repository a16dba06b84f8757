"""Replaying a trace: real arrival times, types and places instead of sampled ones."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config.schema import ConfigError
from sim.model.distributions import make_distribution
from sim.model.projection import Projection
from sim.model.replay import load_trace
from sim.model.replication import Model
from sim.model.streams import Streams
from tests.builders import scenario_of, tiny

TYPES = {
    "theft": {
        "share": 1.0,
        "priority": 2,
        "team": {"police": 1},
        "handling": {"dist": "fixed", "value_min": 30.0},
    },
    "dispute": {
        "share": 1.0,
        "priority": 1,
        "team": {"police": 1},
        "handling": {"dist": "exponential", "mean_min": 60.0},
    },
}
SCENARIO = scenario_of(tiny(incident_types=TYPES))
DAY_MIN = 1440.0


def write(tmp_path, text: str):
    path = tmp_path / "trace.csv"
    path.write_text(text)
    return path


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_times_types_places_and_handling_are_replayed_in_arrival_order(tmp_path):
    path = write(
        tmp_path,
        "time,type,x_km,y_km,handling_min\n"
        "2018-05-01 10:30:00,dispute,2.5,3.0,45\n"
        "2018-05-01 08:00:00,theft,1.0,1.0,12.5\n"
        "2018-05-02 00:00:30,theft,9.0,0.0,0\n",
    )
    stream = load_trace(path, SCENARIO, rng(), t_end_min=2 * DAY_MIN)
    # minute 0 is midnight of the first call's day
    np.testing.assert_allclose(stream.t_arrival_min, [480.0, 630.0, DAY_MIN + 0.5])
    assert list(stream.type_index) == [0, 1, 0]  # the scenario's type order
    np.testing.assert_allclose(stream.x_km, [1.0, 2.5, 9.0])
    np.testing.assert_allclose(stream.y_km, [1.0, 3.0, 0.0])
    np.testing.assert_allclose(stream.handling_min, [12.5, 45.0, 0.0])


def test_missing_handling_times_are_drawn_from_the_type_s_distribution_with_the_given_stream(
    tmp_path,
):
    rows = [f"2018-05-01 {h:02d}:00:00,{'dispute' if h % 2 else 'theft'},5,5\n" for h in range(24)]
    path = write(tmp_path, "time,type,x_km,y_km\n" + "".join(rows))
    stream = load_trace(path, SCENARIO, rng(7), t_end_min=DAY_MIN)
    theft, dispute = stream.type_index == 0, stream.type_index == 1
    assert np.all(stream.handling_min[theft] == 30.0)
    expected = make_distribution(SCENARIO.incident_types["dispute"].handling).sample(rng(7), 12)
    np.testing.assert_allclose(stream.handling_min[dispute], expected)  # theft draws none
    again = load_trace(path, SCENARIO, rng(7), t_end_min=DAY_MIN)
    np.testing.assert_array_equal(again.handling_min, stream.handling_min)


def test_lat_lon_places_use_the_projection_and_blank_places_are_drawn(tmp_path):
    projection = Projection(origin_lat_deg=43.0, origin_lon_deg=-88.0, ref_lat_deg=43.05)
    path = write(
        tmp_path,
        "time,type,latitude,longitude\n2018-05-01 01:00:00,theft,43.05,-87.95\n"
        "2018-05-01 02:00:00,theft,,\n",
    )
    stream = load_trace(
        path, SCENARIO, rng(), DAY_MIN, rng_for_locations=rng(3), projection=projection
    )
    x_km, y_km = projection.to_km(np.array([43.05]), np.array([-87.95]))
    assert (stream.x_km[0], stream.y_km[0]) == (x_km[0], y_km[0])
    assert 0 <= stream.x_km[1] <= 10 and 0 <= stream.y_km[1] <= 10
    with pytest.raises(ConfigError, match="1 calls have no place"):
        load_trace(path, SCENARIO, rng(), DAY_MIN, projection=projection)
    with pytest.raises(ConfigError, match=r"incidents\.projection"):
        load_trace(path, SCENARIO, rng(), DAY_MIN, rng_for_locations=rng(3))


def test_log_types_are_mapped_and_dropped_and_unknown_types_are_named(tmp_path):
    path = write(
        tmp_path,
        "time,type,x_km,y_km\n2018-05-01 01:00:00,ENTRY,1,1\n"
        "2018-05-01 02:00:00,TRAFFIC STOP,1,1\n2018-05-01 03:00:00,FAMILY TROUBLE,1,1\n",
    )
    type_map = {"ENTRY": "theft", "TRAFFIC STOP": "drop", "FAMILY TROUBLE": "dispute"}
    stream = load_trace(path, SCENARIO, rng(), DAY_MIN, type_map=type_map)
    assert list(stream.type_index) == [0, 1]
    np.testing.assert_allclose(stream.t_arrival_min, [60.0, 180.0])
    with pytest.raises(ConfigError) as caught:
        load_trace(path, SCENARIO, rng(), DAY_MIN)
    assert caught.value.value == "ENTRY" and "theft, dispute" in caught.value.allowed


def test_calls_outside_the_run_window_are_not_replayed_and_a_short_trace_is_an_error(tmp_path):
    path = write(
        tmp_path,
        "time,type,x_km,y_km\n2018-05-01 01:00:00,theft,1,1\n2018-05-01 23:30:00,theft,1,1\n",
    )
    stream = load_trace(path, SCENARIO, rng(), t_end_min=600.0)
    assert list(stream.t_arrival_min) == [60.0]
    later = load_trace(path, SCENARIO, rng(), 720.0, t_start="2018-05-01 12:00")
    assert list(later.t_arrival_min) == [690.0]  # the 01:00 call is before the start
    with pytest.raises(ConfigError, match=r"covers only 1\.00 days") as caught:
        load_trace(path, SCENARIO, rng(), t_end_min=2 * DAY_MIN)
    assert caught.value.key == "incidents.trace_file"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("time,kind\n2018-05-01 01:00:00,theft\n", "must have a column 'type'"),
        ("time,type,x_km,y_km\nlunchtime,theft,1,1\n", "lunchtime"),
        ("time,type,x_km,y_km\n2018-05-01 23:00:00,theft,12,1\n", "outside the region"),
        ("time,type,x_km,y_km,handling_min\n2018-05-01 23:00:00,theft,1,1,-5\n", ">= 0"),
        ("time,type,x_km,y_km,handling_min\n2018-05-01 23:00:00,theft,1,1,long\n", "number"),
        ("", "empty file"),
    ],
)
def test_a_bad_trace_is_one_clear_error_naming_the_trace(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_trace(path, SCENARIO, rng(), DAY_MIN)
    assert caught.value.key.startswith("incidents.trace_file")


def test_a_missing_trace_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_trace(tmp_path / "absent.csv", SCENARIO, rng(), DAY_MIN)


def test_the_model_replays_a_trace_call_for_call(tmp_path):
    times = [f"2018-05-01 {h:02d}:{m:02d}:00" for h in range(24) for m in (5, 35)]
    rows = [
        f"{t},{'theft' if i % 3 else 'dispute'},{i % 10},{(3 * i) % 10}"
        for i, t in enumerate(times)
    ]
    path = write(tmp_path, "time,type,x_km,y_km\n" + "\n".join(rows) + "\n")
    streams = Streams(seed=1, replication=0)
    incidents = load_trace(path, SCENARIO, streams["handling"], DAY_MIN)
    model = Model(SCENARIO, streams, warmup_min=0.0, horizon_min=DAY_MIN, incidents=incidents)
    records = model.run()
    table = records.incidents.sort_values("incident_id")
    assert len(table) == len(rows)
    expected_min = [60.0 * h + m for h in range(24) for m in (5, 35)]
    np.testing.assert_allclose(table["t_arrival"], expected_min)
    assert list(table["kind"]) == ["dispute" if i % 3 == 0 else "theft" for i in range(len(rows))]
    np.testing.assert_allclose(table["x_km"], [i % 10 for i in range(len(rows))])
    assert table["t_resolved"].notna().all()
