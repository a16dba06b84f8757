"""Record tables of one replication: one row per incident, one row per unit busy interval.

A field name here is the column name in every output table and the label in reports. Times
are minutes from the start of the replication (warm-up included); durations end in `_min`.
Only incidents that arrive after the warm-up are kept; busy intervals are kept whole and are
clipped to the measurement window when utilisation is computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sim.model import Model

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
    "resolution_min",
)

BUSY_COLUMNS: tuple[str, ...] = ("unit_id", "role", "station", "incident_id", "t_start", "t_end")


@dataclass(frozen=True)
class ReplicationRecords:
    """The incident and busy-interval tables of one replication."""

    incidents: pd.DataFrame
    busy: pd.DataFrame


def build_records(model: Model) -> ReplicationRecords:
    """Turn the model's record arrays into tables (measured incidents only)."""
    return ReplicationRecords(incidents=_incident_table(model), busy=_busy_table(model))


def _incident_table(model: Model) -> pd.DataFrame:
    stream = model.incidents
    keep = model.t_arrival >= model.warmup_min
    type_names = list(model.scenario.incident_types)
    priorities = np.array([t.priority for t in model.scenario.incident_types.values()])
    t_arrival = model.t_arrival
    table = pd.DataFrame(
        {
            "incident_id": np.arange(len(stream), dtype=np.int64),
            "kind": pd.Categorical.from_codes(stream.type_index, categories=type_names),
            "priority": priorities[stream.type_index].astype(np.int16),
            "x_km": stream.x_km,
            "y_km": stream.y_km,
            "station": pd.Categorical.from_codes(model.station_of, categories=model.station_names),
            "team": pd.Categorical(model.team_of),
            "n_stations": model.n_stations_of.astype(np.int16),
            "t_arrival": t_arrival,
            "t_dispatch": model.t_dispatch,
            "t_first_on_scene": model.t_first_on_scene,
            "t_team_on_scene": model.t_team_on_scene,
            "t_resolved": model.t_resolved,
            "wait_min": model.t_dispatch - t_arrival,
            "travel_min": model.t_first_on_scene - model.t_dispatch,
            "assembly_min": model.t_team_on_scene - model.t_first_on_scene,
            "handling_min": model.t_resolved - model.t_team_on_scene,
            "response_min": model.t_first_on_scene - t_arrival,
            "resolution_min": model.t_resolved - t_arrival,
        },
        columns=list(INCIDENT_COLUMNS),
    )
    return table[keep].reset_index(drop=True)


def _busy_table(model: Model) -> pd.DataFrame:
    rows = np.array(model.busy, dtype=float).reshape(-1, 4)
    unit_ids = rows[:, 0].astype(np.int64)
    role_names = list(model.scenario.roles)
    role_code = np.array([role_names.index(u.role) for u in model.units], dtype=np.int64)
    station_code = np.array([u.station for u in model.units], dtype=np.int64)
    return pd.DataFrame(
        {
            "unit_id": unit_ids,
            "role": pd.Categorical.from_codes(role_code[unit_ids], categories=role_names),
            "station": pd.Categorical.from_codes(
                station_code[unit_ids], categories=model.station_names
            ),
            "incident_id": rows[:, 1].astype(np.int64),
            "t_start": rows[:, 2],
            "t_end": rows[:, 3],
        },
        columns=list(BUSY_COLUMNS),
    )
