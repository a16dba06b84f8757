"""How the benchmarks time things: interleaved rounds, best of each side, and the machine.

A ratio is measured inside one run: the two sides alternate round by round, and each side's
best (shortest) round is kept, which is the least disturbed by other load on the machine.
Peak memory is the peak resident set size of a process (`ru_maxrss`), read by the process
itself, so each memory measurement runs in a fresh process (`bench.scale`).
"""

from __future__ import annotations

import gc
import os
import platform
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np


@dataclass(frozen=True)
class Timing:
    """The rounds of one side of a comparison, in seconds, and the work each round did."""

    rounds_s: tuple[float, ...]
    n_items: int

    @property
    def best_s(self) -> float:
        return min(self.rounds_s)

    @property
    def items_per_s(self) -> float:
        return self.n_items / self.best_s


def interleaved(sides: dict[str, Callable[[], int]], n_rounds: int) -> dict[str, Timing]:
    """Run each side once per round, in turn; each call returns how many items it did."""
    rounds: dict[str, list[float]] = {name: [] for name in sides}
    items: dict[str, int] = {}
    # Both sides run against the same clean heap: what the harness imported (Hydra, pandas,
    # Ciw: about 120,000 objects) is frozen, so that a full garbage collection triggered by
    # one side does not walk it. The `jointduty` command does the same before it runs.
    gc.collect()
    gc.freeze()
    for _ in range(n_rounds):
        for name, side in sides.items():
            # The garbage the other side left in cycles (Ciw's and SimPy's objects refer to
            # each other, so does the model's) is collected before the clock starts, not by
            # the next side's first full collection: each side pays for its own garbage.
            gc.collect()
            t_start = time.perf_counter()
            items[name] = side()
            rounds[name].append(time.perf_counter() - t_start)
    return {name: Timing(tuple(rounds[name]), items[name]) for name in sides}


def peak_rss_mib() -> float:
    """This process's peak resident set size so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def children_peak_rss_mib() -> float:
    """The largest peak RSS of this process's finished child processes, in MiB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_name(),
        "n_cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "simpy": _version("simpy"),
        "ciw": _version("ciw"),
    }


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"
