"""The incident ledger: per-incident columns filled in as the simulation runs.

It starts with the pre-drawn candidate incidents and grows when repeat calls add new ones
(ids after the candidates, in the order they arrive). Numeric columns are numpy arrays that
grow by doubling; the records module turns the ledger into the incident table.
"""

from __future__ import annotations

import numpy as np

from sim.incidents import IncidentStream

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
INT_COLUMNS = ("type_index", "station_of", "n_stations_of", "original_id", "generation", "n_jobs")


class IncidentLedger:
    """Columns indexed by incident id; `size` incidents exist so far."""

    def __init__(self, stream: IncidentStream) -> None:
        n = len(stream)
        self.size = n
        self.n_candidates = n
        for name in FLOAT_COLUMNS:
            setattr(self, name, np.full(n, np.nan))
        for name in INT_COLUMNS:
            setattr(self, name, np.zeros(n, dtype=np.int64))
        self.t_arrival[:] = stream.t_arrival_min
        self.x_km[:] = stream.x_km
        self.y_km[:] = stream.y_km
        self.handling_min[:] = stream.handling_min
        self.type_index[:] = stream.type_index
        self.station_of[:] = -1
        self.original_id[:] = np.arange(n)
        self.team_of: list[str] = [""] * n
        self.roles_seen: list[int] = [0] * n  # bit mask of the roles of all its teams

    def add_repeat(
        self, original_id: int, generation: int, t_min: float, handling_min: float
    ) -> int:
        """A repeat call about the same matter: same place and type; returns its id."""
        new_id = self.size
        self._ensure(new_id + 1)
        self.size += 1
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

    def _ensure(self, size: int) -> None:
        capacity = len(self.t_arrival)
        if size <= capacity:
            return
        grown = max(size, 2 * capacity, 16)
        for name in FLOAT_COLUMNS + INT_COLUMNS:
            old = getattr(self, name)
            new = np.full(grown, np.nan) if old.dtype.kind == "f" else np.zeros(grown, old.dtype)
            new[:capacity] = old
            setattr(self, name, new)
