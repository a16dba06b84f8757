"""Items 1-3: the model against plain SimPy and Ciw on the same M/M/c, and a realistic scenario.

- `engine`: the model on the `mmc` scenario against the plain SimPy M/M/c
  (`bench.baselines.simpy_mmc`) with the same rates, servers and number of customers. Every
  officer is an agent process (`sim.model.agents`) waiting at the station; a second row has
  every officer on a post instead (`routine: post`), the moving routines' path: released on
  scene, back to the post, the queue still M/M/c since travel is zero.
- `peer`: the model against the same queue in Ciw.
- `realistic`: `future_city_2021` (rosters, joint teams, volunteers, follow-ups, repeat
  calls, deterrence) for a simulated year against the plain SimPy M/M/c serving as many
  customers as the model answered incidents.

The model's side is what a replication costs before its KPIs: drawing the incidents,
building the model, running it and building its record tables (`Model(...).run()`).
Each comparison also returns every side's mean wait, and the M/M/c's from Erlang C, so a
run shows that the three implementations simulate the same queue.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bench.baselines import ciw_mmc, simpy_mmc
from bench.timing import Timing, interleaved
from sim.analysis.erlang import mmc_mean_wait_min
from sim.config.scenario import RoutineConfig, RoutineKind, ScenarioConfig
from sim.model.replication import Model
from sim.model.streams import Streams
from sim.sweep.compose import compose_job

MIN_PER_HOUR, MIN_PER_DAY = 60.0, 1440.0
SEED = 20210201


@dataclass(frozen=True)
class Comparison:
    """One ratio: how many times faster (items per second) the model is than the baseline."""

    name: str
    model: Timing
    baseline: Timing
    baseline_name: str
    checks: dict[str, float]

    @property
    def speed_ratio(self) -> float:
        """The median over rounds of the ratio within a round (both sides ran back to back)."""
        per_round = [
            (self.model.n_items / model_s) / (self.baseline.n_items / baseline_s)
            for model_s, baseline_s in zip(self.model.rounds_s, self.baseline.rounds_s, strict=True)
        ]
        return float(np.median(per_round))

    @property
    def time_ratio(self) -> float:
        """Model time over baseline time for the same number of items."""
        return 1.0 / self.speed_ratio


@dataclass(frozen=True)
class Mmc:
    arrival_per_hour: float
    service_mean_min: float
    servers: int


def mmc_params() -> tuple[ScenarioConfig, Mmc]:
    job = compose_job(["scenario=mmc"])
    mmc = job.scenario  # the parameters, read back from the composed scenario
    call = mmc.incident_types["call"]
    assert mmc.demand.per_hour is not None and call.handling.mean_min is not None
    servers = mmc.stations["station"].staff["police"]
    assert isinstance(servers, int)
    return mmc, Mmc(float(mmc.demand.per_hour), call.handling.mean_min, servers)


class ModelSide:
    """One replication of the model per call; returns the number of incidents it answered."""

    def __init__(self, scenario: ScenarioConfig, horizon_min: float) -> None:
        self.scenario, self.horizon_min = scenario, horizon_min
        self.wait_min = float("nan")  # the mean wait of the last call

    def __call__(self) -> int:
        model = Model(self.scenario, Streams(SEED, 0), warmup_min=0.0, horizon_min=self.horizon_min)
        records = model.run()
        self.wait_min = float(records.incidents["wait_min"].mean())
        return len(records.incidents)


def baseline_side(
    run: Callable[..., np.ndarray], mmc: Mmc, n_customers: int, waits: list[float]
) -> Callable[[], int]:
    """One run of a baseline M/M/c per call, on `n_customers`; appends its mean wait."""

    def side() -> int:
        wait_min = run(mmc.arrival_per_hour, mmc.service_mean_min, mmc.servers, n_customers, SEED)
        waits.append(float(wait_min.mean()))
        return n_customers

    return side


def compare_mmc(
    n_customers: int, n_rounds: int, baseline: str, routine: RoutineKind = "station"
) -> Comparison:
    """The model on `mmc` against the plain SimPy (`simpy`) or Ciw (`ciw`) M/M/c, with its
    officers on the given routine."""
    scenario, mmc = mmc_params()
    if routine != "station":
        roles = {
            role: dataclasses.replace(config, routine=RoutineConfig(routine))
            for role, config in scenario.roles.items()
        }
        scenario = dataclasses.replace(scenario, roles=roles)
    horizon_min = n_customers / mmc.arrival_per_hour * MIN_PER_HOUR
    model = ModelSide(scenario, horizon_min)
    n_model = model()  # warms up, and gives the number of customers to match
    waits: list[float] = []
    run = simpy_mmc if baseline == "simpy" else ciw_mmc
    sides = {"model": model, "baseline": baseline_side(run, mmc, n_model, waits)}
    timings = interleaved(sides, n_rounds)
    theory_min = mmc_mean_wait_min(
        mmc.arrival_per_hour / MIN_PER_HOUR, mmc.service_mean_min, mmc.servers
    )
    checks = {
        "model_wait_min": model.wait_min,
        f"{baseline}_wait_min": waits[-1],
        "erlang_c_wait_min": theory_min,
    }
    name = "engine" if baseline == "simpy" else "peer"
    if routine != "station":
        name += f" ({routine})"
    return Comparison(name, timings["model"], timings["baseline"], baseline, checks)


def compare_realistic(horizon_days: float, n_rounds: int) -> Comparison:
    """`future_city_2021` against the plain SimPy M/M/c on as many customers as incidents."""
    scenario = compose_job(["scenario=future_city_2021"]).scenario
    _, mmc = mmc_params()
    horizon_min = horizon_days * MIN_PER_DAY
    model = ModelSide(scenario, horizon_min)
    n_model = model()
    waits: list[float] = []
    sides = {"model": model, "baseline": baseline_side(simpy_mmc, mmc, n_model, waits)}
    timings = interleaved(sides, n_rounds)
    checks = {"model_wait_min": model.wait_min, "simpy_wait_min": waits[-1]}
    return Comparison("realistic", timings["model"], timings["baseline"], "simpy", checks)
