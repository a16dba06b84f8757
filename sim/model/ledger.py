"""The incident ledger: per-incident columns filled in as the simulation runs.

It starts with the pre-drawn candidate incidents and grows when repeat calls add new ones
(ids after the candidates, in the order they arrive). Columns are compact typed arrays
(`array.array`: 8 bytes a value, like numpy) that the model reads and writes one value at a
time as plain Python numbers, several times faster than numpy's scalar indexing; `column`
gives a column as a numpy array for the records module, which builds the incident table.
"""

from __future__ import annotations

from array import array

import numpy as np

from sim.model.incidents import IncidentStream

FLOAT_COLUMNS = (
    "t_arrival",
    "x_km",
    "y_km",
    "handling_min",
    "t_dispatch",
    "t_first_on_scene",
    "t_team_on_scene",
    "t_resolved",
    "settled",  # 1 settled at its root, 0 not, NaN when the type has no root cause
)
INT_COLUMNS = ("type_index", "station_of", "n_stations_of", "original_id", "generation")
DRAWN_COLUMNS = {  # column -> the incident stream's attribute it starts from
    "t_arrival": "t_arrival_min",
    "x_km": "x_km",
    "y_km": "y_km",
    "handling_min": "handling_min",
    "type_index": "type_index",
}


class IncidentLedger:
    """Columns indexed by incident id; `size` incidents exist so far."""

    # FLOAT_COLUMNS ("d") and INT_COLUMNS ("q"), set in __init__ from those tuples
    t_arrival: array[float]
    x_km: array[float]
    y_km: array[float]
    handling_min: array[float]
    t_dispatch: array[float]
    t_first_on_scene: array[float]
    t_team_on_scene: array[float]
    t_resolved: array[float]
    settled: array[float]
    type_index: array[int]
    station_of: array[int]
    n_stations_of: array[int]
    original_id: array[int]
    generation: array[int]

    def __init__(self, stream: IncidentStream) -> None:
        n = len(stream)
        self.size = n
        self.n_candidates = n
        for name in FLOAT_COLUMNS:
            setattr(self, name, array("d", [np.nan]) * n)
        for name in INT_COLUMNS:
            setattr(self, name, array("q", [0]) * n)
        for name, drawn in DRAWN_COLUMNS.items():
            setattr(self, name, _typed(getattr(stream, drawn), getattr(self, name).typecode))
        self.station_of = array("q", [-1]) * n
        self.original_id = _typed(np.arange(n), "q")
        self.team_of: list[str] = [""] * n
        self.roles_seen: list[int] = [0] * n  # bit mask of the roles of all its teams

    def add_repeat(
        self, original_id: int, generation: int, t_min: float, handling_min: float
    ) -> int:
        """A repeat call about the same matter: same place and type; returns its id."""
        new_id = self.size
        self.size += 1
        for name in FLOAT_COLUMNS:
            getattr(self, name).append(np.nan)
        for name in INT_COLUMNS:
            getattr(self, name).append(0)
        for name in ("x_km", "y_km", "type_index"):
            getattr(self, name)[new_id] = getattr(self, name)[original_id]
        self.t_arrival[new_id] = t_min
        self.handling_min[new_id] = handling_min
        self.original_id[new_id] = original_id
        self.generation[new_id] = generation
        self.station_of[new_id] = -1
        self.team_of.append("")
        self.roles_seen.append(0)
        return new_id

    def column(self, name: str) -> np.ndarray:
        """A column as a numpy array (a copy: the ledger may still grow)."""
        column = getattr(self, name)
        dtype = np.float64 if column.typecode == "d" else np.int64
        return np.frombuffer(column, dtype=dtype).copy()


def _typed(values: np.ndarray, typecode: str) -> array:
    """A numpy column as a typed array of `typecode` ("d": float64, "q": int64)."""
    dtype = np.float64 if typecode == "d" else np.int64
    return array(typecode, np.ascontiguousarray(values, dtype=dtype).tobytes())
