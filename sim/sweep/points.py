"""The points of a sweep on `jointduty run`'s command line, validated before Hydra starts.

A sweep is the command line's overrides (`key=a,b,c` with `-m`) plus the
`hydra.sweeper.params` an experiment preset declares, the command line winning, as in
Hydra's basic sweeper. `validate_sweep_points` composes and validates each sweep value with
the others at their first value, so that a bad value ends in one line naming the key, the
value and what is allowed (`ConfigError`, exit status 2) before any job runs.
`refuse_sweeps_without_multirun`: `key=a,b` without `-m` is one such line too, not Hydra's
multi-line error.

Every composition here uses the config Hydra itself will compose: `config_source` reads
`-cp`/`--config-path`, `-cn`/`--config-name` and `-cd`/`--config-dir` from the command line
with a parser that mirrors Hydra's own (abbreviations included), so that the `_target_`
allow-list sees a config named by `-cn` in an extra `--config-dir` too. `--experimental-rerun`
(which loads a pickle, and so could run anything) is refused.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydra.core.config_search_path import ConfigSearchPath, SearchPathQuery
from hydra.plugins.search_path_plugin import SearchPathPlugin
from omegaconf import DictConfig, OmegaConf

from sim.config.safety import check_targets, check_yaml_shape
from sim.config.scenario import JobConfig, validate
from sim.config.schema import ConfigError
from sim.sweep.compose import compose_node, sweeper_params, sweeper_params_in, to_plain

HYDRA_MAIN_DIR = Path(__file__).resolve().parent  # a relative -cp is relative to run.py


@dataclass(frozen=True)
class ConfigSource:
    """Where Hydra will read the primary config: its folder, its name, any extra folder."""

    config_dir: str | None = None  # None: the app's conf/
    config_name: str = "config"
    extra_dir: str | None = None  # --config-dir

    def compose(self, overrides: list[str], *, with_hydra: bool) -> DictConfig:
        """Compose as Hydra will, `--config-dir` first in the search path (`ExtraConfigDir`)."""
        _register_extra_config_dir()
        EXTRA_CONFIG_DIRS[:] = [self.extra_dir] if self.extra_dir else []
        try:
            return compose_node(
                overrides,
                with_hydra=with_hydra,
                config_dir=self.config_dir,
                config_name=self.config_name,
            )
        finally:
            EXTRA_CONFIG_DIRS.clear()


EXTRA_CONFIG_DIRS: list[str] = []  # set only while ConfigSource.compose runs


class ExtraConfigDir(SearchPathPlugin):
    """`--config-dir` for compositions made before Hydra runs: put first in the search path,
    where Hydra's own command line puts it (public plugin API; a no-op at other times)."""

    def manipulate_search_path(self, search_path: ConfigSearchPath) -> None:
        for folder in EXTRA_CONFIG_DIRS:
            search_path.prepend(
                provider="command-line",
                path=f"file://{folder}",
                anchor=SearchPathQuery(provider="schema"),
            )


@functools.cache
def _register_extra_config_dir() -> None:
    from hydra.core.plugins import Plugins

    Plugins.instance().register(ExtraConfigDir)


def config_source(args: list[str]) -> ConfigSource:
    """The config source Hydra will use for these arguments (`-cp`, `-cn`, `--config-dir`)."""
    known, _ = _hydra_flags().parse_known_args(args)
    if known.experimental_rerun is not None:
        raise ConfigError(
            "--experimental-rerun", known.experimental_rerun, "is not supported (it loads a pickle)"
        )
    config_dir = None
    if known.config_path is not None:
        path = Path(known.config_path)
        config_dir = str(path if path.is_absolute() else HYDRA_MAIN_DIR / path)
        _require_dir("--config-path", known.config_path, config_dir)
    extra_dir = None
    if known.config_dir is not None:
        extra_dir = os.path.abspath(known.config_dir)
        _require_dir("--config-dir", known.config_dir, extra_dir)
    for folder in (config_dir, extra_dir):
        if folder is not None:
            _check_config_files(Path(folder))
    return ConfigSource(config_dir, known.config_name or "config", extra_dir)


MAX_CONFIG_FILES = 2000  # YAML files checked in one folder given by -cp or --config-dir


def _check_config_files(folder: Path) -> None:
    """Every YAML file of a folder from outside the package, before Hydra expands any."""
    for index, path in enumerate(sorted(folder.rglob("*.yaml"))):
        if index >= MAX_CONFIG_FILES:
            raise ConfigError("--config-dir/--config-path", str(folder), "holds too many files")
        check_yaml_shape(path)


def _require_dir(flag: str, given: str, path: str) -> None:
    if not os.path.isdir(path):
        raise ConfigError(flag, given, f"must be an existing folder (looked in {path})")
    if "," in path or "]" in path or "'" in path:
        raise ConfigError(flag, given, "must be a folder path without , ] or '")


def _hydra_flags() -> argparse.ArgumentParser:
    """The flags of Hydra's own command-line parser that choose and show configs."""
    parser = argparse.ArgumentParser(add_help=False)
    for flags in (("--help", "-h"), ("--hydra-help",), ("--resolve",), ("--run", "-r")):
        parser.add_argument(*flags, action="store_true")
    for flags in (("--multirun", "-m"), ("--shell-completion", "-sc"), ("--version",)):
        parser.add_argument(*flags, action="store_true")
    for flags in (("--cfg", "-c"), ("--package", "-p"), ("--config-path", "-cp")):
        parser.add_argument(*flags)
    for flags in (("--config-name", "-cn"), ("--config-dir", "-cd"), ("--experimental-rerun",)):
        parser.add_argument(*flags)
    parser.add_argument("--info", "-i", nargs="?", const="all")
    parser.add_argument("overrides", nargs="*")
    return parser


def with_override(args: list[str], override: str) -> list[str]:
    """`args` with `override` added to the block of overrides (Hydra's parser takes the
    overrides as one block: one added after a trailing `-m` would be refused)."""
    known, _ = _hydra_flags().parse_known_args(args)
    if not known.overrides:
        return [*args, override]
    last = max(i for i, arg in enumerate(args) if arg == known.overrides[-1])
    return [*args[: last + 1], override, *args[last + 1 :]]


def is_multirun(args: list[str]) -> bool:
    """True if Hydra will sweep (`-m`, `--multirun`, or an abbreviation of it)."""
    known, _ = _hydra_flags().parse_known_args(args)
    return bool(known.multirun)


def only_shows(args: list[str]) -> bool:
    """True if Hydra will only print (help, config, info, version), not run a job."""
    known, _ = _hydra_flags().parse_known_args(args)
    return bool(
        known.help
        or known.hydra_help
        or known.version
        or known.shell_completion
        or known.cfg
        or known.info
    )


def refuse_sweeps_without_multirun(args: list[str]) -> None:
    """`key=a,b` is a sweep: Hydra runs it only with -m (otherwise it fails in several lines)."""
    if is_multirun(args):
        return
    for override in _parse_overrides(_model_overrides(args)):
        if override.is_sweep_override():
            raise ConfigError(
                override.get_key_element(),
                ",".join(override.sweep_string_iterator()),
                "is a sweep of several values; add -m to run one job per value",
            )


def validate_sweep_points(
    args: list[str], on_first: Callable[[DictConfig, int], None] | None = None
) -> DictConfig:
    """Compose and validate every point of the sweep (`_override_sets`), or `ConfigError`.

    One full composition with the `hydra` node (at every value's first) serves the check of
    `_target_`s and the sweep an experiment preset declares; each point is then composed and
    validated on its own. `on_first` is called with that composition and the number of jobs
    in the grid as soon as it is checked. Returns it.
    """
    source = config_source(args)
    hydra_overrides = _first_values(_parse_overrides(_hydra_overrides(args)))
    first = source.compose(
        [*hydra_overrides, *_first_values(_parse_overrides(_model_overrides(args)))],
        with_hydra=True,
    )
    check_targets(OmegaConf.to_container(first, resolve=False))
    check_hydra_settings(first)
    choices = _choices(args, sweeper_params_in(first))
    if on_first is not None:
        on_first(first, math.prod(len(values) for values in choices.values()))
    for overrides in _override_sets_of(choices):
        plain = to_plain(source.compose([*hydra_overrides, *overrides], with_hydra=False))
        check_targets(plain)
        _placed(validate(plain))
    return first


def check_hydra_settings(composed: DictConfig) -> None:
    """Hydra settings that would fail only once Hydra runs (after making a run folder):
    logging levels, and the joblib launcher's `n_jobs`."""
    for node in ("hydra.job_logging", "hydra.hydra_logging"):
        logging_config = OmegaConf.select(composed, node, throw_on_resolution_failure=False)
        if isinstance(logging_config, DictConfig):
            plain = OmegaConf.to_container(logging_config, resolve=False)
            for key, level in _levels(plain, node):
                if not _is_level(level):
                    names = ", ".join(LOG_LEVELS)
                    raise ConfigError(key, level, f"must be a logging level: {names}")
    n_jobs = OmegaConf.select(composed, "hydra.launcher.n_jobs", throw_on_resolution_failure=False)
    if n_jobs is not None and (
        not isinstance(n_jobs, int) or isinstance(n_jobs, bool) or n_jobs == 0
    ):
        raise ConfigError(
            "hydra.launcher.n_jobs", n_jobs, "must be a whole number of workers >= 1 (-1: all CPUs)"
        )


LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG", "NOTSET")


def _levels(node: object, key: str) -> list[tuple[str, object]]:
    """Every `level` value in a logging config, with its dotted key."""
    if not isinstance(node, dict):
        return []
    found = [(f"{key}.level", node["level"])] if "level" in node else []
    for name, child in node.items():
        found += _levels(child, f"{key}.{name}")
    return found


def _is_level(level: object) -> bool:
    if isinstance(level, int) and not isinstance(level, bool):
        return level >= 0
    return isinstance(level, str) and level.upper() in (*LOG_LEVELS, "WARN", "FATAL")


def _placed(job: JobConfig) -> JobConfig:
    """`sim.experiment.placement.place_stations`, imported only for a point that places stations."""
    if job.placement.n_stations is None:
        return job
    from sim.experiment.placement import place_stations

    return place_stations(job)


def _override_sets(args: list[str], params: dict[str, str] | None = None) -> list[list[str]]:
    """The override lists to validate up front: each sweep value with the others' first.

    The sweep is the command line's overrides plus `params`, the `hydra.sweeper.params` of
    the composed config (an experiment preset; composed here if not given), the command line
    winning, as in Hydra's basic sweeper.
    """
    return _override_sets_of(_choices(args, params))


def _choices(args: list[str], params: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Each key of the sweep (`_override_sets`) and its values, in order."""
    command_line = _parse_overrides(_model_overrides(args))
    if params is None:
        params = sweeper_params(_first_values(command_line))
    merged = {
        o.get_key_element(): o for o in _parse_overrides([f"{k}={v}" for k, v in params.items()])
    }
    merged.update({o.get_key_element(): o for o in command_line})
    return {key: _values(override) for key, override in merged.items()}


def _override_sets_of(choices: dict[str, list[str]]) -> list[list[str]]:
    base = [f"{key}={values[0]}" for key, values in choices.items()]
    sets = [base]
    for index, (key, values) in enumerate(choices.items()):
        for value in values[1:]:
            variant = list(base)
            variant[index] = f"{key}={value}"
            sets.append(variant)
    return sets


def _parse_overrides(overrides: list[str]) -> list[Any]:
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        return OverridesParser.create().parse_overrides(overrides)
    except Exception as error:
        raise ConfigError("override", " ".join(overrides), str(error).splitlines()[0]) from None


def _first_values(parsed: list[Any]) -> list[str]:
    return [f"{o.get_key_element()}={_values(o)[0]}" for o in parsed]


def _values(override: object) -> list[str]:
    if override.is_sweep_override():  # type: ignore[attr-defined]
        return list(override.sweep_string_iterator())  # type: ignore[attr-defined]
    return [override.get_value_element_as_str()]  # type: ignore[attr-defined]


def _model_overrides(args: list[str]) -> list[str]:
    """The key=value arguments that shape the model (not Hydra's own flags and settings)."""
    return [o for o in _plain_overrides(args) if not _is_hydra_key(o)]


def _is_hydra_key(override: str) -> bool:
    return override.lstrip("+~").split("=", 1)[0].startswith(("hydra.", "hydra/"))


def _hydra_overrides(args: list[str]) -> list[str]:
    """The key=value arguments that set Hydra itself (`hydra.*`, `hydra/...`)."""
    return [o for o in _plain_overrides(args) if _is_hydra_key(o)]


def _plain_overrides(args: list[str]) -> list[str]:
    """Every key=value argument, Hydra's own settings included (not the command-line flags
    or their values, read as Hydra's parser reads them: `--config-d D` is `--config-dir D`)."""
    known, extras = _hydra_flags().parse_known_args(args)
    return [*known.overrides, *(e for e in extras if not e.startswith("-"))]
