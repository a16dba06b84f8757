"""A validation case: a configuration, its exact answers, and how one replication measures them.

Every case follows the same recipe, so that the runner can treat them alike:

1. `setup(plan, seed, overrides, compose)` builds the configuration to simulate (for most
   cases a shipped scenario composed like `jointduty run scenario=<case>`, by the `compose`
   function the command hands down) and the `RunConfig` of the plan;
2. `theory(config)` derives the exact value of every metric *from that configuration* (never
   from a copy of its numbers), refusing with a `ConfigError` if the configuration breaks an
   assumption of the theory;
3. `measure(config, run, replication)` runs one replication on its own random streams and
   returns one estimate per metric, with the same metric names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sim.config.scenario import RunConfig, ScenarioConfig
from sim.config.shipped import ComposeJob

Metrics = dict[str, float]


@dataclass(frozen=True)
class Plan:
    """How much to simulate: replications, measured and warm-up days, draws per replication."""

    replications: int
    horizon_days: float = 1.0
    warmup_days: float = 0.0
    n_draws: int = 0

    def run_config(self, seed: int) -> RunConfig:
        return RunConfig(
            replications=self.replications,
            horizon_days=self.horizon_days,
            warmup_days=self.warmup_days,
            seed=seed,
        )


Setup = Callable[[Plan, int, Sequence[str], ComposeJob], tuple[object, RunConfig]]


@dataclass(frozen=True)
class Case:
    """One validation case: what it checks, its plans, and its three functions."""

    name: str
    checks: str  # one line: the theory it is checked against
    setup: Setup
    theory: Callable[[object], Metrics]
    measure: Callable[[object, RunConfig, int], Metrics]
    quick: Plan
    full: Plan


def scenario_setup(name: str) -> Setup:
    """Compose the shipped scenario `name` with the plan's run keys and the user's overrides."""

    def setup(
        plan: Plan, seed: int, overrides: Sequence[str], compose_job: ComposeJob
    ) -> tuple[object, RunConfig]:
        run_keys = [
            f"run.replications={plan.replications}",
            f"run.horizon_days={plan.horizon_days}",
            f"run.warmup_days={plan.warmup_days}",
            f"run.seed={seed}",
        ]
        job = compose_job([f"scenario={name}", *run_keys, *overrides])
        return job.scenario, job.run

    return setup


def as_scenario(config: object) -> ScenarioConfig:
    assert isinstance(config, ScenarioConfig), type(config)
    return config


def same_metrics(case: str, theory: Mapping[str, float], measured: Mapping[str, float]) -> None:
    """Theory and measurement must name the same metrics, in the same order."""
    if list(theory) != list(measured):
        raise RuntimeError(
            f"validation case {case}: theory gives {list(theory)} but a replication measured"
            f" {list(measured)}"
        )
