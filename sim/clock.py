"""The model's clock: SimPy's environment, with a cheap way to call a function later.

Most of what happens to a job is "after this delay, carry on": the team arrives, handling
ends, a member is back at the station, a follow-up falls due. In plain SimPy each of those
is a `Timeout` event that is given a callback, scheduled through `Environment.schedule` and
run by `Environment.step`; that machinery is about half of what a job costs the model.
`Clock.call_after` puts the function and its arguments on SimPy's own event queue instead
(an entry of five where SimPy's have four: time, priority, SimPy's event counter, function,
arguments), so calls and events run in SimPy's own order (a call and a timeout made at the
same moment keep the order they were made in), and the clock's `step` calls it when its time
comes.

Everything else is SimPy's: processes (`env.process`), timeouts and events behave as they do
in `simpy.Environment`, and `run()` works as SimPy's. `run_all()` is `run()` without `until`,
with `step` inlined: the loop the model spends its time in.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.events import NORMAL

CALL_ENTRY_LENGTH = 5  # (time, priority, event id, function, args); SimPy's events have 4


class Clock(simpy.Environment):
    """A `simpy.Environment` that can also call plain functions after a delay.

    `now` is a plain attribute here, kept equal to SimPy's `_now` (SimPy's is a property: a
    function call for every read, and the model reads the time several times per job).
    """

    now: float = 0.0  # type: ignore[assignment]  # shadows SimPy's read-only property

    def __init__(self) -> None:
        super().__init__()
        self.now = self._now

    def call_after(self, delay_min: float, function: Callable[..., object], *args: Any) -> None:
        """Call `function(*args)` when `delay_min` minutes have passed (`delay_min` >= 0)."""
        if delay_min < 0:
            raise ValueError(f"negative delay {delay_min}")
        heappush(self._queue, (self._now + delay_min, NORMAL, next(self._eid), function, args))

    def call_at(self, t_min: float, function: Callable[..., object], *args: Any) -> None:
        """Call `function(*args)` at time `t_min` (not before now): for a time worked out
        ahead, so that it is the very number a chain of `call_after`s would have reached."""
        if t_min < self._now:
            raise ValueError(f"time {t_min} is before now ({self._now})")
        heappush(self._queue, (t_min, NORMAL, next(self._eid), function, args))

    def step(self) -> None:
        """Make the next call, or process the next event as SimPy's `step` does."""
        queue = self._queue
        if queue:
            self.now = queue[0][0]  # before anything runs at the new time
            if len(queue[0]) == CALL_ENTRY_LENGTH:
                self._now, _, _, function, args = heappop(queue)
                function(*args)
                return
        super().step()

    def run_all(self) -> None:
        """Run until nothing is scheduled any more: `run()` without `until`, faster."""
        queue = self._queue
        while queue:
            entry = heappop(queue)
            self._now = self.now = entry[0]
            if len(entry) == CALL_ENTRY_LENGTH:
                entry[3](*entry[4])
            else:
                _run_callbacks(entry[3])


def _run_callbacks(event: simpy.Event) -> None:
    """What SimPy's `step` does with an event: run its callbacks, raise if it failed."""
    callbacks, event.callbacks = event.callbacks, None  # type: ignore[assignment]
    for callback in callbacks:  # type: ignore[union-attr]
        callback(event)
    if not event._ok and not hasattr(event, "_defused"):
        failure = event._value
        exc = type(failure)(*failure.args)
        exc.__cause__ = failure
        raise exc
