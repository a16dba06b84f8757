"""A sweep's local jobs run through `sim.local_jobs.run_job` exactly as Hydra's `run_job` runs
them: the same `JobReturn`, the same `.hydra/` files, the same Hydra config seen by the task,
the same working directory and environment, and Hydra's state restored afterwards."""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import pytest
import yaml
from hydra._internal.callbacks import Callbacks
from hydra.core.hydra_config import HydraConfig
from hydra.core.utils import JobStatus
from hydra.core.utils import run_job as hydra_run_job
from hydra.experimental.callback import Callback
from hydra.types import HydraContext
from hypothesis import example, given, settings
from hypothesis import strategies as st
from omegaconf import DictConfig, OmegaConf, open_dict

from sim import joblib_launch, local_jobs
from sim.composition import compose_node, scenario_names


def job_config(out_dir: Path, *overrides: str) -> DictConfig:
    """A sweep job's config as Hydra's launchers hand it to `run_job` (`${now:...}` resolved
    once: each runner gets a copy, so the two see the same times)."""
    config = compose_node(
        [*overrides, f"hydra.sweep.dir={out_dir}", "hydra.sweep.subdir=job_${hydra.job.num}"],
        with_hydra=True,
    )
    with open_dict(config):
        config.hydra.job.id = f"{config.hydra.job.name}_3"
        config.hydra.job.num = 3
    assert config.hydra.run.dir  # resolved now, and cached in the config (Hydra's `now`)
    return config


def what_the_task_sees(cfg: DictConfig) -> dict:
    """The task of these tests: what Hydra gives a job, as plain values."""
    return {
        "cfg": OmegaConf.to_container(cfg),
        "cfg_resolved": OmegaConf.to_container(cfg, resolve=True),
        "struct": OmegaConf.is_struct(cfg),
        "readonly": OmegaConf.is_readonly(cfg),
        "has_hydra": "hydra" in cfg,
        "hydra": OmegaConf.to_container(HydraConfig.get(), resolve=True),
        "hydra_resolver": OmegaConf.create({"d": "${hydra:runtime.output_dir}"}).d,
        "cwd": os.getcwd(),
        "env": os.environ.get("JD_TEST_ENV"),
    }


def failing_task(cfg: DictConfig) -> None:
    raise ValueError(f"no station {cfg.run.seed}")


def run_with(runner, out_dir: Path, task, composed: DictConfig):
    """Run one job of the `composed` config with `runner`; its return, and its directory's
    files (then removed)."""
    config = copy.deepcopy(composed)
    context = HydraContext(config_loader=None, callbacks=Callbacks(config))  # type: ignore[arg-type]
    before = HydraConfig.instance().cfg
    cwd = os.getcwd()
    ret = runner(
        task_function=task,
        config=config,
        job_dir_key="hydra.sweep.dir",
        job_subdir_key="hydra.sweep.subdir",
        hydra_context=context,
    )
    assert HydraConfig.instance().cfg is before  # restored
    assert os.getcwd() == cwd
    files = {str(p.relative_to(out_dir)): p.read_bytes() for p in out_dir.rglob("*") if p.is_file()}
    shutil.rmtree(out_dir)
    return ret, files


def returned(ret) -> dict:
    return {
        "overrides": ret.overrides,
        "cfg": OmegaConf.to_container(ret.cfg),
        "hydra_cfg": OmegaConf.to_container(ret.hydra_cfg),
        "working_dir": ret.working_dir,
        "task_name": ret.task_name,
        "status": ret.status,
        "hydra_cfg_is_its_hydra_nodes_root": ret.hydra_cfg.hydra._get_parent() is ret.hydra_cfg,
    }


@pytest.mark.parametrize(
    "overrides",
    [
        ("run.seed=7", "run.replications=2"),
        ("scenario=taozhu_2019", "hydra.job.chdir=true", "+hydra.job.env_set.JD_TEST_ENV=on"),
    ],
)
def test_a_job_runs_as_hydra_runs_it(tmp_path, overrides):
    composed = job_config(tmp_path / "out", *overrides)
    hydra_ret, hydra_files = run_with(hydra_run_job, tmp_path / "out", what_the_task_sees, composed)
    ours_ret, our_files = run_with(
        local_jobs.run_job, tmp_path / "out", what_the_task_sees, composed
    )

    assert returned(ours_ret) == returned(hydra_ret)
    assert ours_ret.return_value == hydra_ret.return_value
    assert our_files == hydra_files  # .hydra/config.yaml, hydra.yaml, overrides.yaml, the log
    assert sorted(our_files) == ["job_3/.hydra/config.yaml", "job_3/.hydra/hydra.yaml",
                                 "job_3/.hydra/overrides.yaml", "job_3/app.log"]  # fmt: skip
    seen = ours_ret.return_value
    assert seen["hydra_resolver"] == str(tmp_path / "out" / "job_3")
    assert not seen["has_hydra"]


CALLS: list[tuple[str, object]] = []


class RecordingCallback(Callback):
    """A Hydra callback that notes what each job's start and end hand it."""

    def on_job_start(self, config: DictConfig, **kwargs) -> None:
        CALLS.append(("start", (config.hydra.job.num, config.run.seed, sorted(kwargs))))

    def on_job_end(self, config: DictConfig, job_return, **kwargs) -> None:
        CALLS.append(("end", (config.hydra.runtime.output_dir, job_return.status, sorted(kwargs))))


def test_callbacks_are_called_as_hydra_calls_them_and_no_hydra_folder_without_output_subdir(
    tmp_path,
):
    composed = job_config(
        tmp_path / "out",
        "run.seed=11",
        "hydra.output_subdir=null",
        f"+hydra.callbacks.note._target_={__name__}.RecordingCallback",
    )
    calls = []
    for runner in (hydra_run_job, local_jobs.run_job):
        CALLS.clear()
        ret, files = run_with(runner, tmp_path / "out", what_the_task_sees, composed)
        calls.append((list(CALLS), returned(ret), ret.return_value, files))

    assert calls[1] == calls[0]
    assert [name for name, _ in calls[1][0]] == ["start", "end"]
    assert sorted(calls[1][3]) == ["job_3/app.log"]  # no .hydra/


def test_a_job_whose_task_raises_returns_the_error_as_hydra_does(tmp_path):
    composed = job_config(tmp_path / "out", "run.seed=5")
    hydra_ret, hydra_files = run_with(hydra_run_job, tmp_path / "out", failing_task, composed)
    ours_ret, our_files = run_with(local_jobs.run_job, tmp_path / "out", failing_task, composed)

    assert ours_ret.status == hydra_ret.status == JobStatus.FAILED
    assert (
        repr(ours_ret._return_value)
        == repr(hydra_ret._return_value)
        == ("ValueError('no station 5')")
    )
    assert our_files == hydra_files


def test_the_task_config_is_a_copy_the_task_may_change(tmp_path):
    def change_it(cfg: DictConfig) -> None:
        cfg.run.seed = 99

    config = job_config(tmp_path, "run.seed=1")
    context = HydraContext(config_loader=None, callbacks=Callbacks(config))  # type: ignore[arg-type]
    ret = local_jobs.run_job(change_it, config, "hydra.sweep.dir", "hydra.sweep.subdir", context)

    assert ret.cfg.run.seed == 99
    assert config.run.seed == 1


def test_a_config_holding_an_object_pickle_cannot_copy_is_deep_copied_for_the_task(tmp_path):
    config = job_config(tmp_path, "run.seed=1")
    config._set_flag("allow_objects", True)
    with open_dict(config):
        config.callback = lambda: "kept"  # a lambda cannot be pickled, but can be deep-copied
    seen = []
    context = HydraContext(config_loader=None, callbacks=Callbacks(config))  # type: ignore[arg-type]
    ret = local_jobs.run_job(
        lambda cfg: seen.append(cfg.callback()), config, "hydra.sweep.dir", "hydra.sweep.subdir",
        context,
    )  # fmt: skip

    assert ret.status == JobStatus.COMPLETED
    assert seen == ["kept"]


@pytest.mark.parametrize("scenario", scenario_names())
def test_the_yaml_of_every_shipped_config_is_omegaconfs_to_the_byte(scenario):
    config = compose_node([f"scenario={scenario}"], with_hydra=True)
    task = OmegaConf.masked_copy(config, [key for key in config if key != "hydra"])

    assert local_jobs.to_yaml(task) == OmegaConf.to_yaml(task)
    assert local_jobs.to_yaml(config.hydra) == OmegaConf.to_yaml(config.hydra)
    assert local_jobs.to_yaml(config.hydra.overrides.task) == OmegaConf.to_yaml(
        config.hydra.overrides.task
    )


leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                   st.text(max_size=60))  # fmt: skip
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=16,
)


@settings(max_examples=300, deadline=None)
@example({"int": "1", "bool": "true", "yes": "on", "float": "1e3", "null": "null", "nel": "a\x85b"})
@given(st.dictionaries(st.text(max_size=12), trees, max_size=5))
def test_the_yaml_reads_back_as_the_config_it_was_written_from(container):
    # OmegaConf's own emitter (PyYAML's pure Python one) fails this: it drops a U+0085.
    config = OmegaConf.create(container, flags={"allow_objects": False})

    assert yaml.safe_load(local_jobs.to_yaml(config)) == OmegaConf.to_container(config)


def test_lean_jobs_replaces_only_the_local_launchers_job_runner_and_only_while_it_lasts():
    from hydra._internal.core_plugins import basic_launcher
    from hydra._internal.core_plugins.basic_launcher import BasicLauncher
    from hydra_plugins.hydra_joblib_launcher import _core
    from hydra_plugins.hydra_joblib_launcher.joblib_launcher import JoblibLauncher

    hydra_launch, hydra_basic_run_job = _core.launch, basic_launcher.run_job
    with local_jobs.lean_jobs(JoblibLauncher()):
        assert _core.launch is joblib_launch.launch
        assert basic_launcher.run_job is hydra_basic_run_job
    with local_jobs.lean_jobs(BasicLauncher()):
        assert basic_launcher.run_job is local_jobs.run_job
        assert _core.launch is hydra_launch
    with local_jobs.lean_jobs(object()):  # another launcher (Ray, SLURM): nothing replaced
        assert (_core.launch, basic_launcher.run_job) == (hydra_launch, hydra_basic_run_job)
    assert (_core.launch, basic_launcher.run_job) == (hydra_launch, hydra_basic_run_job)


def test_a_job_on_a_worker_keeps_the_plugins_its_process_already_scanned(monkeypatch):
    # Hydra's joblib launcher sends every job the main process's singletons without the
    # plugin registry; restoring them as Hydra does means a new registry, a new scan.
    from hydra.core.plugins import Plugins
    from hydra.core.singleton import Singleton
    from omegaconf.basecontainer import BaseContainer

    scans = []
    monkeypatch.setattr(Singleton, "_instances", dict(Singleton._instances))
    monkeypatch.setattr(BaseContainer, "_resolvers", dict(BaseContainer._resolvers))
    monkeypatch.setattr(Plugins, "_initialize", lambda self: scans.append(self))
    Singleton._instances.pop(Plugins, None)
    scanned = Plugins.instance()

    Singleton.set_state(Singleton.get_state())  # as Hydra's joblib launcher restores it
    assert Plugins.instance() is not scanned
    assert len(scans) == 2
    scanned = Plugins.instance()
    joblib_launch.restore_singletons(Singleton.get_state())
    assert Plugins.instance() is scanned
    assert len(scans) == 2
