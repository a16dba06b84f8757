"""A sweep job's identity and its completion marker, `status.json`.

**Identity.** A job of a sweep is identified by its *override set*: the sorted list of the
`key=value` overrides Hydra gave it (`hydra.overrides.task`), which includes the swept
values and the constant overrides of the command. Hydra's job numbers are not an identity:
they shift when a grid grows. So a job's directory is named after its override set
(`job_dir_name`: the swept overrides as Hydra's `override_dirname` writes them, `key=value`
joined by commas, with readable key abbreviations (`short_key`:
`stations.future_city_joint_duty.staff.grid_worker.count` -> `fcjd.grid_worker`), plus a hash
of the full set), and resume compares override sets, not numbers, so a new grid point never
lands in an old job's folder. The full overrides stay in each job's `.hydra/overrides.yaml`
and its `status.json`.

**Completion marker.** `status.json` is written atomically and *last*, after every result
table: `status` (`completed` or `failed`), `overrides`, `error`, `duration_s`, `started` and
`finished` (ISO times), `t_finished` (epoch seconds), `host`, and for a completed job the
replications run and why they stopped. A directory without it is a job that is running, or
that died (`incomplete`).

**Checksums.** A `completed` marker also lists `files`: the SHA-256 of every result file
(`.csv`, `.parquet`, `.json`) in the job's folder when it completed. `damage(job_dir, record)`
names the first listed file that is missing or no longer matches (truncated, corrupted or
changed later); such a job is not counted as completed (`collect`, `report`, resume).
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import time
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from sim.results.files import write_atomic

STATUS_FILE = "status.json"
COMPLETED, FAILED, INCOMPLETE = "completed", "failed", "incomplete"
DAMAGED = "damaged"
CHECKED_SUFFIXES = (".csv", ".parquet", ".json")
MAX_READABLE_CHARS = 180  # folder names stay under the usual 255-byte limit
_UNSAFE = re.compile(r"[^A-Za-z0-9._=,+\-]")
_STATION_STAFF = re.compile(r"^stations\.(\w+)\.staff\.(\w+?)(?:\.count)?$")
_DROPPED_PREFIXES = ("placement.", "run.", "dispatch.", "demand.")


def override_set(overrides: Iterable[str]) -> tuple[str, ...]:
    """The canonical form of a job's overrides: stripped and sorted."""
    return tuple(sorted(str(o).strip() for o in overrides))


def short_key(key: str) -> str:
    """A config key as a folder name shows it: `++stations.future_city_joint_duty.staff.
    grid_worker.count` -> `fcjd.grid_worker`, `placement.n_stations` -> `n_stations`,
    `run.seed` -> `seed`; other keys unchanged (without Hydra's `+`, `++`, `~`)."""
    key = key.lstrip("+~")
    station_staff = _STATION_STAFF.match(key)
    if station_staff:
        station, role = station_staff.groups()
        return f"{''.join(w[0] for w in station.split('_') if w)}.{role}"
    for prefix in _DROPPED_PREFIXES:
        if key.startswith(prefix) and "." not in key.removeprefix(prefix):
            return key.removeprefix(prefix)
    return key


def short_overrides(overrides: Iterable[str]) -> list[str]:
    """`key=value` overrides with short keys (`short_key`), in the order given."""
    return [f"{short_key(o.partition('=')[0])}={o.partition('=')[2]}" for o in overrides]


def job_dir_name(overrides: Iterable[str], shown_keys: Collection[str] | None = None) -> str:
    """A directory name for the job: the overrides of `shown_keys` (default: all) as
    `short_key=value` joined by commas and made file-safe, then a hash of the whole override
    set. Too long a name drops whole overrides from the end (`+N`), never cuts one."""
    canonical = override_set(overrides)
    digest = hashlib.sha1(json.dumps(canonical).encode()).hexdigest()[:10]
    shown = [o for o in canonical if shown_keys is None or o.partition("=")[0] in shown_keys]
    parts = [_UNSAFE.sub("_", part) for part in short_overrides(shown)]
    readable = ",".join(parts)
    n_kept = len(parts)
    while len(readable) > MAX_READABLE_CHARS and n_kept > 0:
        n_kept -= 1
        readable = ",".join(parts[:n_kept]) + f",+{len(parts) - n_kept}"
    return f"{readable.lstrip(',')}-{digest}" if parts else f"job-{digest}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_status(
    job_dir: Path,
    status: str,
    overrides: Sequence[str],
    *,
    started: str,
    duration_s: float,
    error: str | None = None,
    extra: dict[str, object] | None = None,
) -> Path:
    """Write the job's completion marker atomically; call it after every other output."""
    record = {
        "status": status,
        "overrides": list(override_set(overrides)),
        "error": error,
        "duration_s": round(duration_s, 3),
        "started": started,
        "finished": now_iso(),
        "t_finished": time.time(),
        "host": socket.gethostname(),
        **(extra or {}),
    }
    if status == COMPLETED:
        record["files"] = result_checksums(job_dir)
    path = job_dir / STATUS_FILE
    write_atomic(path, lambda tmp: tmp.write_text(json.dumps(record, indent=2) + "\n"))
    return path


def read_status(job_dir: Path) -> dict[str, object] | None:
    """The job's status record, or None if it has none (or an unreadable one)."""
    try:
        record = json.loads((job_dir / STATUS_FILE).read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def completed_override_sets(sweep_dir: Path) -> dict[tuple[str, ...], Path]:
    """Override set -> directory, for every job under `sweep_dir` that completed."""
    done: dict[tuple[str, ...], Path] = {}
    for status_path in sorted(sweep_dir.glob(f"*/{STATUS_FILE}")):
        record = read_status(status_path.parent)
        if not record or record.get("status") != COMPLETED:
            continue
        overrides = record.get("overrides")
        listed = isinstance(overrides, list) and all(isinstance(o, str) for o in overrides)
        if listed and not damage(status_path.parent, record):
            done[override_set(overrides)] = status_path.parent  # type: ignore[arg-type]
    return done


def result_checksums(job_dir: Path) -> dict[str, str]:
    """File name -> SHA-256 of the result files in `job_dir` (not the marker itself)."""
    return {
        path.name: _sha256(path)
        for path in sorted(job_dir.iterdir())
        if path.is_file()
        and path.suffix in CHECKED_SUFFIXES
        and path.name != STATUS_FILE
        and not path.name.startswith(".")
    }


def damage(job_dir: Path, record: dict[str, object]) -> str | None:
    """`FILE: problem` for the first file the marker lists that is missing or changed, else None."""
    files = record.get("files")
    for name, digest in (files if isinstance(files, dict) else {}).items():
        path = job_dir / str(name)
        if not path.is_file():
            return f"{name}: missing, though status.json lists it as written"
        if _sha256(path) != digest:
            return f"{name}: truncated or changed since the job completed (checksum differs)"
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
