"""Cases for the random inputs themselves: each handling-time sampler and the arrival process.

Each replication draws from the model's own samplers (`sim.model.distributions.make_distribution`,
`sim.model.incidents.draw_arrival_times`) on its own named stream and compares sample moments,
quantiles and frequencies with the distribution's definition:

- exponential by its mean: mean, median = s ln 2, p90 = s ln 10;
- lognormal by median and p90: median, p90 and mean exp(mu + sigma^2 / 2);
- empirical (resampling a list): mean, the frequency of each distinct value, and the p90;
- the arrival process: calls per day in each 4-hour block and on each weekday against the
  hour-of-day and day-of-week weights, the Poisson dispersion of the hourly counts
  (mean of (count - expected)^2 / expected = 1), and arrivals uniform within their hour
  (mean minute 30).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.config.scenario import DemandConfig, DistributionConfig, RunConfig
from sim.config.schema import ConfigError
from sim.config.shipped import ComposeJob
from sim.model.distributions import make_distribution
from sim.model.incidents import draw_arrival_times
from sim.model.streams import Streams
from sim.validation import theory
from sim.validation.assumptions import MIN_PER_DAY, MIN_PER_HOUR, mean_arrival_per_min
from sim.validation.case import Case, Metrics, Plan, Setup

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BLOCK_HOURS = 4


@dataclass(frozen=True)
class SamplerConfig:
    """A handling-time distribution and how many draws one replication takes."""

    spec: DistributionConfig
    n_draws: int


@dataclass(frozen=True)
class ArrivalsConfig:
    """An arrival profile and how many whole days one replication draws."""

    demand: DemandConfig
    n_days: int


EXPONENTIAL = DistributionConfig(dist="exponential", mean_min=20.0)
LOGNORMAL = DistributionConfig(dist="lognormal", median_min=45.0, p90_min=180.0)
EMPIRICAL = DistributionConfig(dist="empirical", values_min=(5.0, 10.0, 10.0, 20.0, 45.0, 90.0))
DEMAND = DemandConfig(
    per_day=240.0,
    hour_of_day=(3, 2, 1.5, 1, 1, 1.5, 3, 5, 7, 8, 8, 8, 9, 8, 8, 8, 8, 9, 10, 9, 8, 6, 5, 4),
    day_of_week=(1.0, 1.0, 1.0, 1.0, 1.2, 1.4, 0.9),
)


def _no_overrides(case: str, overrides: Sequence[str]) -> None:
    if overrides:
        raise ConfigError("overrides", list(overrides), f"the {case} case takes none")


def _sampler_setup(case: str, spec: DistributionConfig) -> Setup:
    def setup(
        plan: Plan, seed: int, overrides: Sequence[str], _compose: ComposeJob
    ) -> tuple[object, RunConfig]:
        _no_overrides(case, overrides)
        return SamplerConfig(spec, plan.n_draws), plan.run_config(seed)

    return setup


def _draws(config: object, run: RunConfig, replication: int) -> np.ndarray:
    assert isinstance(config, SamplerConfig)
    sampler = make_distribution(config.spec)
    return sampler.sample(Streams(run.seed, replication)["handling"], config.n_draws)


def _quantile(draws: np.ndarray, probability: float) -> float:
    return float(np.quantile(draws, probability, method="inverted_cdf"))


# --- exponential, lognormal, empirical -----------------------------------------------------


def exponential_theory(config: object) -> Metrics:
    assert isinstance(config, SamplerConfig) and config.spec.mean_min is not None
    mean = config.spec.mean_min
    return {"mean_min": mean, "median_min": mean * math.log(2.0), "p90_min": mean * math.log(10.0)}


def exponential_measure(config: object, run: RunConfig, replication: int) -> Metrics:
    draws = _draws(config, run, replication)
    return {
        "mean_min": float(draws.mean()),
        "median_min": _quantile(draws, 0.5),
        "p90_min": _quantile(draws, 0.9),
    }


def lognormal_theory(config: object) -> Metrics:
    assert isinstance(config, SamplerConfig)
    spec = config.spec
    assert spec.median_min is not None and spec.p90_min is not None
    mu, sigma = theory.lognormal_params_from_median_p90(spec.median_min, spec.p90_min)
    return {
        "median_min": theory.lognormal_quantile_min(mu, sigma, 0.5),
        "p90_min": theory.lognormal_quantile_min(mu, sigma, 0.9),
        "mean_min": theory.lognormal_mean_min(mu, sigma),
    }


def lognormal_measure(config: object, run: RunConfig, replication: int) -> Metrics:
    draws = _draws(config, run, replication)
    return {
        "median_min": _quantile(draws, 0.5),
        "p90_min": _quantile(draws, 0.9),
        "mean_min": float(draws.mean()),
    }


def _distinct(config: object) -> list[float]:
    assert isinstance(config, SamplerConfig) and config.spec.values_min is not None
    return sorted(set(config.spec.values_min))


def empirical_theory(config: object) -> Metrics:
    assert isinstance(config, SamplerConfig) and config.spec.values_min is not None
    values = config.spec.values_min
    metrics = {"mean_min": theory.empirical_resample_mean(values)}
    for value in _distinct(config):
        metrics[f"share_{value:g}_min"] = values.count(value) / len(values)
    metrics["p90_min"] = theory.empirical_resample_quantile(values, 0.9)
    return metrics


def empirical_measure(config: object, run: RunConfig, replication: int) -> Metrics:
    draws = _draws(config, run, replication)
    metrics = {"mean_min": float(draws.mean())}
    for value in _distinct(config):
        metrics[f"share_{value:g}_min"] = float(np.mean(draws == value))
    metrics["p90_min"] = _quantile(draws, 0.9)
    return metrics


# --- the hour-of-day and day-of-week arrival process ---------------------------------------


def _arrivals_setup(
    plan: Plan, seed: int, overrides: Sequence[str], _compose: ComposeJob
) -> tuple[object, RunConfig]:
    _no_overrides("arrivals", overrides)
    return ArrivalsConfig(DEMAND, int(plan.horizon_days)), plan.run_config(seed)


def expected_counts(demand: DemandConfig, n_days: int) -> np.ndarray:
    """Expected calls in each (day, hour) cell: rate x weights normalised to mean 1 x 60 min."""
    hours = np.asarray(demand.hour_of_day, dtype=float)
    days = np.asarray(demand.day_of_week, dtype=float)
    day_factor = (days / days.mean())[np.arange(n_days) % len(days)]
    per_hour = mean_arrival_per_min(demand) * MIN_PER_HOUR * hours / hours.mean()
    return day_factor[:, None] * per_hour[None, :]


def _block_label(start_hour: int) -> str:
    return f"calls_per_day_{start_hour:02d}h_{start_hour + BLOCK_HOURS:02d}h"


def _arrivals_summary(counts: np.ndarray) -> Metrics:
    """Per-day block means and per-weekday means of a (day, hour) count table."""
    n_days = counts.shape[0]
    metrics: Metrics = {}
    for start in range(0, 24, BLOCK_HOURS):
        metrics[_block_label(start)] = float(counts[:, start : start + BLOCK_HOURS].sum(1).mean())
    for index, weekday in enumerate(WEEKDAYS):
        metrics[f"calls_on_{weekday}"] = float(counts[np.arange(n_days) % 7 == index].sum(1).mean())
    return metrics


def arrivals_theory(config: object) -> Metrics:
    assert isinstance(config, ArrivalsConfig)
    metrics = _arrivals_summary(expected_counts(config.demand, config.n_days))
    metrics["poisson_dispersion"] = 1.0
    metrics["mean_minute_within_hour"] = MIN_PER_HOUR / 2.0
    return metrics


def arrivals_measure(config: object, run: RunConfig, replication: int) -> Metrics:
    assert isinstance(config, ArrivalsConfig)
    rng = Streams(run.seed, replication)["arrivals"]
    t_min = draw_arrival_times(config.demand, rng, config.n_days * MIN_PER_DAY)
    cell = (t_min // MIN_PER_HOUR).astype(np.int64)
    counts = np.bincount(cell, minlength=config.n_days * 24).reshape(config.n_days, 24)
    expected = expected_counts(config.demand, config.n_days)
    metrics = _arrivals_summary(counts.astype(float))
    metrics["poisson_dispersion"] = float(np.mean((counts - expected) ** 2 / expected))
    metrics["mean_minute_within_hour"] = float(np.mean(t_min % MIN_PER_HOUR))
    return metrics


DRAWS = Plan(replications=20, n_draws=50_000)
DRAWS_FULL = Plan(replications=50, n_draws=200_000)

SAMPLER_CASES = (
    Case(
        name="sampler_exponential",
        checks="exponential handling: mean, median = s ln 2, p90 = s ln 10",
        setup=_sampler_setup("sampler_exponential", EXPONENTIAL),
        theory=exponential_theory,
        measure=exponential_measure,
        quick=DRAWS,
        full=DRAWS_FULL,
    ),
    Case(
        name="sampler_lognormal",
        checks="lognormal by median and p90: median, p90, mean exp(mu + sigma^2/2)",
        setup=_sampler_setup("sampler_lognormal", LOGNORMAL),
        theory=lognormal_theory,
        measure=lognormal_measure,
        quick=DRAWS,
        full=DRAWS_FULL,
    ),
    Case(
        name="sampler_empirical",
        checks="empirical resampling: mean, frequency of each value, p90",
        setup=_sampler_setup("sampler_empirical", EMPIRICAL),
        theory=empirical_theory,
        measure=empirical_measure,
        quick=DRAWS,
        full=DRAWS_FULL,
    ),
    Case(
        name="arrivals",
        checks="hour-of-day x weekday Poisson arrivals: block and weekday means, dispersion 1",
        setup=_arrivals_setup,
        theory=arrivals_theory,
        measure=arrivals_measure,
        quick=Plan(replications=20, horizon_days=70),
        full=Plan(replications=50, horizon_days=280),
    ),
)
