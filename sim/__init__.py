"""jointduty: a discrete-event simulator of joint-duty police stations (联勤警务站).

Three tiers, each usable alone: `sim.model` (one replication), `sim.experiment`
(replications and their tables) and the `jointduty` command (`sim.cli`). For notebooks, see
`sim.api`: load a scenario with overrides, run it, get the tables as DataFrames.
"""

__version__ = "0.1.0"
