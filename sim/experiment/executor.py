"""The one executor behind every parallel loop: independent tasks, in this process or in workers.

Replications of a job (`run.n_workers`), the districts of a province (`--workers`), the
evaluations of `jointduty calibrate` and the cases of `jointduty validate` all run through
`Workers`. Each task owns its random streams (`Streams(seed, replication, ...)`), and results
come back in task order, so where a task runs cannot change a number: one process or many give
the same tables.

- `n_workers == 1` runs each task here, lazily, when its result is asked for: exactly the
  sequential loop, with no process started.
- `n_workers > 1` starts that many worker processes with `spawn` (a forked child of a process
  with threads, such as pyarrow's or BLAS's, can deadlock; inside a joblib launcher's worker,
  with the method that worker was started with) and keeps at most `2 * n_workers`
  tasks in flight, so a caller that stops early (`replications: auto`) wastes little work.
  The function and its arguments are pickled: the function must be defined at a module's top
  level.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import closing
from itertools import islice
from types import TracebackType
from typing import Any, TypeVar

Result = TypeVar("Result")


class Workers:
    """A context manager that maps a function over argument tuples, results in task order."""

    def __init__(self, n_workers: int) -> None:
        if n_workers < 1:  # the commands check their own option first, naming it
            raise ValueError(f"n_workers = {n_workers!r}: allowed a whole number >= 1")
        self.n_workers = n_workers
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        if self.n_workers > 1:
            self._pool = ProcessPoolExecutor(self.n_workers, mp_context=_start_context())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def imap(
        self, function: Callable[..., Result], tasks: Iterable[tuple[Any, ...]]
    ) -> Iterator[Result]:
        """`function(*task)` for each task, yielded in task order; `tasks` may be endless.

        Close the iterator (or leave the `with` block) to drop the tasks not yet started.
        """
        if self._pool is None:
            for task in tasks:
                yield function(*task)
            return
        pool, pending = self._pool, deque[Future[Result]]()
        queued = iter(tasks)
        try:
            for task in islice(queued, 2 * self.n_workers):
                pending.append(pool.submit(function, *task))
            while pending:
                result = pending.popleft().result()
                for task in islice(queued, 1):
                    pending.append(pool.submit(function, *task))
                yield result
        finally:
            for future in pending:
                future.cancel()

    def map(
        self, function: Callable[..., Result], tasks: Iterable[tuple[Any, ...]]
    ) -> list[Result]:
        """`function(*task)` for every task, as a list in task order."""
        with closing(self.imap(function, tasks)) as results:
            return list(results)


def _start_context() -> multiprocessing.context.BaseContext:
    """`spawn`, unless this process starts its children another way that is not `fork`.

    A joblib launcher's worker (loky) starts children with loky's own method: a `spawn` child
    of it would be told to use that method, which a fresh interpreter does not know, and die.
    """
    method = multiprocessing.get_start_method()
    return multiprocessing.get_context("spawn" if method == "fork" else method)


def run_tasks(
    function: Callable[..., Result], tasks: Iterable[tuple[Any, ...]], n_workers: int
) -> list[Result]:
    """`function(*task)` for every task on `n_workers` processes (1: here), in task order."""
    with Workers(n_workers) as workers:
        return workers.map(function, tasks)
