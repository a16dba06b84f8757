"""`python -m bench [--quick] [--only ITEM ...] [--json FILE]`: run the benchmarks, print a table.

Items: `engine` (the model against plain SimPy on M/M/c), `peer` (against Ciw), `realistic`
(future_city_2021 for a year against plain SimPy), `sweep` (16 jobs of 10 replications x 365
days on 2 workers against 1: parallel efficiency), `province` (the province for a year: time,
peak memory, and the speed-up of 2 shards). `moving` (the engine item with every officer on a
post, a moving routine) runs only when named.
`--quick` runs every item small, as a smoke check (CI runs it): the numbers are printed but
not judged against the targets. See bench/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.report import Row, markdown
from bench.timing import machine

ITEMS = ("engine", "peer", "realistic", "sweep", "province")
EXTRA_ITEMS = ("moving",)  # run only when named with --only


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, no judging")
    parser.add_argument("--only", nargs="+", choices=ITEMS + EXTRA_ITEMS, default=list(ITEMS))
    parser.add_argument("--json", type=Path, help="also write the rows and machine here")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    broken: list[str] = []  # items that raised: recorded, and the other items still run
    for item in args.only:
        print(f"bench: {item} ...", file=sys.stderr, flush=True)
        try:
            rows.extend(_runner(item)(args.quick))
        except Exception as error:  # e.g. a sweep that failed (`bench.sweep`: Hydra's message)
            message = " ".join(str(error).split()) or type(error).__name__
            print(f"bench: {item} failed: {message}", file=sys.stderr, flush=True)
            broken.append(item)
            rows.append(Row(item, "failed", float("nan"), "", "", message, args.quick))
    about = machine()
    print(markdown(rows, about, quick=args.quick))
    if args.json is not None:
        record = {"machine": about, "quick": args.quick, "rows": [r.as_dict() for r in rows]}
        args.json.write_text(json.dumps(record, indent=2) + "\n")
    failed = [r for r in rows if r.passed is False]
    return 1 if broken or (failed and not args.quick) else 0


def _runner(item: str) -> Callable[[bool], list[Row]]:
    from bench import items

    return getattr(items, f"{item}_rows")


if __name__ == "__main__":
    raise SystemExit(main())
