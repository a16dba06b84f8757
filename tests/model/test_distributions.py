"""One draw of a duration (`sample_one`) is the same number, from the same stream, as `sample`."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.distributions import Empirical, Exponential, Fixed, LogNormal


@pytest.mark.parametrize(
    "distribution",
    [Exponential(12.0), Fixed(5.0), LogNormal(8.0, 20.0), Empirical((3.0, 7.5, 11.0))],
    ids=["exponential", "fixed", "lognormal", "empirical"],
)
def test_sample_one_draws_what_sample_of_one_draws_and_leaves_the_stream_alike(
    distribution,
) -> None:
    one, batch = np.random.default_rng(11), np.random.default_rng(11)
    for _ in range(50):
        assert distribution.sample_one(one) == distribution.sample(batch, 1)[0]
    assert one.random() == batch.random()  # both streams are at the same place afterwards
