"""Run and sweep folders, taken before Hydra writes into them.

A single run claims its folder (`claim_run_dir`: makes its `.hydra` folder, which only one
process can do) and hands it to Hydra as `hydra.run.dir`: a folder that already holds a run
is refused, and a folder named by the time that another run took in the same second gets a
`-2`, `-3`, ... suffix. A sweep takes the lock of its folder (`sim.sweep.sweeper.lock_sweep_dir`),
clears the temporary files of writes killed in an earlier attempt, and hands the folder to
Hydra as `hydra.sweep.dir`. A folder that cannot be made is a `ConfigError` either way.
"""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock
from omegaconf import DictConfig, OmegaConf

from sim.config.schema import ConfigError
from sim.results.files import remove_stale_tmp_files
from sim.sweep.sources import with_override
from sim.sweep.sweeper import lock_sweep_dir


def with_locked_sweep_dir(args: list[str], composed: DictConfig) -> tuple[list[str], FileLock]:
    """The arguments with `hydra.sweep.dir` pinned to the folder whose lock is now held."""
    sweep_dir = _resolved_dir(composed, "sweep")
    lock = lock_sweep_dir(sweep_dir)
    remove_stale_tmp_files(sweep_dir)  # left by writes killed in an earlier attempt
    pinned = f"hydra.sweep.dir='{sweep_dir}'"
    return with_override(_without_key(args, "hydra.sweep.dir"), pinned), lock


def _resolved_dir(composed: DictConfig, mode: str) -> Path:
    """`hydra.<mode>.dir` resolved (a `${now:...}` as of now), or `ConfigError`."""
    key = f"hydra.{mode}.dir"
    resolved = OmegaConf.select(composed, key, throw_on_resolution_failure=False)
    if not isinstance(resolved, str) or not resolved:
        raise ConfigError(key, resolved, "must name a folder")
    if any(c in resolved for c in "'\\$"):
        raise ConfigError(key, resolved, "must be a folder path without ' \\ or $")
    return Path(resolved)


def _without_key(args: list[str], key: str) -> list[str]:
    return [a for a in args if a.lstrip("+~").split("=", 1)[0] != key]


def with_claimed_run_dir(args: list[str], composed: DictConfig) -> list[str]:
    """The arguments with `hydra.run.dir` set to a folder claimed for this run alone."""
    run_node = OmegaConf.to_container(composed.hydra.run, resolve=False)
    raw = run_node.get("dir") if isinstance(run_node, dict) else None
    claimed = claim_run_dir(_resolved_dir(composed, "run"), str(raw))
    return with_override(_without_key(args, "hydra.run.dir"), f"hydra.run.dir='{claimed}'")


def claim_run_dir(run_dir: Path, template: str) -> Path:
    """Claim `run_dir` for one run by making its `.hydra` folder (atomic: one claimant wins).

    A folder whose `.hydra` exists already holds a run: refused, unless the folder is named
    by the time (`${now:...}` in `template`), when the next free `NAME-2`, `NAME-3`, ... is
    claimed instead, so that runs started in the same second never share a folder.
    """
    unique = "${now:" in template
    for attempt in range(1, 1000 if unique else 2):
        candidate = run_dir if attempt == 1 else run_dir.with_name(f"{run_dir.name}-{attempt}")
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            (candidate / ".hydra").mkdir()
        except FileExistsError:
            continue
        except OSError as error:
            raise ConfigError(
                "hydra.run.dir", str(candidate), f"cannot make the folder: {error.strerror}"
            ) from None
        return candidate
    raise ConfigError(
        "hydra.run.dir", str(run_dir), "already holds a run; choose another folder or remove it"
    )
