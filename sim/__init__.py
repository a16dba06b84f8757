"""jointduty: a discrete-event simulator of joint-duty police stations (联勤警务站).

Three tiers, each usable alone: `sim.model.replication` (one replication),
`sim.experiment.replications`
(replications and their tables) and the `jointduty` command (`sim.cli.main`). For notebooks, see
`sim.api`: load a scenario with overrides, run it, get the tables as DataFrames.
"""

__version__ = "0.1.0"
