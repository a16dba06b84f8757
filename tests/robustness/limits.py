"""Limits for the robustness tests: a hang is a failure, and so is a runaway in memory.

`deadline` bounds code run in this process (SIGALRM, main thread only); `run_cli` runs a
`jointduty` command in a subprocess under a wall-clock timeout and an address-space limit.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_S = 120.0
MEMORY_LIMIT_BYTES = 3 * 1024**3


class Hang(Exception):
    """Raised when code runs past its deadline."""


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail with `Hang` if the block runs longer than `seconds`."""

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _address_space_bytes() -> int:
    """This process's virtual size now (Linux `/proc/self/statm`; 0 where there is none)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * resource.getpagesize()


def limit_memory(limit_bytes: int) -> Callable[[], None]:
    """A `preexec_fn` that caps the child's address space."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    return apply


def run_cli(
    args: Sequence[str],
    *,
    cwd: Path = REPO,
    timeout_s: float = TIMEOUT_S,
    memory_bytes: int = MEMORY_LIMIT_BYTES,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`jointduty ARGS` in a subprocess, killed (and failing the test) past `timeout_s`."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout_s,
        env=full_env,
        input=stdin,
        preexec_fn=limit_memory(memory_bytes),
    )


def assert_clean_refusal(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit 2, no traceback, and every word named in what was printed."""
    said = result.stdout + result.stderr
    assert result.returncode == 2, f"exit {result.returncode}: {said[-2000:]}"
    assert "Traceback" not in said, said[-2000:]
    for word in words:
        assert word in said, f"{word!r} not in: {said[-2000:]}"


def run_isolated(
    function: Callable[..., object],
    *args: object,
    timeout_s: float = TIMEOUT_S,
    memory_bytes: int = MEMORY_LIMIT_BYTES,
) -> object:
    """`function(*args)` in a forked child under an address-space limit; its (picklable)
    result, or `Hang` past `timeout_s`. An exception in the child comes back as
    `("crash", traceback text)`, so the caller can fail with the child's own story."""
    import multiprocessing
    import traceback

    context = multiprocessing.get_context("fork")
    queue = context.SimpleQueue()

    def child() -> None:
        # The fork inherits the test process's address space (every library the suite has
        # imported so far): the case may add `memory_bytes` to it, whatever ran before.
        limit = _address_space_bytes() + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            queue.put(function(*args))
        except BaseException:  # every failure, KeyboardInterrupt aside, goes to the parent
            queue.put(("crash", traceback.format_exc()))

    process = context.Process(target=child)
    process.start()
    process.join(timeout_s)
    if process.is_alive():
        process.kill()
        process.join()
        raise Hang(f"{getattr(function, '__name__', function)}{args!r} ran past {timeout_s} s")
    if queue.empty():
        return ("crash", f"child died with exit code {process.exitcode}")
    return queue.get()
