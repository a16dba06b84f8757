"""Cross-check with a peer engine: the same priority queue in Ciw and in jointduty.

Ciw (Palmer et al. 2019, a queueing-network simulator) runs the `mmc_priority` model as
given by the scenario: one node, c servers, a Poisson stream per class, exponential service
with a common mean, non-preemptive priority classes, FIFO within a class. Each engine's mean
wait per class comes from independent replications of the quick plan (the same warm-up and
horizon); the two agree when the Welch 99 % interval of their difference contains 0. Ciw's
own means are also checked against Cobham's formula, so a mis-built peer model cannot pass
by agreeing with a mistaken jointduty. The six intervals are Bonferroni-adjusted to hold
together with probability 99 %.
"""

from __future__ import annotations

import math

import ciw
import numpy as np
import pytest
from scipy import stats

from sim.sweep.compose import compose_job
from sim.validation.assumptions import markov_station
from sim.validation.stats import per_check_confidence
from sim.validation.suite import VALIDATION_SEED, prepare

pytestmark = pytest.mark.slow

MIN_PER_DAY = 1440.0
DRAIN_MIN = 2 * MIN_PER_DAY  # run on after the horizon so every measured call is served
N_CHECKS = 6


def ciw_mean_waits_min(
    arrivals_per_min: tuple[float, ...],
    service_mean_min: float,
    n_servers: int,
    t_from_min: float,
    t_to_min: float,
    seed: int,
) -> list[float]:
    """Mean wait per class (0 = most urgent) of calls arriving in [t_from, t_to), in Ciw."""
    classes = [f"Class {k}" for k in range(len(arrivals_per_min))]
    network = ciw.create_network(
        arrival_distributions={
            c: [ciw.dists.Exponential(rate=r)]
            for c, r in zip(classes, arrivals_per_min, strict=True)
        },
        service_distributions={
            c: [ciw.dists.Exponential(rate=1.0 / service_mean_min)] for c in classes
        },
        number_of_servers=[n_servers],
        priority_classes={c: k for k, c in enumerate(classes)},
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(t_to_min + DRAIN_MIN)
    still_waiting = [i for queue in simulation.nodes[1].individuals for i in queue]
    assert all(i.arrival_date >= t_to_min for i in still_waiting), "drain too short"
    waits: dict[str, list[float]] = {c: [] for c in classes}
    for record in simulation.get_all_records():
        if t_from_min <= record.arrival_date < t_to_min:
            waits[record.customer_class].append(record.waiting_time)
    return [float(np.mean(waits[c])) for c in classes]


def welch_half_width(a: np.ndarray, b: np.ndarray, confidence: float) -> float:
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    return float(stats.t.ppf(0.5 + confidence / 2, df)) * math.sqrt(va + vb)


def t_half_width(a: np.ndarray, confidence: float) -> float:
    return float(stats.t.ppf(0.5 + confidence / 2, len(a) - 1)) * a.std(ddof=1) / math.sqrt(len(a))


@pytest.fixture(scope="module")
def ciw_waits() -> np.ndarray:
    prepared = prepare("mmc_priority", quick=True, seed=VALIDATION_SEED, compose=compose_job)
    system = markov_station(prepared.config)
    run = prepared.run
    t_from = run.warmup_days * MIN_PER_DAY
    t_to = t_from + run.horizon_days * MIN_PER_DAY
    return np.array(
        [
            ciw_mean_waits_min(
                system.arrivals_per_min_by_priority,
                system.service_mean_min,
                system.n_units,
                t_from,
                t_to,
                seed=VALIDATION_SEED + r,
            )
            for r in range(run.replications)
        ]
    )


@pytest.mark.parametrize("priority", [1, 2, 3])
def test_ciw_and_jointduty_agree_on_the_mean_wait_of_each_class(
    priority, ciw_waits, quick_observations
):
    ours = next(
        np.array(o.values)
        for o in quick_observations
        if o.case == "mmc_priority" and o.metric == f"response_min_mean_prio{priority}"
    )
    peer = ciw_waits[:, priority - 1]
    difference = ours.mean() - peer.mean()
    half = welch_half_width(ours, peer, per_check_confidence(N_CHECKS))
    assert abs(difference) <= half, (ours.mean(), peer.mean(), half)


@pytest.mark.parametrize("priority", [1, 2, 3])
def test_the_ciw_model_itself_agrees_with_cobham(priority, ciw_waits):
    exact = prepare("mmc_priority", quick=True, seed=VALIDATION_SEED, compose=compose_job).theory
    peer = ciw_waits[:, priority - 1]
    half = t_half_width(peer, per_check_confidence(N_CHECKS))
    assert abs(peer.mean() - exact[f"response_min_mean_prio{priority}"]) <= half
