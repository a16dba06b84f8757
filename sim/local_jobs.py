"""A sweep's local jobs, run as Hydra runs them but without Hydra's copies.

Around every job of a sweep, Hydra's `hydra.core.utils.run_job` sets the job's Hydra config,
makes its directory, configures logging, writes `.hydra/` (the job's config, Hydra's config and
the job's overrides, as YAML), calls the task and returns a `JobReturn`. On `future_city_2021`
that costs about 45 ms a job, 7 % of a job of two simulated years, mostly in copies:

- two deep copies of the config, for the task's config and for the `JobReturn` (12 ms);
- `HydraConfig.set_config` three times (the joblib launcher's, and twice in `run_job`), each a
  copy of the `hydra` node (7 ms);
- the YAML of `.hydra/`, written by PyYAML's pure Python emitter (17 ms).

`run_job` here does the same, in the same order, with the same results (a test compares every
field of the `JobReturn`, the files of `.hydra/` and the Hydra config the task sees with Hydra's
own `run_job` on the same job), but:

- the task's config is a pickle round trip of the job's config (a fifth of a deep copy; the
  configs of a sweep are already derived this way, `sim.derived_configs`);
- the `JobReturn` gets the job's Hydra config itself, which `set_config` made for this job
  alone, instead of another copy of it (detached from the job's config once the job is done,
  as Hydra's copy is);
- `set_config` runs once; the job's output directory is then set in the copy as well;
- the YAML is emitted by libyaml (PyYAML's C emitter) with OmegaConf's representers: the same
  text on every shipped config, and faithful where PyYAML's own emitter is not (it drops a
  U+0085 inside a quoted string); without libyaml, OmegaConf's `to_yaml`.

`lean_jobs(launcher)` runs a launch through it: Hydra's joblib launcher's through
`sim.joblib_launch` (which also sends what the jobs share once per worker), and its basic
launcher's jobs through `run_job`. Other launchers (Ray, SLURM) are left alone: their jobs run
on other machines, where a job's own start costs far more than these copies.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import logging
import os
import pickle
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent
from typing import Any

import yaml
from hydra.core.hydra_config import HydraConfig
from hydra.core.utils import (
    JobReturn,
    JobRuntime,
    JobStatus,
    _check_hydra_context,
    _flush_loggers,
    configure_log,
    env_override,
)
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from sim.warm_workers import JOBLIB_LAUNCHER

JOBLIB_MODULE = JOBLIB_LAUNCHER.rpartition(".")[0]
BASIC_MODULE = "hydra._internal.core_plugins.basic_launcher"
log = logging.getLogger(__name__)


def run_job(
    task_function: TaskFunction,
    config: DictConfig,
    job_dir_key: str,
    job_subdir_key: str | None,
    hydra_context: HydraContext,
    configure_logging: bool = True,
) -> JobReturn:
    """`hydra.core.utils.run_job` (Hydra 1.3), without its copies (see the module's text).
    `config` is the job's own: its `hydra.runtime.output_dir` is set, as Hydra sets it."""
    _check_hydra_context(hydra_context)
    callbacks = hydra_context.callbacks
    old_cwd = os.getcwd()
    orig_hydra_cfg = HydraConfig.instance().cfg
    HydraConfig.instance().set_config(config)
    output_dir = _output_dir(config, job_dir_key, job_subdir_key)
    hydra_cfg = _set_output_dir(config, output_dir)
    _chdir = None
    try:
        ret = JobReturn()
        task_cfg = _task_config(config)
        ret.cfg = task_cfg
        ret.hydra_cfg = hydra_cfg
        overrides = OmegaConf.to_container(config.hydra.overrides.task)
        assert isinstance(overrides, list)
        ret.overrides = overrides
        Path(output_dir).mkdir(parents=True, exist_ok=True)
        _chdir = _changes_directory(hydra_cfg)
        if _chdir:
            os.chdir(output_dir)
            ret.working_dir = output_dir
        else:
            ret.working_dir = os.getcwd()
        if configure_logging:
            configure_log(config.hydra.job_logging, config.hydra.verbose)
        if config.hydra.output_subdir is not None:
            hydra_output = Path(config.hydra.runtime.output_dir) / Path(config.hydra.output_subdir)
            save_config(task_cfg, "config.yaml", hydra_output)
            save_config(hydra_cfg, "hydra.yaml", hydra_output)
            save_config(config.hydra.overrides.task, "overrides.yaml", hydra_output)
        with env_override(hydra_cfg.hydra.job.env_set):
            callbacks.on_job_start(config=config, task_function=task_function)
            try:
                ret.return_value = task_function(task_cfg)
                ret.status = JobStatus.COMPLETED
            except Exception as error:
                ret.return_value = error
                ret.status = JobStatus.FAILED
        ret.task_name = JobRuntime.instance().get("name")
        _flush_loggers()
        callbacks.on_job_end(config=config, job_return=ret)
        _detach(hydra_cfg)
        return ret
    finally:
        HydraConfig.instance().cfg = orig_hydra_cfg
        if _chdir:
            os.chdir(old_cwd)


def _output_dir(config: DictConfig, job_dir_key: str, job_subdir_key: str | None) -> str:
    """The job's directory; the sub-directory is evaluated here, on the job's side, as Hydra
    does (it may name the job's number or overrides)."""
    output_dir = str(OmegaConf.select(config, job_dir_key))
    if job_subdir_key is not None:
        output_dir = os.path.join(output_dir, str(OmegaConf.select(config, job_subdir_key)))
    return output_dir


def _set_output_dir(config: DictConfig, output_dir: str) -> DictConfig:
    """Set `hydra.runtime.output_dir` in the job's config and in the Hydra config made from it
    (what a second `set_config` would copy again); return that Hydra config."""
    hydra_cfg = HydraConfig.instance().cfg
    assert isinstance(hydra_cfg, DictConfig)
    for node in (config, hydra_cfg):
        with read_write(node.hydra.runtime), open_dict(node.hydra.runtime):
            node.hydra.runtime.output_dir = os.path.abspath(output_dir)
    return hydra_cfg


def _detach(hydra_cfg: DictConfig) -> None:
    """Make the job's Hydra config, now the `JobReturn`'s, its `hydra` node's root, as in
    Hydra's copy of it: it no longer holds on to the job's whole config (which would double
    the `JobReturn`'s pickle that a worker sends back)."""
    hydra_cfg.hydra._set_parent(hydra_cfg)


def _task_config(config: DictConfig) -> DictConfig:
    """The config the task gets: a copy of the job's config without its `hydra` node (the
    job's config keeps it: the Hydra config's interpolations resolve through it). A pickle
    round trip, or a deep copy, as Hydra makes, if something in the config cannot be pickled."""
    try:
        task_cfg = pickle.loads(pickle.dumps(config, protocol=pickle.HIGHEST_PROTOCOL))
    except (pickle.PicklingError, TypeError, AttributeError):
        task_cfg = copy.deepcopy(config)
    with read_write(task_cfg), open_dict(task_cfg):
        del task_cfg["hydra"]
    return task_cfg  # type: ignore[no-any-return]


def _changes_directory(hydra_cfg: DictConfig) -> bool:
    """`hydra.job.chdir`, or Hydra's default for the app's `version_base`."""
    from hydra.core import utils as hydra_utils

    chdir = hydra_cfg.hydra.job.chdir
    if chdir is not None:
        return bool(chdir)
    if hydra_utils.version.base_at_least("1.2"):
        return False
    url = "https://hydra.cc/docs/1.2/upgrades/1.1_to_1.2/changes_to_job_working_dir/"
    hydra_utils.deprecation_warning(
        message=dedent(
            f"""\
            Future Hydra versions will no longer change working directory at job runtime by default.
            See {url} for more information."""
        ),
        stacklevel=3,
    )
    return True


def save_config(cfg: Any, filename: str, output_dir: Path) -> None:
    """Hydra's `_save_config`: `cfg` as YAML (`to_yaml`) in `output_dir / filename`."""
    output_dir.mkdir(parents=True, exist_ok=True)
    with open(output_dir / filename, "w", encoding="utf-8") as file:
        file.write(to_yaml(cfg))


def to_yaml(cfg: Any) -> str:
    """`OmegaConf.to_yaml(cfg)`, emitted by libyaml when PyYAML has it."""
    dumper = _c_dumper()
    if dumper is None:
        return OmegaConf.to_yaml(cfg)
    if not OmegaConf.is_config(cfg):
        cfg = OmegaConf.create(cfg)
    container = OmegaConf.to_container(cfg, resolve=False, enum_to_str=True)
    return yaml.dump(  # type: ignore[no-any-return]
        container, default_flow_style=False, allow_unicode=True, sort_keys=False, Dumper=dumper
    )


@functools.cache
def _c_dumper() -> type | None:
    """PyYAML's C dumper with OmegaConf's representers (it quotes a string that would read
    back as a number or a boolean), or None without libyaml."""
    from omegaconf._utils import get_omega_conf_dumper

    c_dumper = getattr(yaml, "CDumper", None)
    if c_dumper is None or not getattr(yaml, "__with_libyaml__", False):
        return None
    omegaconf_dumper = get_omega_conf_dumper()
    return type(
        "OmegaConfCDumper",
        (c_dumper,),
        {
            "yaml_representers": dict(omegaconf_dumper.yaml_representers),
            "yaml_multi_representers": dict(omegaconf_dumper.yaml_multi_representers),
        },
    )


@contextlib.contextmanager
def lean_jobs(launcher: object) -> Iterator[None]:
    """While it lasts, Hydra's joblib launcher (if it is `launcher`) launches through
    `sim.joblib_launch.launch`, and its basic launcher runs its jobs through `run_job`; any
    other launcher is left alone."""
    module = type(launcher).__module__
    if module == JOBLIB_MODULE:
        from hydra_plugins.hydra_joblib_launcher import _core as target

        from sim.joblib_launch import launch

        name, replacement = "launch", launch
    elif module == BASIC_MODULE:
        from hydra._internal.core_plugins import basic_launcher as target  # type: ignore[no-redef]

        name, replacement = "run_job", run_job  # type: ignore[assignment]
    else:
        yield
        return
    if not callable(getattr(target, name, None)):  # another Hydra: leave it as it is
        log.debug(f"{target.__name__} has no {name}: its jobs run as Hydra runs them")
        yield
        return
    original = getattr(target, name)
    setattr(target, name, replacement)
    try:
        yield
    finally:
        setattr(target, name, original)
