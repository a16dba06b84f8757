"""The config sources of `jointduty run`'s command line, read as Hydra will read them.

Checks made before Hydra starts must see the config Hydra will compose. `config_source`
reads `-cp`/`--config-path`, `-cn`/`--config-name` and `-cd`/`--config-dir` with a parser
that mirrors Hydra's own (abbreviations and `--flag=value` included; the overrides are what
it leaves), and `ConfigSource.compose` composes with them: `--config-dir` goes first in the
search path, as Hydra's command line puts it, through a search-path plugin (public API)
active only while it composes. Every YAML file of such a folder is checked first
(`sim.config.safety.check_yaml_shape`: no alias bomb, no absurd nesting).
`--experimental-rerun` (which loads a pickle, and so could run anything) is refused.

`check_hydra_settings` refuses Hydra settings that would otherwise fail only inside Hydra,
after it made a run folder: logging levels and the joblib launcher's `n_jobs`.
`with_override`, `is_multirun` and `only_shows` read and extend the command line the same way.
"""

from __future__ import annotations

import argparse
import functools
import os
from dataclasses import dataclass
from pathlib import Path

from hydra.core.config_search_path import ConfigSearchPath, SearchPathQuery
from hydra.plugins.search_path_plugin import SearchPathPlugin
from omegaconf import DictConfig, OmegaConf

from sim.config.safety import check_yaml_shape
from sim.config.schema import ConfigError
from sim.sweep.compose import compose_node

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
    known, _ = hydra_flags().parse_known_args(args)
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


def hydra_flags() -> argparse.ArgumentParser:
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
    known, _ = hydra_flags().parse_known_args(args)
    if not known.overrides:
        return [*args, override]
    last = max(i for i, arg in enumerate(args) if arg == known.overrides[-1])
    return [*args[: last + 1], override, *args[last + 1 :]]


def is_multirun(args: list[str]) -> bool:
    """True if Hydra will sweep (`-m`, `--multirun`, or an abbreviation of it)."""
    known, _ = hydra_flags().parse_known_args(args)
    return bool(known.multirun)


def only_shows(args: list[str]) -> bool:
    """True if Hydra will only print (help, config, info, version), not run a job."""
    known, _ = hydra_flags().parse_known_args(args)
    return bool(
        known.help
        or known.hydra_help
        or known.version
        or known.shell_completion
        or known.cfg
        or known.info
    )


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
