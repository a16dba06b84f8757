"""Areas for presence and prevention: square cells over the region, and their neighbours.

Cells of side `cell_km` are laid from the region's (0, 0) corner; the id of a cell is
row · n_cols + col. The last row and column may be narrower than a cell (their area is
smaller, so a presence-hour there is a larger dose per km²); a last strip narrower than 1 % of
a cell joins the cells before it instead of becoming a sliver. Neighbours are `queen` (the 8
cells around) or `rook` (the 4 sharing a side), in increasing id order, so a choice among them
by a uniform is deterministic.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from sim.config.prevention import AreaGridConfig

SLIVER_SHARE = 0.01  # a last row/column of cells narrower than this share of a cell joins its
# neighbour, so that no cell is a sliver with an absurd presence per km²


class GridAreas:
    """Square cells of `cell_km` over a `width_km` × `height_km` region; area id = row · n_cols
    + col, from the (0, 0) corner. The last row and column may be narrower (or, to avoid a
    sliver, up to 1 % wider) than a cell."""

    def __init__(
        self,
        width_km: float,
        height_km: float,
        cell_km: float,
        neighbourhood: Literal["queen", "rook"] = "queen",
    ) -> None:
        if not (width_km > 0 and height_km > 0 and cell_km > 0):
            raise ValueError(
                f"grid areas: width_km={width_km}, height_km={height_km}, cell_km={cell_km}: "
                "must all be > 0"
            )
        self.width_km, self.height_km, self.cell_km = width_km, height_km, cell_km
        self.n_cols = max(1, math.ceil(width_km / cell_km - SLIVER_SHARE))
        self.n_rows = max(1, math.ceil(height_km / cell_km - SLIVER_SHARE))
        self.n_areas = self.n_cols * self.n_rows
        steps = [(-1, 0), (0, -1), (0, 1), (1, 0)]
        if neighbourhood == "queen":
            steps += [(-1, -1), (-1, 1), (1, -1), (1, 1)]
        self._neighbours = [self._around(area, steps) for area in range(self.n_areas)]

    @classmethod
    def from_config(cls, config: AreaGridConfig, width_km: float, height_km: float) -> GridAreas:
        """The grid a scenario's `prevention.areas` lays over its region."""
        return cls(width_km, height_km, config.cell_km, config.neighbourhood)

    def area_of(self, x_km: float, y_km: float) -> int:
        """The cell holding a place (places on or beyond the border go to the border cell)."""
        col = min(max(int(x_km // self.cell_km), 0), self.n_cols - 1)
        row = min(max(int(y_km // self.cell_km), 0), self.n_rows - 1)
        return row * self.n_cols + col

    def areas_of(self, x_km: np.ndarray, y_km: np.ndarray) -> np.ndarray:
        """`area_of` for arrays of places (e.g. every candidate call at once)."""
        col = np.clip(np.floor_divide(x_km, self.cell_km), 0, self.n_cols - 1).astype(np.int64)
        row = np.clip(np.floor_divide(y_km, self.cell_km), 0, self.n_rows - 1).astype(np.int64)
        return row * self.n_cols + col

    def bounds_km(self, area: int) -> tuple[float, float, float, float]:
        """(x0, x1, y0, y1) of a cell."""
        row, col = divmod(area, self.n_cols)
        x0, y0 = col * self.cell_km, row * self.cell_km
        x1 = self.width_km if col == self.n_cols - 1 else x0 + self.cell_km
        y1 = self.height_km if row == self.n_rows - 1 else y0 + self.cell_km
        return x0, x1, y0, y1

    def area_km2(self, area: int) -> float:
        """A cell's area (smaller for a partial edge cell)."""
        x0, x1, y0, y1 = self.bounds_km(area)
        return (x1 - x0) * (y1 - y0)

    def neighbours(self, area: int) -> tuple[int, ...]:
        """The cells around a cell, in increasing id order."""
        return self._neighbours[area]

    def move(self, x_km: float, y_km: float, to_area: int) -> tuple[float, float]:
        """The place at the same relative position in cell `to_area` as (x_km, y_km) in its own."""
        fx0, fx1, fy0, fy1 = self.bounds_km(self.area_of(x_km, y_km))
        tx0, tx1, ty0, ty1 = self.bounds_km(to_area)
        fx = min(max((x_km - fx0) / (fx1 - fx0), 0.0), 1.0)
        fy = min(max((y_km - fy0) / (fy1 - fy0), 0.0), 1.0)
        x, y = tx0 + fx * (tx1 - tx0), ty0 + fy * (ty1 - ty0)
        if self.area_of(x, y) != to_area:  # on the far border, which belongs to the next cell
            x, y = (tx0 + tx1) / 2, (ty0 + ty1) / 2
        return x, y

    def _around(self, area: int, steps: list[tuple[int, int]]) -> tuple[int, ...]:
        row, col = divmod(area, self.n_cols)
        cells = [
            (row + dr) * self.n_cols + col + dc
            for dr, dc in steps
            if 0 <= row + dr < self.n_rows and 0 <= col + dc < self.n_cols
        ]
        return tuple(sorted(cells))
