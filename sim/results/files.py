"""Writing result files atomically: a reader (or a crashed run) never sees half a file.

`write_atomic(path, write)` has `write` fill a temporary file beside `path` and renames it
over `path`; `write_json` and `write_csv` write through it. Light on imports (no pandas, no
pyarrow), so that job status markers, the sweeper and the command line can use it cheaply;
Parquet tables with their configuration are `sim.results.tables`.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


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
