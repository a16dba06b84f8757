"""Where the tests find the real data samples: `shared/data/real` beside the repository.

CI checks the repository out next to a read-only copy of `shared/` (so `../shared/data/real`),
and so does a contributor's worktree. A test that needs a sample asks `real_file(name)`:

- in CI (`CI=true`, or `JOINTDUTY_NO_SKIPS=1` as `.ci/run` sets), a missing folder or file
  fails the test and says where it looked, so a CI without the data cannot pass by not
  running these tests;
- on a user's machine (a fresh clone with no `shared/` beside it, as in the README's quick
  start), a missing folder skips the test with that reason; a missing file in a folder that
  is there still fails: the samples are incomplete.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REAL_DIR = REPO.parent / "shared" / "data" / "real"


def real_file(name: str) -> Path:
    """The sample `name` in `REAL_DIR`; fails the calling test when it is not there."""
    path = REAL_DIR / name
    if not REAL_DIR.is_dir():
        message = (
            f"the real data folder {REAL_DIR} is missing: check out shared/ beside the "
            "repository (../shared/data/real), as CI does"
        )
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    if not path.is_file():
        present = ", ".join(sorted(p.name for p in REAL_DIR.iterdir())) or "nothing"
        pytest.fail(
            f"real data sample {path} is missing ({REAL_DIR} holds {present})", pytrace=False
        )
    return path


def in_ci() -> bool:
    """CI (its runner sets CI=true; `.ci/run` also sets JOINTDUTY_NO_SKIPS=1)."""
    return os.environ.get("CI") == "true" or os.environ.get("JOINTDUTY_NO_SKIPS") == "1"
