"""Item 4: a 16-job sweep on 2 workers against 1, and Hydra's own share of the wall time.

Both sweeps run `jointduty run -m` (as `python -m sim run -m`) in a fresh process with the
joblib launcher (`hydra/launcher=joblib hydra.launcher.n_jobs=N`), over `run.seed=1..16` of
`future_city_2021`, into a temporary sweep directory. Each job's own duration is read from its
`status.json`; what is left of the wall time is the sweep's overhead: starting Python and
Hydra, composing and validating the grid, launching the jobs (and, with 2 workers, starting
them) and collecting the sweep table. `start_up_s` measures the part of it that is not
Hydra's: a fresh Python importing the command, the model and the scientific libraries.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SweepRun:
    n_workers: int
    wall_s: float
    job_s: tuple[float, ...]
    first_start_s: float  # from starting the command to the first job's start
    last_end_s: float  # from starting the command to the last job's end

    @property
    def overhead_share(self) -> float:
        """Share of the workers' wall time not spent inside a job."""
        return 1.0 - sum(self.job_s) / (self.n_workers * self.wall_s)

    @property
    def serial_s(self) -> float:
        """The time before the first job starts and after the last ends: with one worker,
        starting Python, importing, composing and checking the points, Hydra's start and the
        model's import; then the sweep table and the exit."""
        return self.first_start_s + (self.wall_s - self.last_end_s)

    def amdahl_bound(self, n_workers: int) -> float:
        """The speed-up `n_workers` could reach over this run if all but its serial part were
        shared out perfectly (Amdahl's law)."""
        return self.wall_s / (self.serial_s + (self.wall_s - self.serial_s) / n_workers)


def run_sweep(n_workers: int, n_jobs: int, job_overrides: list[str], workdir: Path) -> SweepRun:
    """One sweep in a fresh process; raises RuntimeError with Hydra's message if it fails."""
    sweep_dir = workdir / f"workers_{n_workers}"
    seeds = ",".join(str(seed) for seed in range(1, n_jobs + 1))
    command = [
        sys.executable, "-m", "sim", "run", "-m", "scenario=future_city_2021",
        *job_overrides, f"run.seed={seeds}", "hydra/launcher=joblib",
        f"hydra.launcher.n_jobs={n_workers}", f"hydra.sweep.dir={sweep_dir}",
    ]  # fmt: skip
    t_start, t_epoch = time.perf_counter(), time.time()
    done = subprocess.run(command, capture_output=True, text=True, cwd=workdir, check=False)
    wall_s = time.perf_counter() - t_start
    statuses = [json.loads(p.read_text()) for p in sweep_dir.glob("*/status.json")]
    completed = [s for s in statuses if s.get("status") == "completed"]
    if done.returncode != 0 or len(completed) != n_jobs:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(
            f"sweep with {n_workers} workers: exit {done.returncode}, "
            f"{len(completed)}/{n_jobs} jobs completed: " + " | ".join(tail)
        )
    ends_s = [float(s["t_finished"]) - t_epoch for s in completed]
    starts_s = [end - float(s["duration_s"]) for end, s in zip(ends_s, completed, strict=True)]
    return SweepRun(
        n_workers,
        wall_s,
        tuple(float(s["duration_s"]) for s in completed),
        first_start_s=min(starts_s),
        last_end_s=max(ends_s),
    )


def start_up_s(n_tries: int = 3) -> float:
    """Seconds for a fresh Python to import what a sweep runs: the command, the model, the
    sweep table (NumPy, pandas, SciPy, SimPy, Hydra). Best of `n_tries`: not Hydra's own
    overhead, but every sweep pays it once (and each extra worker once more)."""
    command = [
        sys.executable,
        "-c",
        "import sim.sweep.run, sim.experiment.replications, sim.results.collect",
    ]
    times_s = []
    for _ in range(n_tries):
        t_start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times_s.append(time.perf_counter() - t_start)
    return min(times_s)


def sweep_scaling(n_jobs: int, job_overrides: list[str]) -> tuple[SweepRun, SweepRun]:
    """The same sweep on 1 worker, then on 2."""
    with tempfile.TemporaryDirectory(prefix="jointduty-bench-sweep-") as tmp:
        one = run_sweep(1, n_jobs, job_overrides, Path(tmp))
        two = run_sweep(2, n_jobs, job_overrides, Path(tmp))
    return one, two
