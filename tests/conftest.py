"""Test-session rules: the inner loop, where the Ray launcher's tests run, no silent skips in CI.

- A test parametrized with a scenario in `SLOW_SCENARIOS` is `slow` for that scenario: the
  province (802 stations) takes seconds to compose and to run, so `pytest -m "not slow"` keeps
  the other scenarios' cases and leaves the province's to the full suite.

- Tests marked `ray` need the `ray` extra, which holds joblib below the version a plain install
  gets (see pyproject.toml), so `.[test]` leaves it out. Where `ray` is not importable they are
  skipped with that reason; `.ci/run` runs them (`pytest -m ray`) in a venv of their own, with
  `JOINTDUTY_REQUIRE_RAY=1`, under which a missing Ray is an error, not a skip.
- With `JOINTDUTY_NO_SKIPS=1` (set by `.ci/run`), any other skip fails its test: in CI a missing
  command, tool, extra or data file must fail, not pass unseen.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Generator

import pytest

SLOW_SCENARIOS = {"zhejiang_712"}
RAY_MODULES = ("ray", "hydra_plugins.hydra_ray_launcher")
RAY_SKIP = "needs the `ray` extra; .ci/run runs these in their own venv (pip install '.[test-ray]')"


def ray_importable() -> bool:
    try:
        return all(importlib.util.find_spec(name) is not None for name in RAY_MODULES)
    except ModuleNotFoundError:  # a missing parent package
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("scenario") in SLOW_SCENARIOS:
            item.add_marker(pytest.mark.slow)
    if ray_importable():
        return
    if os.environ.get("JOINTDUTY_REQUIRE_RAY") == "1":
        raise pytest.UsageError(
            "JOINTDUTY_REQUIRE_RAY=1 but ray or hydra-ray-launcher is not importable: "
            "pip install '.[test-ray]'"
        )
    for item in items:
        if "ray" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=RAY_SKIP))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if os.environ.get("JOINTDUTY_NO_SKIPS") != "1" or not report.skipped:
        return
    if "ray" in item.keywords and not ray_importable():
        return  # run in the Ray venv instead
    if hasattr(report, "wasxfail"):
        return  # an expected failure, not a skip
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"skipped in CI (JOINTDUTY_NO_SKIPS=1), which is a failure: {reason}"
