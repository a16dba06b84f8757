"""The `prevention:` block of a scenario: which staff presence prevents which calls, and how much.

Prevention comes from presence. Each named *effect* says whose presence counts (`roles`), in
which agent states (`states`: patrol, post, grid_walk, ...), which incident types it thins
(`incident_types`), and its dose-response curve (`sim.model.presence.response`): the largest
share of those calls that presence can prevent (`p_max`) and the dose at which it prevents
half of that (`dose_half_h_per_km2_day`). The dose in an area is the presence-hours spent
there per km² per day over the trailing `window_days`. A prevented call moves to a
neighbouring area with probability `displacement` (0, the default, means it simply does not
happen). Areas are square cells of `areas.cell_km` over the region, neighbours by
`areas.neighbourhood` (`queen`: the 8 around, `rook`: the 4 sharing a side).

Example (see docs/prevention.md)::

    prevention:
      areas: {cell_km: 1.0, neighbourhood: queen}
      effects:
        patrol:
          roles: [police, volunteer]
          states: [patrol, post]
          incident_types: [theft, public_order]
          p_max: 0.4
          dose_half_h_per_km2_day: 6.0
          window_days: 7
        grid_visits:
          roles: [grid_worker]
          states: [grid_walk]
          incident_types: [dispute]
          p_max: 0.5
          dose_half_h_per_km2_day: 4.0

`parse_prevention(raw)` converts and checks the block; every problem is one `ConfigError` (a
`ValueError`) naming the dotted key, the value and what is allowed, as for the rest of a
scenario. Where the block is built as a field of the scenario by `sim.config.schema.build`,
`check_prevention` adds the checks the types cannot state, and `check_prevention_names` checks
the names against the scenario's roles and incident types.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from sim.config.schema import ConfigError, bounded, build

# The agent states whose presence may count. They must match the states the agents record in
# their state intervals (`desk` and `counter` are staff visibly at a lit police room; `job` is
# on scene at a call). Add a state here when the agents gain one.
PresenceState = Literal["patrol", "post", "grid_walk", "desk", "counter", "job"]
PRESENCE_STATES: tuple[str, ...] = ("patrol", "post", "grid_walk", "desk", "counter", "job")
Neighbourhood = Literal["queen", "rook"]
MAX_WINDOW_DAYS = 366.0
MAX_CELL_KM = 100.0
MIN_CELL_KM = 0.01  # 10 m: finer than any street segment the hot-spots studies used


@dataclass(frozen=True)
class AreaGridConfig:
    """Square cells of side `cell_km` from the region's (0, 0) corner; edge cells may be
    partial. `neighbourhood`: `queen` (8 around) or `rook` (4 sharing a side)."""

    cell_km: float = field(default=1.0, metadata=bounded(ge=MIN_CELL_KM, le=MAX_CELL_KM))
    neighbourhood: Neighbourhood = "queen"


@dataclass(frozen=True)
class PreventionEffectConfig:
    """One way presence prevents calls, with its dose-response curve.

    The dose is presence-hours per km² per day in the call's area over the trailing
    `window_days` (each counted unit-hour weighted by the number of staff present). The share
    of the listed calls prevented is `p_max * dose / (dose + dose_half_h_per_km2_day)`.
    """

    roles: tuple[str, ...]
    states: tuple[PresenceState, ...]
    incident_types: tuple[str, ...]
    p_max: float = field(metadata=bounded(ge=0, le=1))
    dose_half_h_per_km2_day: float = field(metadata=bounded(gt=0, le=1e6))
    window_days: float = field(default=7.0, metadata=bounded(gt=0, le=MAX_WINDOW_DAYS))
    displacement: float = field(default=0.0, metadata=bounded(ge=0, le=1))


@dataclass(frozen=True)
class PreventionConfig:
    """A scenario's `prevention:` block; no effects (the default) means no prevention."""

    effects: dict[str, PreventionEffectConfig] = field(default_factory=dict)
    areas: AreaGridConfig = field(default_factory=AreaGridConfig)


def parse_prevention(raw: Mapping[str, object] | None, key: str = "prevention") -> PreventionConfig:
    """The typed, checked `prevention:` block (None or {} gives no prevention).

    Raises `ConfigError` (a `ValueError`) on the first problem, naming field, value and what
    is allowed, e.g. `prevention.effects.patrol.p_max = 1.5: must be >= 0 and <= 1`.
    """
    config = build(PreventionConfig, {} if raw is None else raw, key)
    check_prevention(config, key)
    return config


def check_prevention(config: PreventionConfig, key: str = "prevention") -> None:
    """What the types alone cannot say: each effect names at least one role, state and
    incident type, each a name, none twice (for a block built by `sim.config.schema.build`)."""
    for name, effect in config.effects.items():
        _check_effect(f"{key}.effects.{name}", effect)


def _check_effect(key: str, effect: PreventionEffectConfig) -> None:
    for name in ("roles", "states", "incident_types"):
        values: tuple[str, ...] = getattr(effect, name)
        if not values:
            raise ConfigError(f"{key}.{name}", [], "must list at least one name")
        for index, value in enumerate(values):
            if not value.isidentifier():
                raise ConfigError(f"{key}.{name}.{index}", value, "must be a name (identifier)")
        if len(set(values)) != len(values):
            raise ConfigError(f"{key}.{name}", list(values), "must not repeat a name")


def check_prevention_names(
    config: PreventionConfig,
    roles: Iterable[str],
    incident_types: Iterable[str],
    key: str = "prevention",
) -> None:
    """Every role and incident type an effect names must be declared by the scenario."""
    declared = {"roles": tuple(roles), "incident_types": tuple(incident_types)}
    for effect_name, effect in config.effects.items():
        for field_name, allowed in declared.items():
            for index, value in enumerate(getattr(effect, field_name)):
                if value not in allowed:
                    raise ConfigError(
                        f"{key}.effects.{effect_name}.{field_name}.{index}",
                        value,
                        f"is not a declared {field_name[:-1].replace('_', ' ')}; "
                        f"declared: {', '.join(allowed)}",
                    )
