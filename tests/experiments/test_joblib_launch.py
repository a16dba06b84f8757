"""What a joblib launch's jobs share is pickled once, and unpickled once per worker."""

from __future__ import annotations

import os
import pickle

from joblib import Parallel, delayed
from joblib.externals import cloudpickle

from sim import joblib_launch
from sim.joblib_launch import SharedJobContext


def shared(key: str = "launch-1") -> SharedJobContext:
    return SharedJobContext(key, ({"loader": "bases"}, {"run": {"seed": 1}}, len, {"seen": []}))  # type: ignore[arg-type]


def test_the_shared_objects_are_pickled_once_however_many_jobs_carry_them(monkeypatch):
    calls = []
    dumps = cloudpickle.dumps
    monkeypatch.setattr(cloudpickle, "dumps", lambda obj: calls.append(obj) or dumps(obj))
    context = shared()

    jobs = [pickle.dumps((idx, context)) for idx in range(5)]

    assert len(calls) == 1
    assert len({len(job) for job in jobs}) == 1


def test_a_process_unpickles_a_launchs_shared_objects_once_and_keeps_only_the_last_launch():
    first, second = shared("launch-1"), shared("launch-2")
    pickled_first, pickled_second = pickle.dumps(first), pickle.dumps(second)

    one, again = pickle.loads(pickled_first), pickle.loads(pickled_first)
    assert one.objects is again.objects
    assert one.objects[1] == {"run": {"seed": 1}} and one.objects[1] is not first.objects[1]
    other = pickle.loads(pickled_second)
    assert other.objects is not one.objects
    assert pickle.loads(pickled_first).objects is not one.objects  # launch-1 was dropped


def note_job(idx: int, context: SharedJobContext) -> tuple[int, list[int]]:
    seen = context.objects[3]["seen"]
    seen.append(idx)
    return os.getpid(), list(seen)


def test_each_worker_shares_the_objects_between_the_jobs_it_runs():
    context = shared("launch-workers")

    ran = Parallel(n_jobs=2, backend="loky")(delayed(note_job)(idx, context) for idx in range(8))

    by_worker: dict[int, list[list[int]]] = {}
    for pid, seen in ran:
        by_worker.setdefault(pid, []).append(seen)
    for pid, seens in by_worker.items():
        # Every job of a worker saw the jobs that worker ran before it: one set of objects.
        longest = max(seens, key=len)
        assert len(longest) == len(seens), (pid, seens)
        assert all(seen == longest[: len(seen)] for seen in seens)
    assert context.objects[3]["seen"] == []  # the main process's objects are the launch's own
    assert joblib_launch._UNPICKLED.get("launch-workers") is None  # nothing unpickled here
