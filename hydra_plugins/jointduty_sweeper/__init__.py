"""Hydra plugin package of jointduty: the resuming sweeper (logic in `sim.sweep.sweeper`).

Hydra only instantiates sweepers defined under the `hydra_plugins` namespace, so the class
that `conf/hydra/sweeper/resume.yaml` names lives here and inherits everything from
`sim.sweep.sweeper.ResumingSweeperBase`.
"""
