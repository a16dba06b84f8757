"""The points of a sweep on `jointduty run`'s command line, validated before Hydra starts.

A sweep is the command line's overrides (`key=a,b,c` with `-m`) plus the
`hydra.sweeper.params` an experiment preset declares, the command line winning, as in
Hydra's basic sweeper. `validate_sweep_points` validates every point of the grid, so that a
bad value ends in one line naming the key, the value and what is allowed (`ConfigError`, exit
status 2) before any job runs; Hydra composes once per combination of config-group choices,
and plain values are set on that composition (`PointDeriver`), so the sweeper need not
compose each job again before launching it.
`refuse_sweeps_without_multirun`: `key=a,b` without `-m` is one such line too, not Hydra's
multi-line error.

Every composition here is of the config Hydra itself will compose, whatever its source
(`-cn`, `-cp`, `--config-dir`: `sim.sweep.sources`), so that the `_target_` allow-list sees a
config named by `-cn` in an extra `--config-dir` too.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
from collections.abc import Callable
from typing import Any

from omegaconf import DictConfig, OmegaConf

from sim.config.checks import validate
from sim.config.safety import check_targets
from sim.config.scenario import JobConfig
from sim.config.schema import ConfigError
from sim.sweep.compose import hydra_plugin_targets, sweeper_params, sweeper_params_in, to_plain
from sim.sweep.sources import (
    ConfigSource,
    check_hydra_settings,
    config_source,
    hydra_flags,
    is_multirun,
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
    """Compose and validate every point of the sweep (`_grid_of`), or `ConfigError`.

    One full composition with the `hydra` node (at every value's first) serves the check of
    `_target_`s and the sweep an experiment preset declares; then every point of the grid is
    validated, composed once per combination of config-group choices and derived from that
    composition for plain values (`PointDeriver`). `on_first` is called with the first
    composition and the number of jobs in the grid as soon as it is checked. Returns it.
    """
    source = config_source(args)
    hydra_overrides = _first_values(_parse_overrides(_hydra_overrides(args)))
    first = source.compose(
        [*hydra_overrides, *_first_values(_parse_overrides(_model_overrides(args)))],
        with_hydra=True,
    )
    check_targets(OmegaConf.to_container(first, resolve=False), known=hydra_plugin_targets())
    check_hydra_settings(first)
    choices = _choices(args, sweeper_params_in(first))
    if on_first is not None:
        on_first(first, math.prod(len(values) for values in choices.values()))
    derive = PointDeriver(source, hydra_overrides, first)
    for overrides in _grid_of(choices):
        plain = derive(overrides)
        check_targets(plain, known=hydra_plugin_targets())
        _placed(validate(plain))
    return first


def _placed(job: JobConfig) -> JobConfig:
    """`sim.experiment.placement.place_stations`, imported only for a point that places stations."""
    if job.placement.n_stations is None:
        return job
    from sim.experiment.placement import place_stations

    return place_stations(job)


def _choices(args: list[str], params: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Each key of the sweep and its values, in order: the command line's overrides plus
    `params` (an experiment preset's `hydra.sweeper.params`, composed here if not given), the
    command line winning, as in Hydra's basic sweeper."""
    command_line = _parse_overrides(_model_overrides(args))
    if params is None:
        params = sweeper_params(_first_values(command_line))
    merged = {
        o.get_key_element(): o for o in _parse_overrides([f"{k}={v}" for k, v in params.items()])
    }
    merged.update({o.get_key_element(): o for o in command_line})
    return {key: _values(override) for key, override in merged.items()}


def sweep_grid(args: list[str], params: dict[str, str] | None = None) -> list[list[str]]:
    """Every point of the sweep these arguments (and an experiment preset's params) ask for."""
    return _grid_of(_choices(args, params))


def _grid_of(choices: dict[str, list[str]]) -> list[list[str]]:
    """Every point of the sweep, as Hydra's basic sweeper makes the cartesian grid."""
    return [list(point) for point in itertools.product(*(
        [f"{key}={value}" for value in values] for key, values in choices.items()
    ))]  # fmt: skip


class PointDeriver:
    """The plain config of a sweep point, composed by Hydra at most once per combination of
    config-group choices (`scenario=...`, `dispatch=...`, `+key=...`): a point that differs
    only in plain values (`run.seed=3`) is that composition with the values set, unless an
    interpolation refers to the key (then it is composed in full). Composing is about 0.5 s
    a point, deriving about 25 ms; the derived config is the one Hydra will compose for the
    job, which `tests/sweep/test_sweeps.py` checks point by point."""

    def __init__(self, source: ConfigSource, hydra_overrides: list[str], first: DictConfig):
        self.source, self.hydra_overrides = source, hydra_overrides
        choices = OmegaConf.select(first, "hydra.runtime.choices") or {}
        self.groups = {str(group).split("@")[0] for group in choices}
        self.bases: dict[tuple[str, ...], tuple[dict[str, object], str]] = {}

    def __call__(self, overrides: list[str]) -> dict[str, object]:
        structural = tuple(o for o in overrides if self._is_structural(o))
        values = [o for o in overrides if not self._is_structural(o)]
        if structural not in self.bases:
            node = self.source.compose([*self.hydra_overrides, *structural], with_hydra=False)
            raw = json.dumps(OmegaConf.to_container(node, resolve=False), default=str)
            self.bases[structural] = (to_plain(node), raw)
        plain, raw = self.bases[structural]
        derived = copy.deepcopy(plain)
        for override in _parse_overrides(values):
            key = override.get_key_element()
            if "${" + key in raw or not _set_existing(derived, key, override.value()):
                return self._composed(overrides)
        return derived

    def _is_structural(self, override: str) -> bool:
        key = override.split("=", 1)[0]
        return key.startswith(("+", "~")) or "/" in key or key.split(".")[0] in self.groups

    def _composed(self, overrides: list[str]) -> dict[str, object]:
        return to_plain(self.source.compose([*self.hydra_overrides, *overrides], with_hydra=False))


def _set_existing(config: dict[str, object], dotted_key: str, value: object) -> bool:
    """Set `a.b.c` in nested dicts if that key exists (else False: Hydra must say why)."""
    *path, last = dotted_key.split(".")
    node: object = config
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    if not isinstance(node, dict) or last not in node:
        return False
    node[last] = value
    return True


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
    known, extras = hydra_flags().parse_known_args(args)
    return [*known.overrides, *(e for e in extras if not e.startswith("-"))]
