"""The model's clock: SimPy's environment, with a way to call a plain function later.

Much of what happens to a job is "after this delay, carry on": the team arrives, handling
ends, a member is back at the station, a follow-up falls due. `Clock.call_after` is that, in
SimPy's public API: a `Timeout` whose callback makes the call. Calls and other events
therefore run in SimPy's own order (a call and a timeout made at the same moment keep the
order they were made in). Everything else is SimPy's `Environment`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy


class Clock(simpy.Environment):
    """A `simpy.Environment` that can also call plain functions after a delay or at a time."""

    def call_after(self, delay_min: float, function: Callable[..., object], *args: Any) -> None:
        """Call `function(*args)` when `delay_min` minutes have passed (`delay_min` >= 0)."""
        if delay_min < 0:
            raise ValueError(f"negative delay {delay_min}")
        self.timeout(delay_min).callbacks.append(lambda _event: function(*args))

    def call_at(self, t_min: float, function: Callable[..., object], *args: Any) -> None:
        """Call `function(*args)` at time `t_min` (not before now)."""
        if t_min < self.now:
            raise ValueError(f"time {t_min} is before now ({self.now})")
        self.call_after(t_min - self.now, function, *args)

    def run_all(self) -> None:
        """Run until nothing is scheduled any more."""
        self.run()
