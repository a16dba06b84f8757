"""Validation of the simulator against queueing theory and against the definitions of its inputs.

Each case (`sim.validation.suite.CASES`) is a small idealised configuration with an exact
answer: M/M/c (`mmc`), priority classes (`mmc_priority`), a time-varying rate with ample
officers (`mt_infinite`), two-officer teams (`team_pairs`), nearest-available dispatch over
several stations (`hypercube`), and the samplers of handling times and arrivals. The suite
runs the replications, and `sim.validation.stats.assess` accepts a metric only when its exact
value lies inside the run's simultaneous 99 % confidence interval. `jointduty validate`
(`sim.validation.table`) is the command.
"""
