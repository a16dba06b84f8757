"""Where the tests find the real data samples: `shared/data/real` beside the repository.

CI checks the repository out next to a read-only copy of `shared/` (so `../shared/data/real`),
and so does a contributor's worktree. A test that needs a sample asks `real_file(name)`: when
the folder or the file is missing, the test fails and says where it looked, instead of
skipping, so a CI without the data cannot pass by not running these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REAL_DIR = REPO.parent / "shared" / "data" / "real"


def real_file(name: str) -> Path:
    """The sample `name` in `REAL_DIR`; fails the calling test when it is not there."""
    path = REAL_DIR / name
    if not REAL_DIR.is_dir():
        pytest.fail(
            f"the real data folder {REAL_DIR} is missing: check out shared/ beside the "
            "repository (../shared/data/real), as CI does",
            pytrace=False,
        )
    if not path.is_file():
        present = ", ".join(sorted(p.name for p in REAL_DIR.iterdir())) or "nothing"
        pytest.fail(
            f"real data sample {path} is missing ({REAL_DIR} holds {present})", pytrace=False
        )
    return path
