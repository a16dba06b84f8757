"""The model's clock: SimPy's environment, with a way to call a plain function later.

Much of what happens to a job is "after this delay, carry on": the team arrives, handling
ends, a member is back at the station, a follow-up falls due. `Clock.call_after` is that, in
SimPy's public API: a `Timeout` that carries the call to make, and whose callback makes it.
Calls and other events therefore run in SimPy's own order (a call and a timeout made at the
same moment keep the order they were made in). Everything else is SimPy's `Environment`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy
from simpy.events import Timeout


class Clock(simpy.Environment):
    """A `simpy.Environment` that can also call plain functions after a delay or at a time."""

    def call_after(self, delay_min: float, function: Callable[..., object], *args: Any) -> None:
        """Call `function(*args)` when `delay_min` minutes have passed (`delay_min` >= 0)."""
        if delay_min < 0:
            raise ValueError(f"negative delay {delay_min}")
        # The call rides on the timeout, and one shared callback makes it: no closure per
        # call (most of the model's events are calls).
        timeout = _Call(self, delay_min)
        timeout.call = (function, args)
        timeout.callbacks.append(_make_call)  # type: ignore[union-attr]

    def call_at(self, t_min: float, function: Callable[..., object], *args: Any) -> None:
        """Call `function(*args)` at time `t_min` (not before now)."""
        if t_min < self.now:
            raise ValueError(f"time {t_min} is before now ({self.now})")
        self.call_after(t_min - self.now, function, *args)

    def run_all(self) -> None:
        """Run until nothing is scheduled any more."""
        self.run()


class _Call(Timeout):
    """A timeout that carries a call: the function and its arguments."""

    call: tuple[Callable[..., object], tuple[Any, ...]]


def _make_call(timeout: _Call) -> None:
    """A call's timeout has fired: make the call it carries."""
    function, args = timeout.call
    function(*args)
