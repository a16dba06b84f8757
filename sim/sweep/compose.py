"""Where the shipped configs live, and how a config is composed and validated.

The app's Hydra configs are in `conf/` and the named scenarios in `scenarios/` at the top of
the repository. Installed from a wheel they ship inside the package as `sim.conf` and
`sim.scenarios`; in a source checkout they are found beside the `sim/` folder. Scenarios are
served to Hydra by a config source on its search path (`jointduty://scenarios`, in
`hydra_plugins.jointduty_sweeper.scenario_source`) as options of the `scenario` group (and
shared district and calibration files as options of `district` and `calibration`), so
`scenario=NAME` selects one from any working directory. The source reads only the files a
composition selects: Hydra deep-copies its ConfigStore on every composition, so storing every
scenario there made each composition pay for all of them (the province's 802 stations).

`compose_job(overrides)` composes and validates a config without running anything
(`compose_jobs`: several scenarios with shared overrides, as a comparison runs them); Hydra's
own errors (an unknown scenario, a key that does not exist, a bad override) are turned into
`ConfigError`s that name the key, the value and what is allowed. `sweeper_params` reads the
sweep grid a config declares in `hydra.sweeper.params` (as `conf/experiment/` presets do), so
that the command line can validate every point of a sweep before it starts.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence

import yaml
from hydra import compose, initialize_config_dir
from hydra.core.plugins import Plugins
from hydra.errors import HydraException, MissingConfigException
from hydra.plugins.launcher import Launcher
from hydra.plugins.sweeper import Sweeper
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from hydra_plugins.jointduty_sweeper.scenario_source import ScenarioSearchPath, ScenarioSource
from sim.config.checks import validate
from sim.config.safety import check_group_values, check_targets
from sim.config.scenario import JobConfig
from sim.config.schema import ConfigError
from sim.config.shipped import shipped_dir


@functools.cache
def register_scenarios() -> None:
    """Put the scenario source on Hydra's search path (once per process; cheap: no file is read).

    Registered by hand because Hydra's plugin scan misses editable installs; the scan finds
    the same classes in an installed wheel, which is harmless."""
    Plugins.instance().register(ScenarioSource)
    Plugins.instance().register(ScenarioSearchPath)


@functools.cache
def hydra_plugin_targets() -> frozenset[str]:
    """The class names of every launcher and sweeper Hydra discovers, its own basic ones
    included (`Plugins.discover`, Hydra's public plugin registry): the `_target_`s a composed
    `hydra` node may name besides ours and the installed plugins'."""
    plugins = Plugins.instance()
    return frozenset(
        f"{cls.__module__}.{cls.__qualname__}"
        for kind in (Launcher, Sweeper)
        for cls in plugins.discover(kind)
    )


def compose_config(overrides: Sequence[str] = ()) -> dict[str, object]:
    """The composed config as a plain dict (interpolations resolved), or `ConfigError`; a
    `_target_` outside the allow-list (`sim.config.checks`) is refused."""
    plain = to_plain(compose_node(overrides, with_hydra=False))
    check_targets(plain, known=hydra_plugin_targets())
    return plain


def check_composed_targets(overrides: Sequence[str] = ()) -> None:
    """Compose with the `hydra` node (launcher, sweeper, plugins) and refuse any `_target_`
    outside the allow-list, before Hydra gets to instantiate it."""
    composed = OmegaConf.to_container(compose_node(overrides, with_hydra=True), resolve=False)
    check_targets(composed, known=hydra_plugin_targets())


def sweeper_params(overrides: Sequence[str] = ()) -> dict[str, str]:
    """`hydra.sweeper.params` as composed with these overrides (e.g. from `+experiment=...`)."""
    return sweeper_params_in(compose_node(overrides, with_hydra=True))


def sweeper_params_in(composed: DictConfig) -> dict[str, str]:
    """`hydra.sweeper.params` of a config composed with its `hydra` node."""
    params = OmegaConf.select(composed, "hydra.sweeper.params")
    if params is None:
        return {}
    plain = OmegaConf.to_container(params, resolve=False)
    assert isinstance(plain, dict)
    return {str(key): str(value) for key, value in plain.items()}


def compose_node(
    overrides: Sequence[str],
    *,
    with_hydra: bool,
    config_dir: str | None = None,
    config_name: str = "config",
) -> DictConfig:
    """The composed config as an OmegaConf node (interpolations not resolved, no checks),
    with Hydra's own `hydra` node if asked; Hydra's errors as `ConfigError`. `config_dir` and
    `config_name` (default: the app's `conf/config.yaml`) are those of `-cp` and `-cn`."""
    check_group_values(overrides)  # before Hydra reads the file a group value names
    register_scenarios()
    try:
        with initialize_config_dir(config_dir or str(shipped_dir("conf")), version_base="1.3"):
            return compose(
                config_name=config_name, overrides=list(overrides), return_hydra_config=with_hydra
            )
    except MissingConfigException as error:
        raise _missing_option_error(error) from None
    except yaml.YAMLError as error:
        raise yaml_error(error) from None
    except RecursionError:
        raise ConfigError("config", config_name, "nests too deeply to compose") from None
    except (HydraException, OmegaConfBaseException) as error:
        raise _override_error(error, overrides) from None


def compose_job(overrides: Sequence[str] = ()) -> JobConfig:
    """Compose and validate: the `JobConfig` a run with these overrides would use, with its
    stations placed if `placement.n_stations` is set (`sim.experiment.placement`)."""
    from sim.experiment.placement import place_stations

    return place_stations(validate(compose_config(overrides)))


def compose_jobs(scenarios: tuple[str, ...], overrides: tuple[str, ...]) -> list[JobConfig]:
    """The validated job of every scenario with the shared overrides; one `run` for all."""
    jobs = [compose_job([f"scenario={name}", *overrides]) for name in scenarios]
    for job in jobs[1:]:
        if job.run != jobs[0].run:
            raise ConfigError(
                f"{job.scenario.name}: run",
                dataclasses.asdict(job.run),
                "must equal the first scenario's run settings (common random numbers)",
            )
    return jobs


def to_plain(cfg: object) -> dict[str, object]:
    """An OmegaConf node as plain containers, interpolations resolved, or `ConfigError`."""
    try:
        plain = OmegaConf.to_container(cfg, resolve=True)  # type: ignore[arg-type]
    except OmegaConfBaseException as error:
        raise ConfigError(
            str(getattr(error, "full_key", "") or "config"), None, _first_line(error)
        ) from None
    assert isinstance(plain, dict)
    return {str(k): v for k, v in plain.items()}


def yaml_error(error: yaml.YAMLError, key: str = "config file") -> ConfigError:
    """A YAML file that cannot be read (malformed, a `!!python` tag, binary), named."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    where = str(getattr(mark, "name", None) or "?")
    line = f", line {mark.line + 1}" if mark is not None else ""
    problem = getattr(error, "problem", None) or _first_line(error)
    name = where.rsplit("/", 1)[-1]
    return ConfigError(key, name, f"is not valid YAML ({where}{line}): {problem}")


def _missing_option_error(error: MissingConfigException) -> ConfigError:
    missing = error.missing_cfg_file or ""
    group, _, option = missing.rpartition("/")
    if group and error.options:
        return ConfigError(group, option, "unknown option; allowed: " + ", ".join(error.options))
    return ConfigError(group or "config", option or missing, _first_sentence(error))


def _override_error(error: BaseException, overrides: Sequence[str]) -> ConfigError:
    unknown = re.search(r"Could not override '([^']+)'", str(error))
    if unknown:
        key = unknown.group(1)
        value = next((o.split("=", 1)[1] for o in overrides if o.split("=", 1)[0] == key), None)
        allowed = f"unknown key; check the spelling, or add it with +{key}=..."
        return ConfigError(key, value, allowed)
    return ConfigError("override", " ".join(overrides), _first_line(error))


def _first_sentence(error: BaseException) -> str:
    """The error's first sentence (Hydra's missing-config message goes on to list paths)."""
    text = _first_line(error)
    return text.split(". ")[0].rstrip(".") + "." if ". " in text else text


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return " ".join(lines[:2]) if lines else type(error).__name__
