"""The `mt_infinite` case: a time-varying Poisson stream and ample officers (M_t/M/infinity).

When no call ever waits, the number of officers busy at time t is Poisson with mean m(t), the
offered load: the arrivals of the past weighted by the chance they are still being handled
(Eick, Massey & Whitt 1993; `sim.validation.theory.mt_infinite_mean_busy` is exact for the model's
hour-by-hour constant rate). The case samples the number busy at four times of day, once per
simulated day, and checks both the mean (= m(t)) and the variance (= m(t), the Poisson
signature: a model that bunched or spread work would get the mean right and the variance
wrong). It also checks that nobody waited, which the theory's "ample servers" needs.
"""

from __future__ import annotations

import numpy as np

from sim.config.scenario import RunConfig, ScenarioConfig
from sim.config.schema import ConfigError
from sim.experiment.replications import run_replication
from sim.validation import theory
from sim.validation.assumptions import (
    MIN_PER_HOUR,
    exponential_service_mean_min,
    hourly_rates_per_min,
    require_core_model,
    require_flat_week,
    require_negligible_travel,
    single_role_team,
)
from sim.validation.case import Case, Metrics, Plan, as_scenario, scenario_setup
from sim.validation.observe import Window, daily_instants, number_busy_at

SAMPLE_HOURS = (3, 9, 15, 21)  # times of day at which the number busy is sampled


def _service_mean_min(scenario: ScenarioConfig) -> float:
    require_core_model(scenario)
    require_flat_week(scenario.demand)
    service_mean_min = exponential_service_mean_min(scenario)
    require_negligible_travel(scenario, service_mean_min)
    _, team_size = single_role_team(scenario)
    if team_size != 1:
        raise ConfigError("incident_types.*.team", team_size, "must need 1 unit for mt_infinite")
    return service_mean_min


def _label(hour: int) -> str:
    return f"at_{hour:02d}h00"


def mt_infinite_theory(config: object) -> Metrics:
    scenario = as_scenario(config)
    service_mean_min = _service_mean_min(scenario)
    rates = hourly_rates_per_min(scenario.demand)
    metrics: Metrics = {}
    for hour in SAMPLE_HOURS:
        mean_busy = theory.mt_infinite_mean_busy(rates, service_mean_min, hour * MIN_PER_HOUR)
        metrics[f"number_busy_mean_{_label(hour)}"] = mean_busy
        metrics[f"number_busy_var_{_label(hour)}"] = mean_busy  # Poisson: variance = mean
    metrics["p_wait"] = 0.0  # ample servers: the theory holds only if nobody ever waits
    return metrics


def mt_infinite_measure(config: object, run: RunConfig, replication: int) -> Metrics:
    scenario = as_scenario(config)
    _service_mean_min(scenario)
    records, kpis = run_replication(scenario, run, replication)
    window = Window.of(run)
    metrics: Metrics = {}
    for hour in SAMPLE_HOURS:
        instants = daily_instants(window, hour * MIN_PER_HOUR)
        if len(instants) < 2:
            raise ConfigError("run.horizon_days", run.horizon_days, "must span at least 2 days")
        busy = number_busy_at(records.busy, instants).astype(float)
        metrics[f"number_busy_mean_{_label(hour)}"] = float(np.mean(busy))
        metrics[f"number_busy_var_{_label(hour)}"] = float(np.var(busy, ddof=1))
    metrics["p_wait"] = kpis["p_wait"]
    return metrics


MT_INFINITE = Case(
    name="mt_infinite",
    checks="M_t/M/inf: number busy at 4 times of day is Poisson(m(t)) (mean and variance); no wait",
    setup=scenario_setup("mt_infinite"),
    theory=mt_infinite_theory,
    measure=mt_infinite_measure,
    quick=Plan(replications=20, horizon_days=40, warmup_days=1),
    full=Plan(replications=50, horizon_days=120, warmup_days=1),
)
