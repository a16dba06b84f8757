"""Writing result files atomically: a reader (or a crashed run) never sees half a file.

`write_atomic(path, write)` has `write` fill a temporary file beside `path` and renames it
over `path`; `write_json` and `write_csv` write through it. Light on imports (no pandas, no
pyarrow), so that job status markers, the sweeper and the command line can use it cheaply;
Parquet tables with their configuration are `sim.results.tables`.

A process killed during a write leaves its temporary file (`.NAME.RANDOM.tmp`);
`remove_stale_tmp_files` clears them from a folder no one is writing to (a sweep folder
whose lock is held), as a sweep does when it starts or resumes.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

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


def write_json(data: object, path: Path) -> None:
    """`data` as indented JSON (values JSON cannot hold written as text)."""
    write_atomic(path, lambda tmp: tmp.write_text(json.dumps(data, indent=2, default=str) + "\n"))


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """The table as CSV, without its index."""
    write_atomic(path, lambda tmp: table.to_csv(tmp, index=False))
