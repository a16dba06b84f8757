"""Output folders checked before any work: a command that cannot write its results says so
first, in one line, instead of running for minutes and failing at the write.

`require_writable_dir(flag, folder)` finds the nearest folder that exists on the way to
`folder` and proves it writable by making (and removing) a temporary file there, which works
for any user, root included, and leaves nothing behind.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sim.config.schema import ConfigError


def require_writable_dir(flag: str, folder: Path | str) -> None:
    """`ConfigError` naming `flag` unless `folder` exists as a writable folder or can be made."""
    folder = Path(folder)
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        where = "is a file" if existing == folder else f"lies under the file {existing}"
        raise ConfigError(flag, str(folder), f"must be a folder that can be written; it {where}")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise ConfigError(
            flag, str(folder), f"cannot be written ({existing}: {error.strerror})"
        ) from None


def require_writable_file(flag: str, path: Path | str) -> None:
    """`ConfigError` naming `flag` unless a file can be written at `path`."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(flag, str(path), "must be a file name, not a folder")
    require_writable_dir(flag, path.parent)
