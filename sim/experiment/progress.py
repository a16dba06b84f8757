"""Progress of long runs: how much is done, the time elapsed and an ETA, on stderr.

On a terminal the line is rewritten in place after every step; in a log (not a terminal) a
line is written at most every `LOG_INTERVAL_S` seconds and at the end, so logs stay short.
With a stopping rule (`replications: auto`) the total is the cap, so the ETA is an upper bound.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

LOG_INTERVAL_S = 5.0


def progress_printer(
    what: str, *, total_is_cap: bool = False, stream: TextIO | None = None
) -> Callable[[int, int], None]:
    """A `(done, total)` callback printing `<what> done/total done, elapsed, ETA`."""
    out = stream or sys.stderr
    started = time.perf_counter()
    last_printed = [started]

    def show(done: int, total: int) -> None:
        now = time.perf_counter()
        finished = done >= total
        if not out.isatty() and not finished and now - last_printed[0] < LOG_INTERVAL_S:
            return
        last_printed[0] = now
        elapsed = now - started
        eta = elapsed / max(done, 1) * max(total - done, 0)
        bound = "at most " if total_is_cap and not finished else ""
        end = "\n" if finished or not out.isatty() else "\r"
        print(
            f"{what} {done}/{total} done, {elapsed:.1f} s elapsed, ETA {bound}{eta:.1f} s",
            end=end,
            file=out,
            flush=True,
        )

    return show
