"""A sweep's configs composed once: points and jobs that differ only in plain values are
derived from one composition, and the derived configs are the ones Hydra would compose."""

from __future__ import annotations

import pickle

import pytest
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra._internal.utils import create_config_search_path
from hydra.types import RunMode
from omegaconf import OmegaConf

from sim.composition import compose_config, register_scenarios, shipped_dir
from sim.config import validate
from sim.derived_configs import Composer, DerivingLoader, value_changes
from sim.schema import ConfigError
from sim.sweep import ResumingSweeperBase


@pytest.mark.parametrize(
    ("base", "overrides", "expected"),
    [
        (
            ["run.seed=1", "run.replications=2"],
            ["run.seed=7", "run.replications=2"],
            ["run.seed=7"],
        ),
        (["demand.per_day=10"], ["demand.per_day=12.5"], ["demand.per_day=12.5"]),
        (["run.warmup_days=1"], ["run.warmup_days=auto"], ["run.warmup_days=auto"]),
        (["hydra.sweep.subdir='a=1'"], ["hydra.sweep.subdir='a=2'"], ["hydra.sweep.subdir='a=2'"]),
        (["run.seed=1"], ["run.seed=1"], []),
    ],
)
def test_sets_that_differ_only_in_plain_values_are_related_by_those_values(
    base, overrides, expected
):
    changes = value_changes(base, overrides, groups={"scenario", "dispatch"})

    assert [c.input_line for c in changes] == expected


@pytest.mark.parametrize(
    ("base", "overrides"),
    [
        (["scenario=mmc"], ["scenario=taozhu_2019"]),  # a config group
        (["run.seed=1", "run.replications=2"], ["run.replications=2", "run.seed=1"]),  # order
        (["run.seed=1"], ["run.seed=1", "run.replications=2"]),  # other keys
        (["+run.extra=1"], ["+run.extra=2"]),  # appends
        (["~run.extra=1"], ["~run.extra=2"]),
        (["++run.extra=1"], ["++run.extra=2"]),
        (["placement.staff={police: 1}"], ["placement.staff={police: 2}"]),  # merged, not set
        (["run.precision_metrics=[a]"], ["run.precision_metrics=[b]"]),
        (  # overlapping keys
            ["placement.staff.police=1", "placement.staff=x"],
            ["placement.staff.police=2", "placement.staff=x"],
        ),
        (["calibration@future_city_2021=a"], ["calibration@future_city_2021=b"]),
        (["run.seed=1"], ["run.seed=1,2"]),  # a sweep, not a value
    ],
)
def test_anything_but_a_plain_value_needs_a_full_composition(base, overrides):
    assert (
        value_changes(base, overrides, groups={"scenario", "calibration@future_city_2021"}) is None
    )


def test_a_composer_composes_a_seed_sweep_once_and_derives_the_same_configs():
    composer = Composer(["hydra/launcher=joblib"])
    points = [
        ["scenario=future_city_2021", f"run.seed={seed}", "run.horizon_days=3.5"]
        for seed in range(1, 6)
    ]
    points.append(["scenario=future_city_2021", "run.seed=1", "run.horizon_days=7"])

    derived = [composer.compose_config(point) for point in points]

    assert composer.n_composed == 1
    assert derived == [compose_config(point) for point in points]
    assert [d["run"]["seed"] for d in derived] == [1, 2, 3, 4, 5, 1]  # type: ignore[index]


def test_a_composer_composes_each_scenario_of_a_sweep_in_full():
    composer = Composer()
    points = [
        [f"scenario={name}", f"run.seed={seed}"]
        for name in ("mmc", "taozhu_2019")
        for seed in (1, 2)
    ]

    derived = [composer.compose_config(point) for point in points]

    assert composer.n_composed == 2
    assert derived == [compose_config(point) for point in points]


def test_a_derived_value_that_does_not_validate_fails_as_a_full_composition_would():
    composer = Composer()
    composer.compose_config(["run.replications=2"])

    bad = composer.compose_config(["run.replications=-1"])
    with pytest.raises(ConfigError, match=r"run\.replications = -1: must be >= 1"):
        validate(bad)
    assert bad == compose_config(["run.replications=-1"])


@pytest.mark.parametrize(
    ("base", "point"),
    [
        (["scenario=future_city_2021", "run.seed=1"], ["scenario=future_city_2021", "run.seed=9"]),
        # a key an interpolation refers to: derived through OmegaConf, which follows it
        (
            ["scenario=future_city_2021", "future_city_2021.p_joint_mediation=0.5"],
            ["scenario=future_city_2021", "future_city_2021.p_joint_mediation=0.25"],
        ),
        # a value that is itself an interpolation, or escapes one
        (["run.mser_metric=resolution_min"], ["run.mser_metric='${name}'"]),
        (["incidents.trace_file=a"], ["incidents.trace_file='\\${x}'"]),
        (
            ["scenario=taozhu_2019", "run.precision=0.05"],
            ["scenario=taozhu_2019", "run.precision=null"],
        ),
        (["scenario=mmc", "run.warmup_days=1"], ["scenario=mmc", "run.warmup_days=auto"]),
    ],
)
def test_a_point_derived_from_plain_containers_is_the_config_hydra_composes(base, point):
    composer = Composer()
    composer.compose_config(base)

    assert composer.compose_config(point) == compose_config(point)
    assert composer.n_composed == 1


class CountingLoader(ConfigLoaderImpl):
    """Hydra's own config loader, counting the jobs it composes."""

    def __init__(self) -> None:
        register_scenarios()
        super().__init__(config_search_path=create_config_search_path(str(shipped_dir("conf"))))
        self.composed: list[list[str]] = []

    def load_sweep_config(self, master_config, sweep_overrides):
        self.composed.append(list(sweep_overrides))
        return super().load_sweep_config(master_config, sweep_overrides)


SWEEP = ["scenario=future_city_2021", "+experiment=station_sweep", "hydra/launcher=joblib"]


def job(seed: int, n_stations: int = 1, dispatch: str = "nearest") -> list[str]:
    subdir = f"hydra.sweep.subdir='run.seed={seed},n={n_stations}'"
    return [
        f"run.seed={seed}",
        f"placement.n_stations={n_stations}",
        f"dispatch={dispatch}",
        *SWEEP[:2],
        "hydra.sweep.dir='/tmp/sweep'",
        subdir,
    ]


def test_a_derived_job_config_is_the_one_hydra_composes_hydra_node_included():
    hydra = CountingLoader()
    master = hydra.load_configuration("config", [*SWEEP, "run.seed=1,2,3"], RunMode.MULTIRUN)
    # As a launcher's worker gets it: pickled, with the sweeper's composition as its base.
    deriving = DerivingLoader(CountingLoader())
    deriving.check(master, job(1))
    in_worker = pickle.loads(pickle.dumps(deriving))
    jobs = [job(seed, n) for seed in (1, 2, 3) for n in (1, 4)] + [job(2, 1, "borrow")]

    for overrides in jobs:
        derived = in_worker.load_sweep_config(master, overrides)
        composed = hydra.load_sweep_config(master, overrides)

        assert OmegaConf.to_container(derived) == OmegaConf.to_container(composed)
        assert derived.hydra.overrides.task == composed.hydra.overrides.task
        assert derived.hydra.job.override_dirname == composed.hydra.job.override_dirname
    # The worker composed only the job with another dispatch option (a config group).
    assert in_worker.n_composed - deriving.n_composed == 1


def test_the_sweeper_composes_a_batch_s_first_job_and_those_differing_in_more_than_values():
    hydra = CountingLoader()
    master = hydra.load_configuration("config", [*SWEEP, "run.seed=1,2,3"], RunMode.MULTIRUN)
    sweeper = ResumingSweeperBase()
    sweeper.loader, sweeper.config = DerivingLoader(hydra), master
    jobs = [job(seed, n) for seed in range(1, 9) for n in (1, 2)]

    sweeper._validate_batch([*jobs, job(1, 1, "borrow"), job(2, 2, "borrow")])

    assert hydra.composed == [job(1, 1), job(1, 1, "borrow")]
