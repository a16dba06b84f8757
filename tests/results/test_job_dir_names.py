"""Sweep job folder names: readable `key=value` with short keys, never cut, stable per set."""

from __future__ import annotations

from sim.results.jobstatus import MAX_READABLE_CHARS, job_dir_name, short_key

STAFF = "stations.future_city_joint_duty.staff.grid_worker.count"


def test_a_station_staff_key_is_shortened_to_station_initials_and_role():
    assert short_key(STAFF) == "fcjd.grid_worker"
    assert short_key("++stations.taozhu_police_station.staff.police") == "tps.police"
    assert short_key("placement.n_stations") == "n_stations"
    assert short_key("run.seed") == "seed"
    assert short_key("incident_types.dispute.stages") == "incident_types.dispute.stages"


def test_folder_name_shows_every_swept_value_and_a_hash_of_the_whole_set():
    overrides = [f"{STAFF}=3", "stations.future_city_joint_duty.staff.police.count=2", "run.seed=1"]
    name = job_dir_name(overrides, {STAFF, "stations.future_city_joint_duty.staff.police.count"})
    readable, _, digest = name.rpartition("-")
    assert readable == "fcjd.grid_worker=3,fcjd.police=2"
    assert len(digest) == 10


def test_the_same_override_set_in_another_order_gets_the_same_folder():
    a = job_dir_name([f"{STAFF}=3", "run.seed=1"])
    assert a == job_dir_name(["run.seed=1", f" {STAFF}=3"])
    assert a != job_dir_name([f"{STAFF}=3", "run.seed=2"])


def test_a_long_name_drops_whole_overrides_and_says_how_many():
    overrides = [f"stations.s{i}_station.staff.role_{i}=100" for i in range(30)]
    name = job_dir_name(overrides)
    readable = name.rpartition("-")[0]
    assert len(readable) <= MAX_READABLE_CHARS + 4
    *kept, more = readable.split(",")
    assert all(part.endswith("=100") for part in kept)  # none cut mid-override
    assert more == f"+{30 - len(kept)}"
