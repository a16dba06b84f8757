"""Each benchmark item as result rows, at full size or quick (`--quick`, a smoke check).

Full sizes are chosen so the whole suite runs in a few minutes on two cores and each ratio
rests on several interleaved rounds; quick sizes only show that every item runs.
"""

from __future__ import annotations

from bench.engine import Comparison, compare_mmc, compare_realistic
from bench.report import Row
from bench.sweep import start_up_s, sweep_scaling

FULL = {
    "mmc_customers": 50_000,
    "ciw_customers": 50_000,
    # rounds per comparison, each round both sides back to back; the ratio is their median
    # (a realistic round is short, about 0.35 s, so it gets more rounds against the noise)
    "engine_rounds": 5,
    "peer_rounds": 5,
    "realistic_rounds": 7,
    "realistic_days": 365.0,
    # the target is for jobs as long as a planning study's: 10 replications of a year each
    "sweep_jobs": 16,
    "sweep_overrides": ["run.replications=10", "run.horizon_days=365"],
}
QUICK = {
    "mmc_customers": 2_000,
    "ciw_customers": 1_000,
    "engine_rounds": 1,
    "peer_rounds": 1,
    "realistic_rounds": 1,
    "realistic_days": 14.0,
    "sweep_jobs": 2,
    "sweep_overrides": ["run.replications=1", "run.horizon_days=2"],
}


def _sizes(quick: bool) -> dict:
    return QUICK if quick else FULL


def _comparison_rows(comparison: Comparison, measure: str, target: str, quick: bool) -> list[Row]:
    model, baseline = comparison.model, comparison.baseline
    waits = ", ".join(f"{k} {v:.2f}" for k, v in comparison.checks.items())
    detail = (
        f"model {model.items_per_s:,.0f}/s, {comparison.baseline_name} "
        f"{baseline.items_per_s:,.0f}/s (best rounds) on {model.n_items:,} incidents; "
        f"ratio: median of {len(model.rounds_s)} rounds; mean waits: {waits}"
    )
    value = comparison.time_ratio if measure.startswith("time") else comparison.speed_ratio
    return [Row(comparison.name, measure, value, "x", target, detail, quick)]


def engine_rows(quick: bool) -> list[Row]:
    """Officers as agent processes waiting at the station (`sim.model.agents`)."""
    sizes = _sizes(quick)
    comparison = compare_mmc(sizes["mmc_customers"], sizes["engine_rounds"], "simpy")
    return _comparison_rows(comparison, "speed vs plain SimPy M/M/c", ">= 1.0", quick)


def moving_rows(quick: bool) -> list[Row]:
    """The same, every officer standing at a post: a moving routine's path (released on
    scene, back to the post) at zero travel, so the queue is still M/M/c. Not judged."""
    sizes = _sizes(quick)
    comparison = compare_mmc(sizes["mmc_customers"], sizes["engine_rounds"], "simpy", "post")
    return _comparison_rows(comparison, "speed vs plain SimPy M/M/c", "", quick)


def peer_rows(quick: bool) -> list[Row]:
    sizes = _sizes(quick)
    comparison = compare_mmc(sizes["ciw_customers"], sizes["peer_rounds"], "ciw")
    return _comparison_rows(comparison, "speed vs Ciw M/M/c", ">= 2.0", quick)


def realistic_rows(quick: bool) -> list[Row]:
    sizes = _sizes(quick)
    comparison = compare_realistic(sizes["realistic_days"], sizes["realistic_rounds"])
    measure = "time vs plain SimPy, same incidents"
    return _comparison_rows(comparison, measure, "<= 3.0", quick)


def sweep_rows(quick: bool) -> list[Row]:
    """Parallel efficiency of 2 workers over 1, and what the 1-worker sweep spends outside its
    jobs: all of it, and Hydra's own share (less a fresh Python's imports, `start_s`)."""
    sizes = _sizes(quick)
    n_jobs, overrides = sizes["sweep_jobs"], sizes["sweep_overrides"]
    start_s = start_up_s()
    one, two = sweep_scaling(n_jobs, overrides)
    jobs = f"{n_jobs} jobs ({' '.join(overrides)})"
    outside_s = one.wall_s - sum(one.job_s)
    speed_up = one.wall_s / two.wall_s
    return [
        Row(
            "sweep",
            "parallel efficiency, 2 workers",
            speed_up / 2,
            "",
            ">= 0.9",
            f"{jobs}: {one.wall_s:.1f} s on 1 worker, {two.wall_s:.1f} s on 2 (speed-up "
            f"{speed_up:.2f} x); 2 workers outside jobs {two.overhead_share * 100:.0f} %",
            quick,
        ),
        Row(
            "sweep",
            "Amdahl's bound for 2 workers",
            one.amdahl_bound(2),
            "x",
            "",
            f"the 1-worker sweep's serial part, {one.serial_s:.1f} s of {one.wall_s:.1f} s: "
            f"{one.first_start_s:.1f} s before its first job (Python, imports, composing and "
            f"checking, Hydra, the model's import), {one.wall_s - one.last_end_s:.1f} s after "
            "its last (the sweep table, exit)",
            quick,
        ),
        Row(
            "sweep",
            "outside the jobs, 1 worker",
            one.overhead_share * 100,
            "%",
            "",
            f"wall {one.wall_s:.1f} s, jobs {sum(one.job_s):.1f} s: {outside_s:.1f} s, of which "
            f"{start_s:.1f} s a fresh Python importing the command, model and libraries",
            quick,
        ),
        Row(
            "sweep",
            "Hydra overhead, 1 worker",
            max(0.0, outside_s - start_s) / one.wall_s * 100,
            "%",
            "",
            f"{max(0.0, outside_s - start_s):.1f} s of {one.wall_s:.1f} s: composing and "
            "checking the points, launching, writing each job's .hydra/, the sweep table",
            quick,
        ),
    ]


def province_rows(quick: bool) -> list[Row]:
    from bench.scale import province_rows as rows

    return rows(quick)
