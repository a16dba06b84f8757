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
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from sim.config.schema import ConfigError

ALLOWED_TARGET_PREFIXES: tuple[str, ...] = (
    "hydra._internal.core_plugins.",  # Hydra's basic launcher and sweeper
    "hydra_plugins.",  # installed Hydra launcher and sweeper plugins (joblib, ray, submitit, ...)
    "sim.",  # the package's own classes
)
PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
TOP_LEVEL_TEXT_KEYS = ("name", "description")  # top-level keys that hold text, not a group
PATH_LIKE = re.compile(r"\.\.|[/\\\x00]|^['\"]?~")


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


def check_targets(config: object, key: str = "") -> None:
    """Refuse any `_target_` that is not under an allowed prefix."""
    for target_key, target in _targets(config, key):
        if not isinstance(target, str) or not target.startswith(ALLOWED_TARGET_PREFIXES):
            allowed = ", ".join(p + "*" for p in ALLOWED_TARGET_PREFIXES)
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
