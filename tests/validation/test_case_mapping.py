"""How the cases read a scenario as a textbook model, and how they measure a replication."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.config.schema import ConfigError
from sim.sweep.compose import compose_job
from sim.validation.hypercube import nearest_atom, preference_lists
from sim.validation.observe import (
    Window,
    busy_share_by_station,
    daily_instants,
    number_busy_at,
    time_average_present,
)
from sim.validation.suite import prepare

# --- measurements on hand-made records ------------------------------------------------------


def test_the_time_average_counts_warmup_arrivals_still_waiting_in_the_window():
    window = Window(100.0, 200.0)
    log = [
        (90.0, "arrive", 0, ""),  # waits from 90 to 120: 20 min inside the window
        (110.0, "arrive", 1, ""),  # waits from 110 to 110: no time
        (110.0, "dispatch", 1, ""),
        (120.0, "dispatch", 0, ""),
        (150.0, "arrive", 2, ""),  # waits from 150 to 250: 50 min inside the window
        (250.0, "dispatch", 2, ""),
    ]
    assert time_average_present(log, "arrive", "dispatch", window) == pytest.approx(0.7)


def test_the_number_busy_counts_intervals_open_at_the_instant():
    busy = pd.DataFrame({"t_start": [0.0, 5.0, 5.0, 20.0], "t_end": [10.0, 5.0, 30.0, 25.0]})
    counts = number_busy_at(busy, np.array([0.0, 5.0, 10.0, 22.0, 30.0]))
    assert counts.tolist() == [1, 2, 1, 2, 0]


def test_daily_instants_are_the_times_of_day_inside_the_window():
    window = Window(1440.0, 4 * 1440.0)
    assert daily_instants(window, 180.0).tolist() == [1620.0, 3060.0, 4500.0]


def test_busy_share_is_clipped_to_the_window():
    busy = pd.DataFrame(
        {"station": ["a", "a", "b"], "t_start": [50.0, 150.0, 0.0], "t_end": [120.0, 170.0, 300.0]}
    )
    share = busy_share_by_station(busy, Window(100.0, 200.0))
    assert share.to_dict() == pytest.approx({"a": 0.4, "b": 1.0})


# --- theory read from the scenario that is simulated ---------------------------------------


def test_an_override_changes_the_theory_as_well_as_the_simulation():
    prepared = prepare("mmc", quick=True, seed=1, overrides=["mmc.servers=5"], compose=compose_job)
    assert prepared.theory["utilisation_police"] == pytest.approx(9.0 / 60 * 20.0 / 5)


def test_a_case_composes_its_scenario_with_the_function_it_is_handed():
    asked: list[list[str]] = []

    def recording(overrides):
        asked.append(list(overrides))
        return compose_job(overrides)

    prepare("mmc", quick=True, seed=3, overrides=["mmc.servers=5"], compose=recording)
    (overrides,) = asked
    assert overrides[0] == "scenario=mmc" and overrides[-1] == "mmc.servers=5"
    assert "run.seed=3" in overrides


@pytest.mark.parametrize(
    ("case", "override", "key"),
    [
        ("mmc", "roles.police.turnout_min=2", "travel"),
        ("mmc", "demand.hour_of_day=[2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]", "hour"),
        ("mmc_priority", "incident_types.urgent.handling.mean_min=5", "incident_types"),
        ("team_pairs", "incident_types.call.team.police=1", "team"),
        ("hypercube", "dispatch=nearest", "dispatch.policy"),
        ("hypercube", "region.hotspots.market.spread_km=0.5", "region.hotspots.market"),
        ("hypercube", "region.background_weight=1", "region.background_weight"),
    ],
)
def test_a_scenario_outside_the_theory_is_refused_naming_the_key(case, override, key):
    with pytest.raises(ConfigError, match=key.split(".")[0]):
        prepare(case, quick=True, seed=1, overrides=[override], compose=compose_job)


def test_sampler_cases_take_no_overrides():
    with pytest.raises(ConfigError, match="overrides"):
        prepare("sampler_exponential", quick=True, seed=1, overrides=["x=1"], compose=compose_job)


def test_hypercube_preference_lists_rank_stations_by_distance_from_each_atom():
    scenario = prepare("hypercube", quick=True, seed=1, compose=compose_job).config
    # stations: west (2, 2), south (7, 3), north (3, 8), east (8, 7.5)
    assert preference_lists(scenario) == [
        [0, 1, 2, 3],  # old_town (3, 3.2)
        [1, 3, 2, 0],  # market (6.2, 4.6)
        [2, 3, 1, 0],  # campus (4, 6.4)
        [3, 1, 2, 0],  # estate (8.6, 5.4)
    ]


def test_incidents_are_mapped_to_their_nearest_atom():
    scenario = prepare("hypercube", quick=True, seed=1, compose=compose_job).config
    atoms = nearest_atom(scenario, np.array([3.0, 8.6, 4.1]), np.array([3.2, 5.4, 6.3]))
    assert atoms.tolist() == [0, 3, 2]


def test_the_hypercube_dispatch_fractions_sum_to_one_and_workloads_to_the_offered_load():
    theory = prepare("hypercube", quick=True, seed=1, compose=compose_job).theory
    fractions = [v for k, v in theory.items() if k.startswith("dispatch_fraction_")]
    workloads = [v for k, v in theory.items() if k.startswith("workload_")]
    assert sum(fractions) == pytest.approx(1.0)
    assert sum(workloads) == pytest.approx(4.8 / 60 * 30.0)
