"""The model's clock: calls keep SimPy's order and time; processes work as in SimPy."""

from __future__ import annotations

from collections.abc import Generator

import pytest
import simpy

from sim.model.clock import Clock


def _story(env: simpy.Environment, log: list[tuple[float, str]], schedule_call) -> None:
    """Timeouts, a process and calls, all made at the same moments: the order must be SimPy's."""

    def ticker() -> Generator[simpy.Event, None, None]:
        for name in ("tick 1", "tick 2"):
            yield env.timeout(1.5)
            log.append((env.now, name))

    env.process(ticker())
    for name, delay in (("a", 1.5), ("b", 0.0), ("c", 3.0), ("d", 1.5)):
        schedule_call(delay, lambda name=name: log.append((env.now, name)))


def test_calls_run_in_the_order_and_at_the_times_simpy_timeouts_would() -> None:
    simpy_env, simpy_log = simpy.Environment(), []

    def with_timeout(delay: float, function) -> None:
        simpy_env.timeout(delay).callbacks.append(lambda _event: function())

    _story(simpy_env, simpy_log, with_timeout)
    simpy_env.run()
    clock, clock_log = Clock(), []
    _story(clock, clock_log, clock.call_after)
    clock.run_all()
    assert clock_log == simpy_log
    # The process starts (and makes its first timeout) only after the calls were made.
    assert clock_log == [
        (0.0, "b"),
        (1.5, "a"),
        (1.5, "d"),
        (1.5, "tick 1"),
        (3.0, "c"),
        (3.0, "tick 2"),
    ]


def test_a_call_sees_its_own_time_and_can_schedule_further_calls() -> None:
    clock, seen = Clock(), []

    def again(n_left: int) -> None:
        seen.append(clock.now)
        if n_left:
            clock.call_after(0.25, again, n_left - 1)

    clock.call_after(1.0, again, 2)
    clock.run_all()
    assert seen == [1.0, 1.25, 1.5]
    assert clock.now == 1.5


def test_simpy_run_until_works_with_calls_on_the_queue() -> None:
    clock, seen = Clock(), []
    for t in (1.0, 2.0, 3.0):
        clock.call_after(t, seen.append, t)
    clock.run(until=2.5)
    assert seen == [1.0, 2.0] and clock.now == 2.5
    clock.run()
    assert seen == [1.0, 2.0, 3.0] and clock.now == 3.0


def test_a_negative_delay_is_refused() -> None:
    with pytest.raises(ValueError, match="negative delay -1"):
        Clock().call_after(-1.0, print)


def test_a_call_at_a_time_runs_then_and_keeps_the_order_it_was_made_in() -> None:
    clock, seen = Clock(), []
    clock.call_after(0.5, lambda: clock.call_at(2.0, seen.append, "at 2, made at 0.5"))
    clock.call_after(2.0, seen.append, "after 2, made at 0")
    clock.call_after(1.0, lambda: clock.call_after(1.0, seen.append, "after 1, made at 1"))
    clock.call_at(1.25, seen.append, "at 1.25")
    clock.run_all()
    assert seen == ["at 1.25", "after 2, made at 0", "at 2, made at 0.5", "after 1, made at 1"]
    assert clock.now == 2.0


def test_a_time_in_the_past_is_refused() -> None:
    clock = Clock()
    clock.call_after(2.0, lambda: None)
    clock.run_all()
    with pytest.raises(ValueError, match=r"time 1.5 is before now \(2.0\)"):
        clock.call_at(1.5, print)


def test_a_failing_process_stops_the_run_as_in_simpy() -> None:
    clock = Clock()

    def broken() -> Generator[simpy.Event, None, None]:
        yield clock.timeout(1.0)
        raise RuntimeError("boom")

    clock.process(broken())
    with pytest.raises(RuntimeError, match="boom"):
        clock.run_all()
