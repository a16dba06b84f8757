"""Item 5: the province for a simulated year, district by district: time, peak memory, shards.

Each measurement runs in a fresh process (`python -m bench.scale ...`), which reports its own
peak resident set size and that of its largest worker, so that no measurement inherits
another's memory. The province is `zhejiang_712` when it is shipped, else the synthetic
province of `bench.province_scenario`. The lean path is `sim.experiment.province`: districts run one
after another (1 worker) or shared out over worker processes, each district's tables reduced
to KPIs as soon as it ends. `python -m bench.scale --days 28 --monolithic` runs the whole
province as one model instead, for comparison (not part of `python -m bench`: slow).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence

from bench.report import Row
from sim.config.scenario import ScenarioConfig

GIB_IN_MIB = 1024.0
FULL = {"days": 365.0, "speedup_days": 28.0, "districts": 0}  # 0: the shipped province
QUICK = {"days": 3.0, "speedup_days": 3.0, "districts": 4}


def measure(days: float, n_workers: int, n_districts: int) -> dict[str, float]:
    """One run of the lean province path in a fresh process; its time, memory and KPIs."""
    command = [
        sys.executable, "-m", "bench.scale", "--days", str(days),
        "--workers", str(n_workers), "--districts", str(n_districts),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"province run failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def province_rows(quick: bool) -> list[Row]:
    sizes = QUICK if quick else FULL
    year = measure(sizes["days"], 2, sizes["districts"])
    one = measure(sizes["speedup_days"], 1, sizes["districts"])
    two = (
        year
        if sizes["speedup_days"] == sizes["days"]
        else measure(sizes["speedup_days"], 2, sizes["districts"])
    )
    total_mib = year["peak_rss_mib"] + 2 * year["worker_peak_rss_mib"]
    what = (
        f"{year['scenario']}: {year['n_stations']:.0f} stations, {year['n_districts']:.0f} "
        f"districts, {sizes['days']:g} days, {year['n_incidents']:,.0f} incidents"
    )
    return [
        Row("province", "time, 2 workers", year["wall_s"], "s", "", what, quick),
        Row(
            "province",
            "peak RSS, parent + 2 workers",
            total_mib / GIB_IN_MIB,
            "GiB",
            "<= 4.0",
            f"parent {year['peak_rss_mib']:.0f} MiB, largest worker "
            f"{year['worker_peak_rss_mib']:.0f} MiB; response p90 "
            f"{year['response_min_p90']:.1f} min",
            quick,
        ),
        Row(
            "province",
            "speed-up 2 shards vs 1",
            one["wall_s"] / two["wall_s"],
            "x",
            "",
            f"{sizes['speedup_days']:g} days: {one['wall_s']:.1f} s in 1 process, "
            f"{two['wall_s']:.1f} s on 2 workers; 1 process peak "
            f"{one['peak_rss_mib']:.0f} MiB",
            quick,
        ),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the province once and print one JSON line (the child side of `measure`)."""
    from bench.province_scenario import province_job
    from bench.timing import children_peak_rss_mib, peak_rss_mib
    from sim.experiment.province import (
        assign_districts,
        district_tasks,
        districts_from_names,
        run_province,
    )

    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    parser.add_argument("--days", type=float, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--districts", type=int, default=0, help="0: the shipped province")
    parser.add_argument("--seed", type=int, default=20210201)
    parser.add_argument("--monolithic", action="store_true", help="one model, not districts")
    args = parser.parse_args(argv)
    scenario = province_job(args.districts or None).scenario
    t_start = time.perf_counter()
    if args.monolithic:
        return _monolithic(scenario, args.days, args.seed, t_start)
    by_name = districts_from_names(scenario)
    station_district = assign_districts(scenario, args.districts or 90, by_name)
    tasks = district_tasks(
        scenario, station_district, seed=args.seed, replication=0,
        warmup_min=1440.0, horizon_min=args.days * 1440.0,
    )  # fmt: skip
    kpis, by_district = run_province(tasks, args.workers)
    record = {
        "scenario": scenario.name,
        "n_stations": len(scenario.stations),
        "n_districts": len(by_district),
        "wall_s": time.perf_counter() - t_start,
        "peak_rss_mib": peak_rss_mib(),
        "worker_peak_rss_mib": children_peak_rss_mib(),
        **kpis,
    }
    print(json.dumps(record))
    return 0


def _monolithic(scenario: ScenarioConfig, days: float, seed: int, t_start: float) -> int:
    """The whole province as one model with its full tables (for comparison)."""
    from bench.timing import peak_rss_mib
    from sim.model.replication import Model
    from sim.model.streams import Streams

    model = Model(scenario, Streams(seed, 0), warmup_min=1440.0, horizon_min=days * 1440.0)
    records = model.run()
    record = {
        "scenario": scenario.name,
        "n_stations": len(scenario.stations),
        "wall_s": time.perf_counter() - t_start,
        "peak_rss_mib": peak_rss_mib(),
        "n_incidents": len(records.incidents),
        "response_min_p90": float(records.incidents["response_min"].quantile(0.9)),
    }
    print(json.dumps(record))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
