"""Duration distributions in minutes, each able to sample and to say its exact mean.

Handling times are configured as `exponential` (mean), `fixed` (value), `lognormal` (median
and 90th percentile, the two figures CAD exports usually publish) or `empirical` (observed
values resampled with replacement). Each sampler knows its theoretical mean so that tests
and the analytic estimates can compare against it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np
from scipy import special

from sim.config.scenario import DistributionConfig

Z_90 = float(special.ndtri(0.9))  # the standard normal's 90th percentile


class Distribution(Protocol):
    """A non-negative duration distribution in minutes."""

    @property
    def mean_min(self) -> float: ...

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray: ...

    def sample_one(self, rng: np.random.Generator) -> float:
        """One value: the same number, from the same stream, as `sample(rng, 1)[0]`."""
        ...


@dataclass(frozen=True)
class Exponential:
    mean_min: float

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean_min, size=n)

    def sample_one(self, rng: np.random.Generator) -> float:
        return float(rng.exponential(self.mean_min))


@dataclass(frozen=True)
class Fixed:
    value_min: float

    @property
    def mean_min(self) -> float:
        return self.value_min

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.value_min)

    def sample_one(self, rng: np.random.Generator) -> float:
        return self.value_min


@dataclass(frozen=True)
class LogNormal:
    """Lognormal given its median and 90th percentile: mu = ln(median), sigma from the ratio."""

    median_min: float
    p90_min: float

    @cached_property
    def mu(self) -> float:
        return math.log(self.median_min)

    @cached_property
    def sigma(self) -> float:
        return math.log(self.p90_min / self.median_min) / Z_90

    @property
    def mean_min(self) -> float:
        return math.exp(self.mu + self.sigma**2 / 2)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.lognormal(self.mu, self.sigma, size=n)

    def sample_one(self, rng: np.random.Generator) -> float:
        return float(rng.lognormal(self.mu, self.sigma))


@dataclass(frozen=True)
class Empirical:
    """Observed durations resampled uniformly with replacement."""

    values_min: tuple[float, ...]

    @property
    def mean_min(self) -> float:
        return float(np.mean(self.values_min))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.choice(np.asarray(self.values_min, dtype=float), size=n, replace=True)

    def sample_one(self, rng: np.random.Generator) -> float:
        return float(self.sample(rng, 1)[0])


def make_distribution(spec: DistributionConfig) -> Distribution:
    """The sampler a validated `DistributionConfig` describes."""
    if spec.dist == "exponential":
        assert spec.mean_min is not None
        return Exponential(spec.mean_min)
    if spec.dist == "fixed":
        assert spec.value_min is not None
        return Fixed(spec.value_min)
    if spec.dist == "lognormal":
        assert spec.median_min is not None and spec.p90_min is not None
        return LogNormal(spec.median_min, spec.p90_min)
    assert spec.values_min is not None
    return Empirical(tuple(spec.values_min))
