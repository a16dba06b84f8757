"""Record tables of one replication: incidents, matters, unit busy intervals, jobs, overtime,
and every unit's state intervals (its routine and its jobs, where it was: `sim.model.agents`).

A field name here is the column name in every output table and the label in reports. Times
are minutes from the start of the replication (warm-up included); durations end in `_min`.
Only incidents that arrive after the warm-up are kept; busy intervals are kept whole and are
clipped to the measurement window when utilisation is computed.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, cast

import numpy as np
import pandas as pd

from sim.config.scenario import ScenarioConfig
from sim.model.agents import STATE_FIELDS, STATE_NAMES
from sim.model.incidents import IncidentStream
from sim.model.ledger import IncidentLedger
from sim.model.matters import CallColumns, matter_table
from sim.model.pool import UnitPool

BUSY_FIELDS = ("unit_id", "incident_id", "stage", "t_start", "t_end")
JOB_FIELDS = ("incident_id", "stage", "kind", "t_start", "t_end", "team")
"""The fields of a busy interval and of a job, as the model keeps them: one flat list each,
a row's fields one after the other. A tuple per row would be a container that the garbage
collector counts, and walks, while the model runs; numbers and strings are not."""

EventLog = list[tuple[float, str, int, str]]
"""(t_min, event, incident_id, detail) rows, appended in simulation order."""

INCIDENT_COLUMNS: tuple[str, ...] = (
    "incident_id",
    "kind",
    "priority",
    "x_km",
    "y_km",
    "station",
    "team",
    "n_stations",
    "t_arrival",
    "t_dispatch",
    "t_first_on_scene",
    "t_team_on_scene",
    "t_resolved",
    "wait_min",
    "travel_min",
    "assembly_min",
    "handling_min",
    "response_min",
    "call_close_min",
    "is_repeat",
    "matter_id",
    "original_id",
    "generation",
    "n_jobs",
    "settled",
)

BUSY_COLUMNS: tuple[str, ...] = (
    "unit_id",
    "role",
    "station",
    "incident_id",
    "stage",
    "t_start",
    "t_end",
)
JOB_COLUMNS: tuple[str, ...] = (
    "incident_id",
    "stage",
    "kind",
    "t_start",
    "t_end",
    "team",
    "n_roles",
)
OVERTIME_COLUMNS: tuple[str, ...] = ("unit_id", "role", "station", "t_shift_end", "t_free")
STATE_COLUMNS: tuple[str, ...] = (
    "unit_id",
    "role",
    "station",
    "state",
    "t_start",
    "t_end",
    "x_km",
    "y_km",
)
"""A unit's state interval: `state` one of `agents.STATE_NAMES` (its routine's kind, or
`job` from dispatch to release); (x_km, y_km) its mean position over the interval."""


class Model(Protocol):
    """What the tables are built from: a finished replication (`sim.model.replication.Model`),
    seen through the fields it records into, so that records need not import the model."""

    scenario: ScenarioConfig
    incidents: IncidentStream
    prevented: np.ndarray  # candidates prevented by presence (`sim.model.presence`)
    prevented_by: dict[int, str]  # ... and the effect that prevented each
    ledger: IncidentLedger
    pool: UnitPool
    warmup_min: float
    station_names: list[str]
    role_index: dict[str, int]
    busy: list[float]
    states: list[float]
    job_rows: list[object]
    overtime: list[tuple[int, float, float]]
    t_stop_min: float  # when the run stopped: matters still open are censored there


@dataclass(frozen=True)
class ReplicationRecords:
    """The tables of one replication: incidents, unit busy intervals, jobs and overtime, and
    the matters (`sim.model.matters`) whose first calls were measured."""

    incidents: pd.DataFrame
    busy: pd.DataFrame
    jobs: pd.DataFrame
    overtime: pd.DataFrame
    n_deterred: int = 0  # candidate incidents in the window the station-kind deterrence prevented
    matters: pd.DataFrame | None = None
    prevented: pd.DataFrame | None = None  # candidates in the window presence prevented
    states: pd.DataFrame | None = None  # every unit's state intervals (`STATE_COLUMNS`)


def build_records(model: Model) -> ReplicationRecords:
    """Turn the model's ledger and lists into tables (measured incidents only)."""
    jobs = _job_table(model)
    incidents, keep = _incident_table(model, jobs)
    calls = CallColumns(
        matter_id=incidents["matter_id"].to_numpy(),
        kind=incidents["kind"].array,
        x_km=incidents["x_km"].to_numpy(),
        y_km=incidents["y_km"].to_numpy(),
        t_arrival=incidents["t_arrival"].to_numpy(),
        t_resolved=incidents["t_resolved"].to_numpy(),
        settled=incidents["settled"].to_numpy(),
        roles_seen=np.array(model.ledger.roles_seen, dtype=np.int64),
        measured=keep,
    )
    matters = matter_table(calls, jobs, list(model.scenario.roles), model.t_stop_min)
    codes = _unit_codes(model)
    return ReplicationRecords(
        incidents=incidents if keep.all() else incidents[keep].reset_index(drop=True),
        busy=_busy_table(model, codes),
        jobs=jobs,
        overtime=_overtime_table(model, codes),
        n_deterred=_n_deterred(model),
        matters=matters,
        prevented=_prevented_table(model) if model.scenario.prevention.effects else None,
        states=_state_table(model, codes),
    )


def _n_deterred(model: Model) -> int:
    """Candidates in the window that the station-kind deterrence prevented (of those that
    presence did not prevent first)."""
    deterred = model.incidents.deterred
    if deterred is None:
        return 0
    deterred = deterred & ~model.prevented
    return int((deterred & (model.incidents.t_arrival_min >= model.warmup_min)).sum())


def _prevented_table(model: Model) -> pd.DataFrame:
    """The candidates in the window that presence prevented: when, where, which type, and
    which effect (a displaced call is not prevented: it happened next door)."""
    stream = model.incidents
    rows = np.flatnonzero(model.prevented & (stream.t_arrival_min >= model.warmup_min))
    type_names = list(model.scenario.incident_types)
    return pd.DataFrame(
        {
            "t_arrival": stream.t_arrival_min[rows],
            "x_km": stream.x_km[rows],
            "y_km": stream.y_km[rows],
            "kind": pd.Categorical.from_codes(stream.type_index[rows], categories=type_names),
            "effect": pd.array([model.prevented_by[int(r)] for r in rows], dtype="str"),
        }
    )


def _incident_table(model: Model, jobs: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Every incident's row (warm-up included), and which of them are measured."""
    ledger, n = model.ledger, model.ledger.size
    n_jobs = np.bincount(jobs["incident_id"].to_numpy(), minlength=n)  # finished jobs
    t_arrival, t_dispatch = ledger.column("t_arrival"), ledger.column("t_dispatch")
    keep = t_arrival >= model.warmup_min
    if model.incidents.deterred is not None:
        keep[: ledger.n_candidates] &= ~model.incidents.deterred
    keep[: ledger.n_candidates] &= ~model.prevented
    type_names = list(model.scenario.incident_types)
    priorities = np.array([t.priority for t in model.scenario.incident_types.values()])
    type_index = ledger.column("type_index")
    t_first, t_team, t_resolved = (
        ledger.column("t_first_on_scene"),
        ledger.column("t_team_on_scene"),
        ledger.column("t_resolved"),
    )
    table = pd.DataFrame(
        {
            "incident_id": np.arange(n, dtype=np.int64),
            "kind": pd.Categorical.from_codes(type_index, categories=type_names),
            "priority": priorities[type_index].astype(np.int16),
            "x_km": ledger.column("x_km"),
            "y_km": ledger.column("y_km"),
            "station": pd.Categorical.from_codes(
                ledger.column("station_of"), categories=model.station_names
            ),
            "team": pd.Categorical(ledger.team_of),
            "n_stations": ledger.column("n_stations_of").astype(np.int16),
            "t_arrival": t_arrival,
            "t_dispatch": t_dispatch,
            "t_first_on_scene": t_first,
            "t_team_on_scene": t_team,
            "t_resolved": t_resolved,
            "wait_min": t_dispatch - t_arrival,
            "travel_min": t_first - t_dispatch,
            "assembly_min": t_team - t_first,
            "handling_min": ledger.column("handling_min"),
            "response_min": t_first - t_arrival,
            "call_close_min": t_resolved - t_arrival,
            "is_repeat": ledger.column("generation") > 0,
            "matter_id": ledger.column("original_id"),
            "original_id": ledger.column("original_id"),
            "generation": ledger.column("generation").astype(np.int16),
            "n_jobs": n_jobs.astype(np.int16),
            "settled": ledger.column("settled"),
        },
        columns=list(INCIDENT_COLUMNS),
    )
    return table, keep


def _busy_table(model: Model, codes: UnitCodes) -> pd.DataFrame:
    rows = _flat_rows(model.busy, len(BUSY_FIELDS))
    unit_ids = rows[:, 0].astype(np.int64)
    return pd.DataFrame(
        {
            "unit_id": unit_ids,
            **_unit_columns(model, codes, unit_ids),
            "incident_id": rows[:, 1].astype(np.int64),
            "stage": rows[:, 2].astype(np.int16),
            "t_start": rows[:, 3],
            "t_end": rows[:, 4],
        },
        columns=list(BUSY_COLUMNS),
    )


def _state_table(model: Model, codes: UnitCodes) -> pd.DataFrame:
    """The units' state intervals, in the order they ended (each kept whole)."""
    rows = _flat_rows(model.states, len(STATE_FIELDS))
    unit_ids = rows[:, 0].astype(np.int64)
    return pd.DataFrame(
        {
            "unit_id": unit_ids,
            **_unit_columns(model, codes, unit_ids),
            "state": pd.Categorical.from_codes(rows[:, 1].astype(np.int64), STATE_NAMES),
            "t_start": rows[:, 2],
            "t_end": rows[:, 3],
            "x_km": rows[:, 4],
            "y_km": rows[:, 5],
        },
        columns=list(STATE_COLUMNS),
    )


def _job_table(model: Model) -> pd.DataFrame:
    rows, width = model.job_rows, len(JOB_FIELDS)  # flat: the fields of one job after another
    team = cast(list[str], rows[5::width])
    n_roles = {label: label.count("+") + 1 for label in set(team)}  # a few labels, many jobs
    return pd.DataFrame(
        {
            "incident_id": np.array(rows[0::width], dtype=np.int64),
            "stage": np.array(rows[1::width], dtype=np.int64),
            "kind": pd.array(rows[2::width], dtype="str"),
            "t_start": np.array(rows[3::width], dtype=float),
            "t_end": np.array(rows[4::width], dtype=float),
            "team": pd.array(team, dtype="str"),
            "n_roles": np.fromiter(map(n_roles.__getitem__, team), dtype=np.int16, count=len(team)),
        },
        columns=list(JOB_COLUMNS),
    )


def _overtime_table(model: Model, codes: UnitCodes) -> pd.DataFrame:
    rows = _float_rows(model.overtime, 3)
    unit_ids = rows[:, 0].astype(np.int64)
    return pd.DataFrame(
        {
            "unit_id": unit_ids,
            **_unit_columns(model, codes, unit_ids),
            "t_shift_end": rows[:, 1],
            "t_free": rows[:, 2],
        },
        columns=list(OVERTIME_COLUMNS),
    )


def _float_rows(rows: Sequence[tuple[float, ...]], width: int) -> np.ndarray:
    """Rows of `width` numbers as a float array (faster than `np.array` on the tuples)."""
    values = itertools.chain.from_iterable(rows)
    return np.fromiter(values, dtype=float, count=width * len(rows)).reshape(-1, width)


def _flat_rows(values: list[float], width: int) -> np.ndarray:
    """A flat list of numbers, `width` to a row, as a float array (`np.fromiter` with its
    count: faster than `np.array` on a list)."""
    return np.fromiter(values, dtype=float, count=len(values)).reshape(-1, width)


UnitCodes = tuple[np.ndarray, np.ndarray]  # every unit's role code and station code


def _unit_codes(model: Model) -> UnitCodes:
    """Every unit's role and station codes, made once for the tables that name units."""
    units = model.pool.units
    role_code = np.fromiter((model.role_index[u.role] for u in units), np.int64, len(units))
    station_code = np.fromiter((u.station for u in units), np.int64, len(units))
    return role_code, station_code


def _unit_columns(
    model: Model, codes: UnitCodes, unit_ids: np.ndarray
) -> dict[str, pd.Categorical]:
    role_code, station_code = codes
    return {
        "role": pd.Categorical.from_codes(role_code[unit_ids], list(model.scenario.roles)),
        "station": pd.Categorical.from_codes(station_code[unit_ids], model.station_names),
    }
