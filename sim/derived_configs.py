"""A sweep's configs, each composed once: the points that differ only in plain values are derived.

Hydra composes a config from its defaults list (the scenario, the dispatch option, Hydra's
own groups...) and then sets each plain `key=value` override on top; setting a scalar
replaces whatever was there. So two override sets that differ only in scalar values of the
same keys (`run.seed=1` and `run.seed=2`) compose to configs that differ only in those
values: the second is the first with the changed values set again, as Hydra sets them.
`value_changes` decides when that holds; anything else is composed in full (a config group,
`+`, `~` or `++`, a list or dict value, which Hydra merges, keys in another order, or a key
that is a prefix of another override's key).

- `Composer`: the model configs of `jointduty run`'s up-front validation of a sweep's points.
- `DerivingLoader`: the config loader the sweeper and its launcher use; a job's config
  (with its `hydra` node: the job's overrides and `override_dirname` follow the derived
  values) is derived from the last job composed with the same config groups.

A composition takes about 0.1 s; a derivation a pickle round trip (a few ms; cheaper than a
deep copy, and the bases travel to the launcher's worker processes as 50 kB of bytes).
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Collection, Sequence
from typing import Any

from hydra._internal.config_loader_impl import get_overrides_dirname
from hydra.core.config_loader import ConfigLoader
from hydra.core.config_search_path import ConfigSearchPath
from hydra.core.object_type import ObjectType
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override, OverrideType
from hydra.errors import HydraException
from hydra.plugins.config_source import ConfigSource
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException

from sim.composition import compose_node, to_plain
from sim.plain_configs import PlainBase, derive, plain_base
from sim.safety import check_targets

MAX_BASES = 4  # configs kept to derive from (the loader's bases also travel to workers)

# An override set, the config it composed (pickled) and its groups (hydra.runtime.choices).
Base = tuple[list[str], bytes, set[str]]


def value_changes(
    base: Sequence[str], overrides: Sequence[str], groups: Collection[str]
) -> list[Override] | None:
    """The overrides that differ from `base`, if the two differ only in plain scalar values
    of the same keys in the same order; else None. `groups`: the config groups of the
    composed config (the keys of its `hydra.runtime.choices`)."""
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


def override_keys(overrides: Sequence[str]) -> tuple[str, ...]:
    """The keys (with any +, ~ or @package) of the overrides, in order."""
    return tuple(o.partition("=")[0].strip() for o in overrides)


class Composer:
    """`compose_config` for many override sets that mostly differ in plain values.

    A set that `value_changes` relates to a set composed before is derived from it; the
    others are composed in full and become bases. `hydra_overrides` go with every set; they
    shape only the `hydra` node, which `compose_config` leaves out. `n_composed` counts the
    full compositions. A base is also kept as plain containers where it can be, and a set
    is then derived from those without OmegaConf (`sim.plain_configs`).
    """

    def __init__(self, hydra_overrides: Sequence[str] = ()) -> None:
        self.hydra_overrides = list(hydra_overrides)
        self.n_composed = 0
        self._bases: list[Base] = []
        self._plain_bases: list[PlainBase] = []

    def compose_with_hydra(self, overrides: Sequence[str]) -> DictConfig:
        """A full composition with the `hydra` node; its model part is kept as a base."""
        composed = compose_node([*self.hydra_overrides, *overrides], with_hydra=True)
        self.n_composed += 1
        model = _thawed(_frozen(composed))
        with open_dict(model):
            del model["hydra"]
        groups = _groups(composed)
        self._bases.insert(0, (list(overrides), _frozen(model), groups))
        plain = plain_base(overrides, model, groups)
        if plain is not None:
            self._plain_bases.insert(0, plain)
        return composed

    def compose_config(self, overrides: Sequence[str]) -> dict[str, object]:
        """As `sim.composition.compose_config(overrides)`, derived when only values differ."""
        plain = self._plain_derived(overrides)
        if plain is None:
            model = _derived(self._bases, overrides)
            if model is None:
                self.compose_with_hydra(overrides)
                model = _thawed(self._bases[0][1])
            plain = to_plain(model)
        check_targets(plain)
        return plain

    def _plain_derived(self, overrides: Sequence[str]) -> dict[str, object] | None:
        for base in self._plain_bases:
            changes = value_changes(base.overrides, overrides, base.groups)
            if changes is not None:
                return derive(base, changes)
        return None


class DerivingLoader(ConfigLoader):
    """Hydra's config loader, deriving a job's config from a base when only values differ.

    `load_sweep_config` is what launchers call for each job (`check` is what the sweeper
    calls before launching); everything else goes to Hydra's loader unchanged.
    """

    def __init__(self, delegate: ConfigLoader) -> None:
        self.delegate = delegate
        self.n_composed = 0
        self._bases: list[Base] = []

    def load_sweep_config(self, master_config: DictConfig, sweep_overrides: list[str]) -> Any:
        overrides = [*master_config.hydra.overrides.hydra, *sweep_overrides]
        derived = _derived(self._bases, overrides)
        if derived is None:
            return self._composed(master_config, sweep_overrides)
        _set_job_overrides(derived, [_parsed(o) for o in overrides])
        OmegaConf.copy_cache(from_config=master_config, to_config=derived)
        return derived

    def check(self, master_config: DictConfig, sweep_overrides: list[str]) -> None:
        """Compose the job unless it derives from one composed before (it then composes)."""
        overrides = [*master_config.hydra.overrides.hydra, *sweep_overrides]
        related = (value_changes(base, overrides, groups) for base, _, groups in self._bases)
        if all(changes is None for changes in related):
            self._composed(master_config, sweep_overrides)

    def _composed(self, master_config: DictConfig, sweep_overrides: list[str]) -> Any:
        composed = self.delegate.load_sweep_config(master_config, sweep_overrides)
        self.n_composed += 1
        overrides = [*master_config.hydra.overrides.hydra, *sweep_overrides]
        self._bases.insert(0, (overrides, _frozen(composed), _groups(composed)))
        del self._bases[MAX_BASES:]
        return composed

    def load_configuration(
        self,
        config_name: str | None,
        overrides: list[str],
        run_mode: RunMode,
        from_shell: bool = True,
        validate_sweep_overrides: bool = True,
    ) -> DictConfig:
        return self.delegate.load_configuration(
            config_name, overrides, run_mode, from_shell, validate_sweep_overrides
        )

    def get_search_path(self) -> ConfigSearchPath:
        return self.delegate.get_search_path()

    def get_sources(self) -> list[ConfigSource]:
        return self.delegate.get_sources()

    def list_groups(self, parent_name: str) -> list[str]:
        return self.delegate.list_groups(parent_name)

    def get_group_options(
        self,
        group_name: str,
        results_filter: ObjectType | None = ObjectType.CONFIG,
        config_name: str | None = None,
        overrides: list[str] | None = None,
    ) -> list[str]:
        return self.delegate.get_group_options(group_name, results_filter, config_name, overrides)

    def compute_defaults_list(
        self, config_name: str | None, overrides: list[str], run_mode: RunMode
    ) -> Any:
        return self.delegate.compute_defaults_list(config_name, overrides, run_mode)


def _derived(bases: list[Base], overrides: Sequence[str]) -> DictConfig | None:
    """A base's config with the changed values set, or None if no base relates."""
    for base_overrides, frozen, groups in bases:
        changes = value_changes(base_overrides, overrides, groups)
        if changes is None:
            continue
        config = _thawed(frozen)
        try:
            for change in changes:  # as Hydra's ConfigLoaderImpl._apply_overrides_to_config
                OmegaConf.update(config, change.key_or_group, change.value(), merge=True)
        except OmegaConfBaseException:
            return None  # a full composition says what is wrong, in Hydra's words
        return config
    return None


def _set_job_overrides(config: DictConfig, parsed: list[Override]) -> None:
    """The `hydra` node's record of the overrides, as Hydra's loader writes it."""
    task = [o for o in parsed if not o.is_hydra_override()]
    hydra = config.hydra
    hydra.overrides.hydra = [o.input_line for o in parsed if o.is_hydra_override()]
    hydra.overrides.task = [o.input_line for o in task]
    dirname = hydra.job.config.override_dirname
    hydra.job.override_dirname = get_overrides_dirname(
        overrides=task,
        kv_sep=dirname.kv_sep,
        item_sep=dirname.item_sep,
        exclude_keys=dirname.exclude_keys,
    )


def _groups(composed: DictConfig) -> set[str]:
    return {str(group) for group in composed.hydra.runtime.choices}


def _frozen(config: DictConfig) -> bytes:
    return pickle.dumps(config, protocol=pickle.HIGHEST_PROTOCOL)


def _thawed(frozen: bytes) -> DictConfig:
    config = pickle.loads(frozen)
    assert isinstance(config, DictConfig)
    return config


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
