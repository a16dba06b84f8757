"""`jointduty fit-demand` on a small real sample: the files it writes and its errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.cli.main import main
from sim.model.replay import load_trace
from sim.model.replication import Model
from sim.model.streams import Streams

from .support import FIXTURE, REPO, scenario_from_district

COLUMNS = ["--time-col", "time", "--type-col", "nature"]
PLACES = ["--lat-col", "latitude", "--lon-col", "longitude"]
TWO_WEEKS = ["--start", "2018-05-01", "--end", "2018-05-15"]  # whole days, each weekday twice


def fit_demand_command(argv: list[str]) -> int:
    return main(["fit-demand", *argv])


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    out = tmp_path_factory.mktemp("fit")
    argv = [str(FIXTURE), *COLUMNS, *PLACES, *TWO_WEEKS, "--hotspots", "3"]
    argv += ["--out", str(out / "mke.yaml"), "--trace-out", str(out / "trace.csv")]
    assert fit_demand_command(argv) == 0
    return out


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    """The fixture's calls in the two weeks, read independently of sim code."""
    log = pd.read_csv(FIXTURE)
    log["time"] = pd.to_datetime(log["time"])
    log = log[(log["time"] >= "2018-05-01") & (log["time"] < "2018-05-15")]
    return log.sort_values("time", kind="stable")


def test_it_writes_the_district_the_type_mapping_and_the_trace(fitted):
    assert sorted(p.name for p in fitted.iterdir()) == ["mke.yaml", "mke_types.csv", "trace.csv"]


def test_rates_weights_and_shares_match_a_direct_count_of_the_sample(fitted, sample):
    district = yaml.safe_load((fitted / "mke.yaml").read_text())
    demand = district["demand"]
    assert demand["per_day"] == pytest.approx(len(sample) / 14, abs=0.005)
    by_hour = sample["time"].dt.hour.value_counts().reindex(range(24), fill_value=0)
    np.testing.assert_allclose(demand["hour_of_day"], 24 * by_hour / len(sample), atol=5e-5)
    by_day = sample["time"].dt.day_of_week.value_counts().sort_index()
    np.testing.assert_allclose(demand["day_of_week"], by_day / by_day.mean(), atol=5e-5)
    shares = sample["nature"].value_counts(normalize=True)
    types = district["incident_types"]
    assert types["traffic_stop"]["share"] == pytest.approx(shares["TRAFFIC STOP"], rel=5e-4)
    top8 = shares.sort_values(ascending=False, kind="stable").head(8)
    assert types["other"]["share"] == pytest.approx(1 - top8.sum(), rel=5e-4)


def test_the_type_mapping_accounts_for_every_call_used(fitted, sample):
    mapping = pd.read_csv(fitted / "mke_types.csv")
    assert list(mapping.columns) == ["log_type", "scenario_type", "n_rows"]
    assert mapping["n_rows"].sum() == len(sample)
    assert (mapping["scenario_type"] != "other").sum() == 8


def test_the_fitted_district_is_a_valid_scenario_the_model_runs(fitted):
    scenario, _ = scenario_from_district(fitted / "mke.yaml", n_police=4)
    assert len(scenario.region.hotspots) == 3
    model = Model(scenario, Streams(1, 0), warmup_min=0.0, horizon_min=1440.0)
    records = model.run()
    assert len(records.incidents) > 0


def test_the_trace_replays_the_sample_s_calls_at_their_places(fitted, sample):
    scenario, projection = scenario_from_district(fitted / "mke.yaml", n_police=4)
    streams = Streams(1, 0)
    stream = load_trace(
        fitted / "trace.csv",
        scenario,
        streams["handling"],
        t_end_min=14 * 1440.0,
        rng_for_locations=streams["locations"],
        projection=projection,
    )
    assert len(stream) == len(sample)
    minutes = (sample["time"] - pd.Timestamp("2018-05-01")) / pd.Timedelta(minutes=1)
    np.testing.assert_allclose(stream.t_arrival_min, minutes.to_numpy())
    x_km, y_km = projection.to_km(sample["latitude"].to_numpy(), sample["longitude"].to_numpy())
    near = np.hypot(stream.x_km - x_km, stream.y_km - y_km) < 0.001  # same rows, same order
    assert near.mean() > 0.97  # the rest had no place inside the region and were drawn
    records = Model(
        scenario, streams, warmup_min=0.0, horizon_min=2 * 1440.0, incidents=stream
    ).run()
    assert len(records.incidents) == len(sample)


def test_the_gap_in_the_log_is_reported_and_left_out(tmp_path, capsys):
    argv = [str(FIXTURE), *COLUMNS, "--out", str(tmp_path / "all.yaml")]
    assert fit_demand_command(argv) == 0
    err = capsys.readouterr().err
    assert "jointduty: warning: gap in the log from 2018-05-17" in err
    header = (tmp_path / "all.yaml").read_text().splitlines()[1]
    observed_days = float(header.split(" over ")[1].split()[0])
    # 2018-05-01 00:10 to 2018-05-21 14:09 is 20.58 days; the gap is about 22 h of it
    assert 19.5 < observed_days < 19.8


def test_a_type_map_drops_officer_activity_and_a_base_supplies_teams(tmp_path):
    type_map = tmp_path / "map.csv"
    type_map.write_text(
        "log_type,scenario_type\nTRAFFIC STOP,drop\nBUSINESS CHECK,drop\nRETURN STATION,drop\n"
        "TRBL W/SUBJ,dispute\nFAMILY TROUBLE,dispute\nTHEFT,theft\nENTRY,theft\nACC PDO,traffic\n"
    )
    out = tmp_path / "taozhu_like.yaml"
    argv = [str(FIXTURE), *COLUMNS, *PLACES, *TWO_WEEKS, "--type-map", str(type_map)]
    assert fit_demand_command([*argv, "--base", "taozhu_2019", "--out", str(out)]) == 0
    district = yaml.safe_load(out.read_text())
    assert list(district["incident_types"]) == ["dispute", "theft", "traffic", "other"]
    assert district["incident_types"]["dispute"]["handling"]["median_min"] == 62.0
    assert "mediator" in district["roles"]
    text = out.read_text()
    assert "dispute:  # log: 2 types" in text and "from --base" in text
    scenario, _ = scenario_from_district(out)
    assert set(scenario.incident_types) == {"dispute", "theft", "traffic", "other"}


def test_without_a_base_the_placeholders_are_marked(fitted):
    text = (fitted / "mke.yaml").read_text()
    assert "roles:  # PLACEHOLDER" in text
    assert "priority/team/handling PLACEHOLDER" in text


def test_the_same_log_gives_byte_identical_files(fitted, tmp_path):
    argv = [str(FIXTURE), *COLUMNS, *PLACES, *TWO_WEEKS, "--hotspots", "3"]
    argv += ["--out", str(tmp_path / "mke.yaml"), "--trace-out", str(tmp_path / "trace.csv")]
    assert fit_demand_command(argv) == 0
    for name in ("mke.yaml", "mke_types.csv", "trace.csv"):
        assert (tmp_path / name).read_bytes() == (fitted / name).read_bytes()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--time-col", "when"], "--time-col = 'when': must name a column of the log"),
        (["--type-col", "kind"], "--type-col = 'kind'"),
        (["--time-col", "location"], "location = '5237 N 35TH ST,MKE': is not a timestamp"),
        (["--lat-col", "latitude"], "--lat-col/--lon-col = 'latitude': give both or none"),
        (["--start", "2019-01-01", "--end", "2019-02-01"], "no calls left in the window"),
        (["--end", "2018-04-01"], "--end = '2018-04-01 00:00:00': must be after"),
        (["--hotspots", "-1"], "--hotspots = -1"),
        (["--base", "atlantis"], "--base = 'atlantis': must be a YAML file or one of"),
    ],
)
def test_bad_options_end_in_one_config_error_line_and_exit_2(tmp_path, capsys, change, message):
    argv = [str(FIXTURE), *COLUMNS, "--out", str(tmp_path / "x.yaml"), *change]
    assert fit_demand_command(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("jointduty: config error: ") and message in err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "x.yaml").exists()


def test_an_empty_file_and_an_unreadable_timestamp_are_named(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert fit_demand_command([str(empty), *COLUMNS]) == 2
    assert "empty file" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("time,nature\n2018-05-01 00:00:14,THEFT\n2018-13-45 99:00:00,THEFT\n")
    assert fit_demand_command([str(bad), *COLUMNS]) == 2
    err = capsys.readouterr().err
    assert "time = '2018-13-45 99:00:00': cannot be read as a timestamp" in err


@pytest.mark.slow


def test_the_jointduty_command_routes_fit_demand(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sim", "fit-demand", str(FIXTURE), *COLUMNS, "--out", "d.yaml"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "calls used" in result.stdout and "separability" in result.stdout
    assert (tmp_path / "d.yaml").is_file() and (tmp_path / "d_types.csv").is_file()
    assert str(REPO) not in result.stdout
