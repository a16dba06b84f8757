"""Scenarios side by side on the same seeds (`jointduty compare`, parsed by `sim.cli.compare`).

Every scenario runs the same replications on the same seed, so replication `r` of each sees
the same incidents (common random numbers, CRN); the scenarios are run in step, replication
by replication, so that `run.replications=auto` stops when every scenario is precise enough.
With `run.warmup_days=auto` each scenario's MSER-5 warm-up is computed and the longest is
used for all. The table gives, for every KPI, each scenario's mean with its 95 % CI and the
paired difference to the first scenario with its CI and a Holm-adjusted p-value
(`sim.analysis.paired`). With no scenario named it compares the built-in before and after scenarios.

Output (atomically, into `--out DIR`, or `hydra.run.dir=DIR`, else
`results/compare/<date_time>/`): `comparison.csv` and `comparison.parquet` (the table),
`replications.csv` (every scenario's KPIs per replication), `jobs.json` (the validated
jobs), `analysis.json`, and `status.json` last. `--independent-seeds` gives scenario `k` the
seed `run.seed + k` instead; `--variance-reduction` measures what CRN buys, per KPI: the
variance of the paired differences with CRN over that with independent seeds
(`variance_reduction.csv`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, replace
from itertools import islice

import pandas as pd

from sim.analysis.output_analysis import StopDecision, decide, planned_replications
from sim.analysis.paired import comparison_table, paired_differences, variance_ratio
from sim.config.scenario import JobConfig, RunConfig
from sim.experiment.executor import Workers
from sim.experiment.headline import MULTIPLICITY_NOTE, format_headline
from sim.experiment.replications import (
    OutputAnalysis,
    choose_warmup,
    kpis_of_replication,
    replication_numbers,
)

DEFAULT_SCENARIOS = ("taozhu_2019", "future_city_2021")
DEFAULT_OUT = "results/compare"
DEFAULT_WARMUP_DAYS = 28.0  # repeat calls take weeks to reach their level (scenario READMEs)
@dataclass(frozen=True)
class Comparison:
    """The comparison table, each scenario's replications, and the output analysis."""

    names: tuple[str, ...]
    table: pd.DataFrame
    replications: tuple[pd.DataFrame, ...]
    analysis: OutputAnalysis
    jobs: tuple[JobConfig, ...]  # as run: with each scenario's seed




def run_comparison(
    jobs: list[JobConfig],
    progress: Callable[[int, int], None] | None = None,
    independent_seeds: bool = False,
) -> Comparison:
    """Run the scenarios in step until the stopping rule says so; compare them."""
    run = jobs[0].run
    warmups = [choose_warmup(job.scenario, run) for job in jobs]
    warmup = max(warmups, key=lambda choice: choice.days)
    runs = [
        replace(run, warmup_days=warmup.days, seed=run.seed + (k if independent_seeds else 0))
        for k in range(len(jobs))
    ]
    tables, decision = _replicate_in_step(jobs, runs, progress)
    names = tuple(job.scenario.name for job in jobs)
    longest = " (longest over the scenarios)" if run.warmup_days == "auto" else ""
    analysis = OutputAnalysis(len(tables[0]), decision.reason, warmup.days, warmup.reason + longest)
    as_run = tuple(
        replace(job, run=replace(job.run, seed=job_run.seed))
        for job, job_run in zip(jobs, runs, strict=True)
    )
    return Comparison(names, comparison_table(names, tables), tables, analysis, as_run)


def _replicate_in_step(
    jobs: list[JobConfig],
    runs: list[RunConfig],
    progress: Callable[[int, int], None] | None,
) -> tuple[tuple[pd.DataFrame, ...], StopDecision]:
    """Replication r of every scenario, then r + 1, ... until the stopping rule says so."""
    rows: list[list[dict[str, float]]] = [[] for _ in jobs]
    decision = decide(jobs[0].run, [pd.DataFrame(r) for r in rows])
    tasks = (
        (job.scenario, job_run, replication)
        for replication in replication_numbers(jobs[0].run)
        for job, job_run in zip(jobs, runs, strict=True)
    )
    with (
        Workers(jobs[0].run.n_workers) as workers,
        closing(workers.imap(kpis_of_replication, tasks)) as done,
    ):
        while not decision.stop:
            replication = len(rows[0])
            for job_rows, kpis in zip(rows, islice(done, len(jobs)), strict=True):
                job_rows.append({"replication": replication, **kpis})
            decision = decide(jobs[0].run, [pd.DataFrame(r) for r in rows])
            if progress is not None:
                total = len(rows[0]) if decision.stop else planned_replications(jobs[0].run)
                progress(len(rows[0]), total)
    return tuple(pd.DataFrame(r) for r in rows), decision


def variance_reduction(jobs: list[JobConfig]) -> pd.DataFrame:
    """What CRN buys: per KPI, var(paired differences) with CRN over that with independent
    seeds, with a 95 % F-interval. The CRN design uses `run.seed` for every scenario; the
    independent design gives scenario k the seed `run.seed + 1 + k`, so the designs share no
    stream and their variances are independent estimates."""
    crn = run_comparison(jobs)
    shifted = [replace(job, run=replace(job.run, seed=job.run.seed + 1)) for job in jobs]
    independent = run_comparison(shifted, independent_seeds=True)
    rows = []
    for k, name in enumerate(crn.names[1:], start=1):
        for metric in [c for c in crn.replications[0].columns if c != "replication"]:
            d_crn = paired_differences(crn.replications[0], crn.replications[k], metric)
            d_ind = paired_differences(
                independent.replications[0], independent.replications[k], metric
            )
            ratio, low, high = variance_ratio(d_crn, d_ind)
            rows.append(
                (metric, name, d_crn.var(ddof=1), d_ind.var(ddof=1), ratio, low, high, len(d_crn))
            )
    columns = [
        "metric",
        "scenario",
        "var_crn",
        "var_independent",
        "ratio",
        "ci_low",
        "ci_high",
        "n",
    ]
    return pd.DataFrame(rows, columns=columns)


def format_comparison(comparison: Comparison, run: RunConfig, show_all: bool = False) -> str:
    """The comparison as text: the headline (`sim.experiment.headline`) and, with `show_all`,
    every KPI: one line per scenario, differences to the first with Holm's p-values."""
    analysis, names = comparison.analysis, comparison.names
    lines = [
        f"{' vs '.join(names)}: {analysis.n_replications} replications x {run.horizon_days:g} "
        f"days (after {analysis.warmup_days:g} days' warm-up), seed {run.seed}, "
        "common random numbers",
        f"replications: {analysis.stop_reason}",
        f"warm-up: {analysis.warmup_reason}",
        "",
        format_headline(comparison.table, names, analysis.n_replications),
        "",
        MULTIPLICITY_NOTE,
    ]
    if show_all:
        lines += ["", format_all_kpis(comparison)]
    else:
        lines.append("every KPI: --all on screen, comparison.csv always")
    return "\n".join(lines)


def format_all_kpis(comparison: Comparison) -> str:
    """Every KPI: one line per scenario, the paired difference to the first and p (Holm)."""
    names = comparison.names
    width = max(len(n) for n in names) + 2
    label_width = max([len("metric"), *map(len, comparison.table["metric"])]) + 2
    lines = [
        f"{'metric':{label_width}s}{'scenario':{width}s}{'mean':>10s} {'95% CI':>21s}   "
        f"{'diff vs ' + names[0]:>12s} {'95% CI':>21s} {'p (Holm)':>9s}",
    ]
    for metric, rows in comparison.table.groupby("metric", sort=False):
        for index, row in enumerate(rows.itertuples(index=False)):
            label = metric if index == 0 else ""
            ci = _ci(row.ci_low, row.ci_high)
            text = f"{label:{label_width}s}{row.scenario:{width}s}{_num(row.mean):>10s} {ci:>21s}"
            if index > 0:
                text += (
                    f"   {_num(row.diff_mean):>12s} {_ci(row.diff_ci_low, row.diff_ci_high):>21s}"
                )
                text += f" {_p(row.p_holm):>9s}"
            lines.append(text)
    return "\n".join(lines)


def format_variance_reduction(ratios: pd.DataFrame) -> str:
    """What CRN buys, per KPI whose differences vary: the variance ratio and its 95 % CI."""
    shown = ratios.dropna(subset=["ratio"])
    width = max([len("metric"), *(len(m) for m in shown["metric"])]) + 2
    name_width = max([len("scenario"), *(len(n) for n in shown["scenario"])]) + 2
    lines = [
        "var(paired differences) with common random numbers / with independent seeds",
        "",
        f"{'metric':{width}s}{'scenario':{name_width}s}{'ratio':>8s} {'95% CI':>18s}  n",
    ]
    for row in shown.itertuples(index=False):
        ci = f"[{row.ci_low:.3f}, {row.ci_high:.3f}]"
        ratio = f"{row.ratio:>8.3f} {ci:>18s}  {row.n}"
        lines.append(f"{row.metric:{width}s}{row.scenario:{name_width}s}{ratio}")
    return "\n".join(lines)


def _num(value: float) -> str:
    if pd.isna(value):
        return "-"
    return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"


def _ci(low: float, high: float) -> str:
    return "-" if pd.isna(low) else f"[{_num(low)}, {_num(high)}]"


def _p(p: float) -> str:
    if pd.isna(p):
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"
