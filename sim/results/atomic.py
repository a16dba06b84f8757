"""Atomic file writes: a reader (or a crashed run) never sees half a file.

`write_atomic(path, write)` has `write` fill a temporary file beside `path` and renames it
over `path`. It lives apart from `sim.results.tables` so that light modules (job status markers, the
Hydra sweeper plugin) can use it without importing pandas and the model.

A process killed during a write leaves its temporary file (`.NAME.RANDOM.tmp`);
`remove_stale_tmp_files` clears them from a folder no one is writing to (a sweep folder
whose lock is held), as a sweep does when it starts or resumes.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

STALE_TMP = re.compile(r"^\..+\.[A-Za-z0-9_]{6,}\.tmp$")  # what mkstemp makes in write_atomic
STALE_TMP_DEPTH = 2  # a sweep folder and its job folders


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; results are as readable as any file
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def remove_stale_tmp_files(folder: Path, depth: int = STALE_TMP_DEPTH) -> list[Path]:
    """Remove the temporary files of killed atomic writes in `folder` and its subfolders
    (to `depth` levels); return them. Only call it when no one is writing there."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in folder.iterdir():
        if path.is_dir() and not path.is_symlink() and depth > 1:
            removed += remove_stale_tmp_files(path, depth - 1)
        elif path.is_file() and STALE_TMP.match(path.name):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
