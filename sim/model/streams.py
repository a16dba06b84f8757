"""Named random streams: one numpy Generator per stochastic input, spawned from one seed.

`Streams(seed, replication)` gives every stochastic input of the model its own generator,
derived from `SeedSequence(seed, spawn_key=(replication, stream_index))`. Because each input
draws only from its own stream, changing how one input is used (more staff, another dispatch
policy) cannot shift the numbers another input sees: that is what makes common random numbers
work across scenario variants. Stream names are fixed and append-only: a new input gets a new
name at the end, so that existing streams keep their indices and old results stay reproducible.
"""

from __future__ import annotations

import numpy as np

STREAM_NAMES: tuple[str, ...] = (
    "arrivals",  # arrival times of candidate incidents
    "types",  # incident type of each candidate incident
    "locations",  # where each incident happens
    "handling",  # on-scene handling time of each incident
    "deterrence",  # one uniform per candidate incident, to thin deterred ones
    "followups",  # whether later stages are needed, their delays and handling times
    "repeats",  # whether a matter is settled, and when and how an unsettled one calls again
    "callouts",  # volunteers' acceptance of a call-out, and their call-out delays
    "agents",  # the routes of moving routines: beat points, grid blocks, posts (per seat)
    "desk_work",  # arrival times and handling times of the stations' desk work
    "prevention",  # each candidate incident's pair of uniforms: prevented, displaced where
)


class Streams:
    """The named generators of one replication."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication
        self._generators: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        if name not in self._generators:
            self._generators[name] = np.random.default_rng(self.seed_sequence(name))
        return self._generators[name]

    def seed_sequence(self, name: str) -> np.random.SeedSequence:
        """The seed sequence the stream `name` is drawn from (a subclass may extend its key)."""
        if name not in STREAM_NAMES:
            raise KeyError(f"unknown random stream {name!r}; streams: {', '.join(STREAM_NAMES)}")
        return np.random.SeedSequence(
            entropy=self.seed, spawn_key=(self.replication, STREAM_NAMES.index(name))
        )
