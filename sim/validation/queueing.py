"""Cases on one station with Poisson calls and exponential handling: M/M/c and its relatives.

- `mmc`: Erlang C. Mean wait, wait probability, wait tail at two thresholds, utilisation, and
  the time-average numbers waiting and in the system (Little's law: L = lambda W).
- `mmc_priority`: non-preemptive priority classes with a common service rate. Cobham's mean
  wait per class, and the conservation law: the all-class mean wait equals the FIFO M/M/c wait.
- `team_pairs`: every call needs two units at once; the exact stationary law of the small
  Markov chain (solved by `sim.validation.theory.team_pairs_metrics`).

With zero travel the response time is the wait in queue and a unit's busy time is its
handling time, so the KPIs `response_min_mean` and `utilisation_<role>` are the textbook
wait and traffic intensity.
"""

from __future__ import annotations

from sim.analysis import erlang
from sim.config.scenario import RunConfig
from sim.config.schema import ConfigError
from sim.experiment.replications import run_replication
from sim.model.records import EventLog, ReplicationRecords
from sim.validation import theory
from sim.validation.assumptions import (
    MarkovStation,
    markov_station,
    require_one_station,
    require_team_size,
)
from sim.validation.case import Case, Metrics, Plan, as_scenario, scenario_setup
from sim.validation.observe import Window, share_exceeding, time_average_present

TAIL_THRESHOLDS_MIN = (10.0, 30.0)  # P(wait > t) is checked at these waits


def _station(config: object, team_size: int) -> MarkovStation:
    scenario = as_scenario(config)
    require_one_station(scenario)
    system = markov_station(scenario)
    require_team_size(system, team_size)
    return system


def _replicate(
    config: object, run: RunConfig, replication: int
) -> tuple[Metrics, EventLog, ReplicationRecords]:
    log: EventLog = []
    records, kpis = run_replication(as_scenario(config), run, replication, event_log=log)
    return kpis, log, records


# --- M/M/c --------------------------------------------------------------------------------


def mmc_theory(config: object) -> Metrics:
    system = _station(config, team_size=1)
    if len(system.arrivals_per_min_by_priority) != 1:
        raise _one_priority_error(system)
    lam, s, c = system.arrival_per_min, system.service_mean_min, system.n_units
    metrics = {
        "response_min_mean": erlang.mmc_mean_wait_min(lam, s, c),
        "p_wait": erlang.erlang_c_wait_probability(lam, s, c),
    }
    for t_min in TAIL_THRESHOLDS_MIN:
        metrics[f"p_wait_over_{t_min:g}_min"] = erlang.mmc_wait_exceeds_probability(
            lam, s, c, t_min
        )
    metrics[f"utilisation_{system.role}"] = erlang.mmc_utilisation(lam, s, c)
    metrics["mean_number_waiting"] = erlang.mmc_mean_number_waiting(lam, s, c)
    metrics["mean_number_in_system"] = erlang.mmc_mean_number_in_system(lam, s, c)
    return metrics


def mmc_measure(config: object, run: RunConfig, replication: int) -> Metrics:
    system = _station(config, team_size=1)
    kpis, log, records = _replicate(config, run, replication)
    window = Window.of(run)
    waits = records.incidents["wait_min"]
    metrics = {"response_min_mean": kpis["response_min_mean"], "p_wait": kpis["p_wait"]}
    for t_min in TAIL_THRESHOLDS_MIN:
        metrics[f"p_wait_over_{t_min:g}_min"] = share_exceeding(waits, t_min)
    metrics[f"utilisation_{system.role}"] = kpis[f"utilisation_{system.role}"]
    metrics["mean_number_waiting"] = time_average_present(log, "arrive", "dispatch", window)
    metrics["mean_number_in_system"] = time_average_present(log, "arrive", "resolved", window)
    return metrics


def _one_priority_error(system: MarkovStation) -> Exception:
    return ConfigError(
        "incident_types.*.priority",
        len(system.arrivals_per_min_by_priority),
        "the mmc case needs a single priority level (use mmc_priority for classes)",
    )


MMC = Case(
    name="mmc",
    checks="Erlang C: P(wait), mean wait, P(wait > t); utilisation; Little's law for L and Lq",
    setup=scenario_setup("mmc"),
    theory=mmc_theory,
    measure=mmc_measure,
    quick=Plan(replications=20, horizon_days=60, warmup_days=2),
    full=Plan(replications=50, horizon_days=200, warmup_days=2),
)


# --- non-preemptive priority M/M/c -----------------------------------------------------------


def priority_theory(config: object) -> Metrics:
    system = _station(config, team_size=1)
    rates = system.arrivals_per_min_by_priority
    lam, s, c = system.arrival_per_min, system.service_mean_min, system.n_units
    waits = erlang.mmc_priority_mean_waits_min(rates, s, c)
    classes = zip(_priorities(config), waits, strict=True)
    metrics = {f"response_min_mean_prio{k}": wait for k, wait in classes}
    metrics["response_min_mean"] = erlang.mmc_mean_wait_min(lam, s, c)  # conservation law
    metrics["p_wait"] = erlang.erlang_c_wait_probability(lam, s, c)
    metrics[f"utilisation_{system.role}"] = erlang.mmc_utilisation(lam, s, c)
    return metrics


def priority_measure(config: object, run: RunConfig, replication: int) -> Metrics:
    system = _station(config, team_size=1)
    kpis, _, _ = _replicate(config, run, replication)
    metrics = {
        f"response_min_mean_prio{k}": kpis[f"response_min_mean_prio{k}"]
        for k in _priorities(config)
    }
    for name in ("response_min_mean", "p_wait", f"utilisation_{system.role}"):
        metrics[name] = kpis[name]
    return metrics


def _priorities(config: object) -> list[int]:
    return sorted({t.priority for t in as_scenario(config).incident_types.values()})


MMC_PRIORITY = Case(
    name="mmc_priority",
    checks="Cobham: mean wait per priority class; conservation law (all classes = FIFO M/M/c)",
    setup=scenario_setup("mmc_priority"),
    theory=priority_theory,
    measure=priority_measure,
    quick=Plan(replications=20, horizon_days=80, warmup_days=3),
    full=Plan(replications=50, horizon_days=250, warmup_days=3),
)


# --- team pairs ------------------------------------------------------------------------------


def team_pairs_theory(config: object) -> Metrics:
    system = _station(config, team_size=2)
    exact = theory.team_pairs_metrics(
        system.arrival_per_min, system.service_mean_min, system.n_units
    )
    return {
        "response_min_mean": exact.mean_wait_min,
        "p_wait": exact.wait_probability,
        f"utilisation_{system.role}": exact.unit_utilisation,
        "mean_number_waiting": exact.mean_number_waiting,
    }


def team_pairs_measure(config: object, run: RunConfig, replication: int) -> Metrics:
    system = _station(config, team_size=2)
    kpis, log, _ = _replicate(config, run, replication)
    return {
        "response_min_mean": kpis["response_min_mean"],
        "p_wait": kpis["p_wait"],
        f"utilisation_{system.role}": kpis[f"utilisation_{system.role}"],
        "mean_number_waiting": time_average_present(log, "arrive", "dispatch", Window.of(run)),
    }


TEAM_PAIRS = Case(
    name="team_pairs",
    checks="Two units per call: exact stationary law of the Markov chain (wait, P(wait), load)",
    setup=scenario_setup("team_pairs"),
    theory=team_pairs_theory,
    measure=team_pairs_measure,
    quick=Plan(replications=20, horizon_days=150, warmup_days=3),
    full=Plan(replications=50, horizon_days=500, warmup_days=3),
)
