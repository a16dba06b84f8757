"""Safe configs: a config may not make the tool import or call arbitrary Python, or write
outside where it is asked to.

Hydra instantiates whatever a `_target_` key names. The app's own configs use `_target_` only
for Hydra's launchers and sweepers and the package's own classes, so every `_target_` in a
composed config (the `hydra` node included) must name a class under an allowed prefix; any
other is refused before anything is instantiated. Scenario names become folder names under
`results/`, so they must be plain names, not paths. A config group's value names a file of
that group (`dispatch=borrow`), so a path there (`dispatch=../../../x`) is refused before any
file is read (`check_group_values`): Hydra would read that file, and an error about its keys
would print its contents.

Config files from outside the package (`-cp`, `--config-dir`) are read by Hydra, which
expands YAML aliases into full copies: a few lines of nested aliases (a "billion laughs")
would grow without end. `check_yaml_shape` refuses, before Hydra reads it, a file whose
aliases would expand beyond `MAX_YAML_NODES` nodes or that nests deeper than
`MAX_YAML_DEPTH`, without expanding anything.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

import yaml

from sim.config.schema import ConfigError

ALLOWED_TARGET_PREFIXES: tuple[str, ...] = (
    "hydra_plugins.",  # installed Hydra launcher and sweeper plugins (joblib, ray, submitit, ...)
    "sim.",  # the package's own classes
)
"""Besides these, the exact class names of the launchers and sweepers Hydra itself discovers
(its basic ones included), which `sim.sweep.compose.hydra_plugin_targets` finds through Hydra's
public plugin registry and passes as `known`."""
PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
TOP_LEVEL_TEXT_KEYS = ("name", "description")  # top-level keys that hold text, not a group
PATH_LIKE = re.compile(r"\.\.|[/\\\x00]|^['\"]?~")


MAX_YAML_NODES = 100_000  # a scenario of the province (802 stations) has about 20,000
MAX_YAML_DEPTH = 64


def check_yaml_shape(path: Path) -> None:
    """Refuse a YAML file that is malformed, nests too deeply or whose aliases expand too far."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except RecursionError:
        raise ConfigError("config file", path.name, f"nests too deeply ({path})") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        problem = getattr(error, "problem", None) or type(error).__name__
        raise ConfigError(
            "config file", path.name, f"is not valid YAML ({path}): {problem}"
        ) from None
    if root is None:
        return
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:  # post-order, iteratively: sizes of shared (aliased) nodes counted once each
        node, depth, children_done = stack.pop()
        if depth > MAX_YAML_DEPTH:
            raise ConfigError(
                "config file", path.name, f"nests deeper than {MAX_YAML_DEPTH} ({path})"
            )
        children = _children(node)
        if children_done:
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[id(node)] > MAX_YAML_NODES:
                raise ConfigError(
                    "config file", path.name,
                    f"expands to more than {MAX_YAML_NODES:,} values (nested aliases?) ({path})",
                )  # fmt: skip
        elif id(node) not in sizes:
            stack.append((node, depth, True))
            stack += [(child, depth + 1, False) for child in children if id(child) not in sizes]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_group_values(overrides: Sequence[str]) -> None:
    """Refuse a path as the value of a config group (a top-level key like `dispatch` or
    `scenario`, or a key with `/` like `hydra/launcher`), swept values included."""
    for override in overrides:
        key, sign, value = override.partition("=")
        key = key.lstrip("+~")
        if not sign or ("." in key and "/" not in key) or key in TOP_LEVEL_TEXT_KEYS:
            continue
        if PATH_LIKE.search(value):
            raise ConfigError(key, value, "must be an option name of the group, not a path")


def check_targets(config: object, key: str = "", known: Collection[str] = ()) -> None:
    """Refuse any `_target_` that is neither under an allowed prefix nor one of `known`."""
    for target_key, target in _targets(config, key):
        if isinstance(target, str) and (
            target.startswith(ALLOWED_TARGET_PREFIXES) or target in known
        ):
            continue
        allowed = ", ".join(p + "*" for p in ALLOWED_TARGET_PREFIXES)
        allowed += ", Hydra's own launchers and sweepers" if known else ""
        raise ConfigError(target_key, target, f"is not an allowed _target_; allowed: {allowed}")


def check_plain_name(key: str, name: str) -> None:
    """A name used as a folder name: letters, digits, `_`, `-`, `.`; no path, no leading dot."""
    if not PLAIN_NAME.match(name) or ".." in name:
        raise ConfigError(key, name, "must be a plain name (letters, digits, _ - .), not a path")


def _targets(node: object, key: str) -> Iterator[tuple[str, object]]:
    if isinstance(node, dict):
        for child_key, child in node.items():
            path = f"{key}.{child_key}" if key else str(child_key)
            if child_key == "_target_":
                yield path, child
            else:
                yield from _targets(child, path)
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _targets(child, f"{key}.{index}")
