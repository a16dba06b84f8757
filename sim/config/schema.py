"""Typed conversion of plain config mappings into frozen dataclasses.

Hydra composes YAML into nested dicts; this module turns such a dict into the typed
`*Config` dataclasses of `sim.config.scenario`, checking every key on the way. It knows the Python
types used there (numbers, strings, booleans, `Literal`, `tuple[T, ...]`, `dict[str, T]`,
optional and union types, nested dataclasses) and the numeric bounds that a field declares
with `bounded(...)` in its metadata.

Every problem becomes one `ConfigError` naming the dotted key, the offending value and what
is allowed, so that the CLI can print a single clear line instead of a traceback.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")
MAX_INT = 2**31 - 1  # whole numbers in configs are counts, priorities, seeds: 32 bits suffice


class ConfigError(ValueError):
    """A config value that is not allowed: names the key, the value and what is allowed."""

    def __init__(self, key: str, value: object, allowed: str) -> None:
        self.key = key
        self.value = value
        self.allowed = allowed
        super().__init__(f"{key or '<root>'} = {_show(value)}: {allowed}")


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def bounded(
    *, gt: float | None = None, ge: float | None = None, le: float | None = None
) -> dict[str, float | None]:
    """Field metadata declaring numeric bounds, e.g. `field(metadata=bounded(gt=0))`."""
    return {"gt": gt, "ge": ge, "le": le}


def build(cls: type[T], data: object, key: str = "") -> T:
    """Convert `data` (plain mappings, lists, scalars) into an instance of dataclass `cls`."""
    return typing.cast(T, _convert(cls, data, key))


def _join(key: str, child: str | int) -> str:
    return f"{key}.{child}" if key else str(child)


def _convert(tp: Any, value: object, key: str) -> object:
    origin = get_origin(tp)
    if tp is Any:
        return value
    if dataclasses.is_dataclass(tp):
        return _convert_dataclass(typing.cast(type, tp), value, key)
    if origin is Literal:
        allowed = get_args(tp)
        if value not in allowed:
            raise ConfigError(key, value, "must be one of " + ", ".join(map(str, allowed)))
        return value
    if origin in (Union, types.UnionType):
        return _convert_union(tp, value, key)
    if origin is tuple:
        return _convert_tuple(tp, value, key)
    if origin in (dict, Mapping):
        return _convert_dict(tp, value, key)
    return _convert_scalar(tp, value, key)


def _convert_union(tp: Any, value: object, key: str) -> object:
    options = get_args(tp)
    if value is None:
        if type(None) in options:
            return None
        raise ConfigError(key, value, "must be set (null is not allowed)")
    # Prefer the option whose kind matches the value: a mapping goes to a dataclass, a number
    # to a number, so that `int | SlotConfig` reads `1` and `{count: 1}` both.
    errors: list[ConfigError] = []
    for option in sorted((o for o in options if o is not type(None)), key=_union_rank(value)):
        try:
            return _convert(option, value, key)
        except ConfigError as error:
            errors.append(error)
    raise errors[0]


def _union_rank(value: object) -> typing.Callable[[Any], int]:
    def rank(option: Any) -> int:
        is_mapping_type = dataclasses.is_dataclass(option) or get_origin(option) in (dict, Mapping)
        return 0 if isinstance(value, Mapping) == is_mapping_type else 1

    return rank


def _convert_tuple(tp: Any, value: object, key: str) -> tuple[object, ...]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
        raise ConfigError(key, value, "must be a list")
    item_type = get_args(tp)[0]
    return tuple(_convert(item_type, item, _join(key, i)) for i, item in enumerate(value))


def _convert_dict(tp: Any, value: object, key: str) -> dict[str, object]:
    if not isinstance(value, Mapping):
        raise ConfigError(key, value, "must be a mapping of name: value")
    _key_type, item_type = get_args(tp)
    converted: dict[str, object] = {}
    for name, item in value.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ConfigError(_join(key, str(name)), name, "names must be identifiers")
        converted[name] = _convert(item_type, item, _join(key, name))
    return converted


def _convert_scalar(tp: Any, value: object, key: str) -> object:
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(key, value, "must be true or false")
    if tp is str:
        if isinstance(value, str):
            return value
        raise ConfigError(key, value, "must be a string")
    if tp is int:
        whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        if not whole or isinstance(value, bool):
            raise ConfigError(key, value, "must be a whole number")
        if not -MAX_INT <= value <= MAX_INT:
            raise ConfigError(key, value, f"must be a whole number from -{MAX_INT} to {MAX_INT}")
        return int(value)
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
            if not math.isfinite(number):
                raise ConfigError(key, value, "must be a finite number")
            return number
        raise ConfigError(key, value, "must be a number")
    raise TypeError(f"schema type {tp!r} at {key} is not supported")  # a bug in sim.config.scenario


def _convert_dataclass(cls: type, value: object, key: str) -> object:
    if not isinstance(value, Mapping):
        raise ConfigError(key, value, f"must be a mapping with keys {_field_names(cls)}")
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(map(str, value)) - set(fields))
    if unknown:
        name = unknown[0]
        raise ConfigError(
            _join(key, name), value[name], f"unknown key; allowed: {_field_names(cls)}"
        )
    hints = _type_hints(cls)
    kwargs: dict[str, object] = {}
    for name, field in fields.items():
        child_key = _join(key, name)
        if name not in value:
            if _has_default(field):
                continue
            raise ConfigError(child_key, None, "is required")
        converted = _convert(hints[name], value[name], child_key)
        _check_bounds(field, converted, child_key)
        kwargs[name] = converted
    return cls(**kwargs)


@functools.cache
def _type_hints(cls: type) -> dict[str, Any]:
    """A config class's field types (resolving them is most of what a validation costs)."""
    return get_type_hints(cls)


def _field_names(cls: type) -> str:
    return ", ".join(f.name for f in dataclasses.fields(cls) if f.init)


def _has_default(field: dataclasses.Field[Any]) -> bool:
    return (
        field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING
    )


def _check_bounds(field: dataclasses.Field[Any], value: object, key: str) -> None:
    meta = field.metadata
    if not meta or not isinstance(value, (int, float)) or isinstance(value, bool):
        return
    gt, ge, le = meta.get("gt"), meta.get("ge"), meta.get("le")
    bounds = ((">", gt), (">=", ge), ("<=", le))
    parts = [f"{sign} {bound:g}" for sign, bound in bounds if bound is not None]
    too_low = (gt is not None and not value > gt) or (ge is not None and not value >= ge)
    if too_low or (le is not None and not value <= le):
        raise ConfigError(key, value, "must be " + " and ".join(parts))
