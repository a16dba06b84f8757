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

`compose_job(overrides)` composes and validates a config without running anything; Hydra's
own errors (an unknown scenario, a key that does not exist, a bad override) are turned into
`ConfigError`s that name the key, the value and what is allowed. `sweeper_params` reads the
sweep grid a config declares in `hydra.sweeper.params` (as `conf/experiment/` presets do), so
that the command line can validate every point of a sweep before it starts.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import re
from collections.abc import Collection, Sequence
from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override, OverrideType
from hydra.errors import HydraException, MissingConfigException
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException

from hydra_plugins.jointduty_sweeper.scenario_source import SCENARIO_FILE
from sim.config import JobConfig, validate
from sim.safety import check_targets
from sim.schema import ConfigError


def shipped_dir(name: str) -> Path:
    """The folder `conf` or `scenarios`: inside the installed package, else beside `sim/`."""
    try:
        spec = importlib.util.find_spec(f"sim.{name}")
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    candidate = Path(__file__).resolve().parent.parent / name  # a source checkout
    if candidate.is_dir():
        return candidate
    raise FileNotFoundError(f"cannot find the shipped folder {name!r} (broken install?)")


def scenario_names() -> list[str]:
    """Names of the shipped scenarios (folders of `scenarios/` with a scenario.yaml)."""
    root = shipped_dir("scenarios")
    return sorted(p.parent.name for p in root.glob(f"*/{SCENARIO_FILE}"))


@functools.cache
def register_scenarios() -> None:
    """Put the scenario source on Hydra's search path (once per process; cheap: no file is read).

    Registered by hand because Hydra's plugin scan misses editable installs; the scan finds
    the same classes in an installed wheel, which is harmless."""
    from hydra.core.plugins import Plugins

    from hydra_plugins.jointduty_sweeper.scenario_source import ScenarioSearchPath, ScenarioSource

    Plugins.instance().register(ScenarioSource)
    Plugins.instance().register(ScenarioSearchPath)


def compose_config(overrides: Sequence[str] = ()) -> dict[str, object]:
    """The composed config as a plain dict (interpolations resolved), or `ConfigError`; a
    `_target_` outside the allow-list (`sim.safety`) is refused."""
    plain = to_plain(_compose(overrides, with_hydra=False))
    check_targets(plain)
    return plain


def check_composed_targets(overrides: Sequence[str] = ()) -> None:
    """Compose with the `hydra` node (launcher, sweeper, plugins) and refuse any `_target_`
    outside the allow-list, before Hydra gets to instantiate it."""
    composed = OmegaConf.to_container(_compose(overrides, with_hydra=True), resolve=False)
    check_targets(composed)


def sweeper_params(overrides: Sequence[str] = ()) -> dict[str, str]:
    """`hydra.sweeper.params` as composed with these overrides (e.g. from `+experiment=...`)."""
    return sweeper_params_in(_compose(overrides, with_hydra=True))


def sweeper_params_in(composed: DictConfig) -> dict[str, str]:
    """`hydra.sweeper.params` of a config composed with its `hydra` node."""
    params = OmegaConf.select(composed, "hydra.sweeper.params")
    if params is None:
        return {}
    plain = OmegaConf.to_container(params, resolve=False)
    assert isinstance(plain, dict)
    return {str(key): str(value) for key, value in plain.items()}


class Composer:
    """`compose_config` for many override sets that mostly differ in plain values (a sweep).

    A set that `value_changes` relates to a set composed before is derived from that one's
    config: a copy with the changed values set as Hydra sets them. The others are composed
    in full (and become bases themselves). `hydra_overrides` go with every set; they shape
    only the `hydra` node, which `compose_config` leaves out. `n_composed` counts the full
    compositions.
    """

    def __init__(self, hydra_overrides: Sequence[str] = ()) -> None:
        self.hydra_overrides = list(hydra_overrides)
        self.n_composed = 0
        self._bases: dict[tuple[str, ...], list[tuple[list[str], DictConfig, set[str]]]] = {}

    def compose_with_hydra(self, overrides: Sequence[str]) -> DictConfig:
        """A full composition with the `hydra` node; its model part is kept as a base."""
        composed = _compose([*self.hydra_overrides, *overrides], with_hydra=True)
        self.n_composed += 1
        model = copy.deepcopy(composed)
        with open_dict(model):
            del model["hydra"]
        groups = set(OmegaConf.to_container(composed.hydra.runtime.choices))  # type: ignore[arg-type]
        base = (list(overrides), model, groups)
        self._bases.setdefault(override_keys(overrides), []).insert(0, base)
        return composed

    def compose_config(self, overrides: Sequence[str]) -> dict[str, object]:
        """As `compose_config(overrides)`, derived from a base when only values differ."""
        model = self._derived(overrides)
        if model is None:
            self.compose_with_hydra(overrides)
            model = self._bases[override_keys(overrides)][0][1]
        plain = to_plain(model)
        check_targets(plain)
        return plain

    def _derived(self, overrides: Sequence[str]) -> DictConfig | None:
        for base_overrides, base_model, groups in self._bases.get(override_keys(overrides), []):
            changes = value_changes(base_overrides, overrides, groups)
            if changes is not None:
                return _with_values(base_model, changes)
        return None


def _with_values(base_model: DictConfig, changes: list[Override]) -> DictConfig | None:
    """A copy of `base_model` with the changed values set, or None if one cannot be set."""
    model = copy.deepcopy(base_model)
    try:
        for change in changes:  # as Hydra's ConfigLoaderImpl._apply_overrides_to_config
            OmegaConf.update(model, change.key_or_group, change.value(), merge=True)
    except OmegaConfBaseException:
        return None  # a full composition says what is wrong, in Hydra's words
    return model


def override_keys(overrides: Sequence[str]) -> tuple[str, ...]:
    """The keys (with any +, ~ or @package) of the overrides, in order."""
    return tuple(o.partition("=")[0].strip() for o in overrides)


def value_changes(
    base: Sequence[str], overrides: Sequence[str], groups: Collection[str]
) -> list[Override] | None:
    """The overrides that differ from `base`, if the two differ only in plain scalar values
    of the same keys (`run.seed=2` against `run.seed=1`); else None.

    Hydra composes a config from its defaults list and then sets each plain `key=value` on
    top, and setting a scalar replaces whatever was there. So the config `base` composes
    becomes the one `overrides` composes by setting the changed values again. Anything else
    needs a full composition: other keys or order, a config group (`groups`: the group names
    of the composed config's `hydra.runtime.choices`), `+`, `~` or `++`, a list or dict
    value, `hydra.searchpath`, or a key that is a prefix of another override's key.
    """
    if override_keys(base) != override_keys(overrides):
        return None
    try:
        old, new = [_parsed(o) for o in base], [_parsed(o) for o in overrides]
    except HydraException:
        return None  # a full composition names the bad override
    keys = [o.key_or_group for o in new]
    group_names = {group.partition("@")[0] for group in groups}
    changes: list[Override] = []
    for before, after in zip(old, new, strict=True):
        if before.input_line == after.input_line:
            continue
        key = after.key_or_group
        overlapping = [k for k in keys if k == key or k.startswith(key + ".")]
        overlapping += [k for k in keys if key.startswith(k + ".")]
        if not (_plain_scalar(before) and _plain_scalar(after)) or key in group_names:
            return None
        if len(overlapping) > 1 or key == "hydra.searchpath":
            return None
        changes.append(after)
    return changes


@functools.lru_cache(maxsize=4096)
def _parsed(override: str) -> Override:
    """One override as Hydra parses it (cached: a sweep repeats its constant overrides)."""
    return OverridesParser.create().parse_override(override)


def _plain_scalar(override: Override) -> bool:
    if override.type != OverrideType.CHANGE or override.package is not None:
        return False
    if override.is_sweep_override():
        return False
    value = override.value()
    return value is None or isinstance(value, (str, int, float, bool))


def _compose(overrides: Sequence[str], *, with_hydra: bool) -> DictConfig:
    register_scenarios()
    try:
        with initialize_config_dir(str(shipped_dir("conf")), version_base="1.3"):
            return compose(
                config_name="config", overrides=list(overrides), return_hydra_config=with_hydra
            )
    except MissingConfigException as error:
        raise _missing_option_error(error) from None
    except (HydraException, OmegaConfBaseException) as error:
        raise _override_error(error, overrides) from None


def compose_job(overrides: Sequence[str] = ()) -> JobConfig:
    """Compose and validate: the `JobConfig` a run with these overrides would use, with its
    stations placed if `placement.n_stations` is set (`sim.placement`)."""
    from sim.placement import place_stations

    return place_stations(validate(compose_config(overrides)))


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


def _missing_option_error(error: MissingConfigException) -> ConfigError:
    missing = error.missing_cfg_file or ""
    group, _, option = missing.rpartition("/")
    if group and error.options:
        return ConfigError(group, option, "unknown option; allowed: " + ", ".join(error.options))
    return ConfigError(group or "config", option or missing, _first_line(error))


def _override_error(error: BaseException, overrides: Sequence[str]) -> ConfigError:
    unknown = re.search(r"Could not override '([^']+)'", str(error))
    if unknown:
        key = unknown.group(1)
        value = next((o.split("=", 1)[1] for o in overrides if o.split("=", 1)[0] == key), None)
        allowed = f"unknown key; check the spelling, or add it with +{key}=..."
        return ConfigError(key, value, allowed)
    return ConfigError("override", " ".join(overrides), _first_line(error))


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return " ".join(lines[:2]) if lines else type(error).__name__
