"""A benchmark item that raises is recorded as a failed row; the other items still run."""

from __future__ import annotations

import json

import bench.__main__ as bench_main
from bench.report import Row


def test_a_failing_item_is_a_failed_row_and_the_others_are_kept(monkeypatch, tmp_path, capsys):
    def runner(item):
        def rows(quick):
            if item == "sweep":
                raise RuntimeError("sweep failed (exit 1):\nHydra said no")
            return [Row(item, "speed", 1.5, "x", ">= 1.0", "", quick)]

        return rows

    monkeypatch.setattr(bench_main, "_runner", runner)
    out = tmp_path / "rows.json"
    status = bench_main.main(["--only", "engine", "sweep", "peer", "--json", str(out)])
    assert status == 1
    rows = json.loads(out.read_text())["rows"]
    assert [(r["item"], r["measure"]) for r in rows] == [
        ("engine", "speed"),
        ("sweep", "failed"),
        ("peer", "speed"),
    ]
    assert rows[1]["detail"] == "sweep failed (exit 1): Hydra said no"
    assert "bench: sweep failed: sweep failed (exit 1): Hydra said no" in capsys.readouterr().err
