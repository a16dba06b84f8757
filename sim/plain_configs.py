"""A sweep point's model config derived as plain containers, when only plain values change.

`jointduty run -m` checks every point of a sweep before Hydra starts (`sim.sweep_points`),
and most points differ from one composed before only in plain values (`run.seed=1,...,16`).
`sim.derived_configs.Composer` derives those through OmegaConf (unpickle the base's nodes,
set the values, resolve to plain containers: 7 ms for `future_city_2021`); this module
derives them from the base's plain containers instead (a tenth of that).

A `PlainBase` is a composed model config as plain containers (`sim.composition.to_plain`),
kept only if every value is untyped (what YAML files give) and every interpolation is a plain
reference to another key (`${future_city_2021.p_joint_mediation}`). Setting a changed value
in a copy then gives what OmegaConf gives, unless the change touches a referenced key (or
one inside or around it), replaces a mapping or list (OmegaConf merges), goes through a list,
or sets a string OmegaConf would read as an interpolation or a missing value: `derive` then
returns None, and the caller derives through OmegaConf.
"""

from __future__ import annotations

import functools
import pickle
import re
from collections.abc import Sequence
from dataclasses import dataclass

from hydra.core.override_parser.types import Override
from omegaconf import AnyNode, DictConfig, ListConfig, Node

from sim.composition import to_plain

REFERENCE = re.compile(r"\$\{([A-Za-z_][\w.]*)\}")  # `${a.b.c}`: no resolver, not relative


@dataclass(frozen=True)
class PlainBase:
    overrides: list[str]
    groups: set[str]
    frozen: bytes  # the plain containers, pickled
    referenced: frozenset[str]  # the keys that interpolations refer to


def plain_base(overrides: Sequence[str], model: DictConfig, groups: set[str]) -> PlainBase | None:
    """The model config (no `hydra` node) as a base, or None if it cannot be one."""
    referenced: set[str] = set()
    if not _plain_node(model, referenced):
        return None
    frozen = pickle.dumps(to_plain(model), protocol=pickle.HIGHEST_PROTOCOL)
    return PlainBase(list(overrides), set(groups), frozen, frozenset(referenced))


def derive(base: PlainBase, changes: Sequence[Override]) -> dict[str, object] | None:
    """The base with the changed values set (`sim.derived_configs.value_changes`), or None."""
    plain = pickle.loads(base.frozen)
    for change in changes:
        key, value = change.key_or_group, change.value()
        *path, last = key.split(".")
        parent = functools.reduce(_child_mapping, path, plain)
        if not isinstance(parent, dict) or last not in parent or _referenced(key, base):
            return None
        if isinstance(parent[last], (dict, list)) or _special(value):
            return None
        parent[last] = value
    return plain


def _referenced(key: str, base: PlainBase) -> bool:
    return any(
        ref == key or ref.startswith(key + ".") or key.startswith(ref + ".")
        for ref in base.referenced
    )


def _special(value: object) -> bool:
    """A string OmegaConf would read as an interpolation (or escape), or as missing."""
    return isinstance(value, str) and ("$" in value or "\\" in value or value == "???")


def _child_mapping(node: object, key: str) -> object:
    return node.get(key) if isinstance(node, dict) else None


def _plain_node(node: Node, referenced: set[str]) -> bool:
    """Untyped values and plain references only; the references are added to `referenced`."""
    if isinstance(node, (DictConfig, ListConfig)):
        if node._is_missing() or node._is_none() or node._is_interpolation():
            return False
        keys = node.keys() if isinstance(node, DictConfig) else range(len(node))
        return all(_plain_node(node._get_node(key), referenced) for key in keys)  # type: ignore[arg-type]
    if type(node) is not AnyNode or node._is_missing():
        return False
    if not node._is_interpolation():
        return True
    text = str(node._value())
    if "$" in REFERENCE.sub("", text):
        return False
    referenced.update(REFERENCE.findall(text))
    return True
