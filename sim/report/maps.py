"""District maps: where the stations are, where calls come from, and where service is slow.

A map is drawn on the scenario's rectangle (km). Stations are marked by kind and labelled with
their staff (peak units on duty by role); hotspots are crosses. Call density is a hexbin of
the incidents' places (`x_km`, `y_km`) when a run exists, else of the scenario's demand
surface (uniform background plus Gaussian hotspots, the model's own mixture). The slow places
are hexbins of the median response time and the median time to settlement per cell, in
minutes (cells with fewer than `MIN_CALLS_PER_CELL` values are left blank).

Settlement comes from a run's matters table (`matters.parquet`) when it has one; else it is
read from the calls, chaining repeat calls to their first call (`original_id`), and the
caption says so (`settlement_source`). A province (hundreds of stations in named districts)
is drawn as districts instead: each point of the region belongs to its nearest station's
district, and each district gets one colour for its KPI (`province_map`).

- `scenario_map`: one panel, stations, hotspots and call density, and, if given, the routes the
  staff walk between calls (`sim.model.staff.seat_routes`: beat routes, grid blocks, posts).
- `run_map`: call density, median response and median settlement of one run.
- `comparison_map`: before, after (one colour scale per row) and their difference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from scipy.spatial import cKDTree

from sim.analysis.labels import words
from sim.config.rosters import max_on_duty
from sim.config.scenario import ScenarioConfig
from sim.experiment.province import districts_from_names
from sim.model.staff import SeatRoute

KINDS = {  # kind -> marker, colour
    "police_station": ("s", "#1f3a93"),
    "police_room": ("^", "#2e86de"),
    "joint_duty": ("*", "#e67e22"),
}
GRID_X = 14  # hexagons across the region
MIN_CALLS_PER_CELL = 3
MAX_LABELLED_STATIONS = 12
MIN_PER_DAY = 1440.0
SURFACE_POINTS = 120  # per side, for the demand surface
ROUTE_COLOURS = ("#16a085", "#8e44ad", "#c0392b", "#2c3e50", "#d35400")  # by role, in order


def is_province(scenario: ScenarioConfig) -> bool:
    """Too many stations to label, grouped into districts by their names."""
    return len(scenario.stations) > MAX_LABELLED_STATIONS and bool(districts_from_names(scenario))


def staff_text(staff: dict[str, object], per_line: int = 3) -> str:
    """`police 5, grid worker 2`: peak units on duty by role, `per_line` roles a line."""
    parts = [f"{words(role)} {max_on_duty(entry)}" for role, entry in staff.items()]  # type: ignore[arg-type]
    return "\n".join(", ".join(parts[i : i + per_line]) for i in range(0, len(parts), per_line))


def _gridsize(scenario: ScenarioConfig) -> tuple[int, int]:
    region = scenario.region
    ny = max(1, round(GRID_X * region.height_km / region.width_km / np.sqrt(3)))
    return GRID_X, ny


def _cell_area_km2(scenario: ScenarioConfig) -> float:
    nx, ny = _gridsize(scenario)
    return (scenario.region.width_km / nx) * (scenario.region.height_km / ny) / 2.0


def _extent(scenario: ScenarioConfig) -> tuple[float, float, float, float]:
    return (0.0, scenario.region.width_km, 0.0, scenario.region.height_km)


def demand_surface(scenario: ScenarioConfig, n: int = SURFACE_POINTS) -> pd.DataFrame:
    """Expected calls per day per km² on an n x n grid of the region (before deterrence)."""
    region = scenario.region
    xs = (np.arange(n) + 0.5) * region.width_km / n
    ys = (np.arange(n) + 0.5) * region.height_km / n
    x, y = (a.ravel() for a in np.meshgrid(xs, ys))
    weights = [region.background_weight, *(h.weight for h in region.hotspots.values())]
    density = np.full(x.shape, region.background_weight / (region.width_km * region.height_km))
    for h in region.hotspots.values():
        r2 = ((x - h.x_km) ** 2 + (y - h.y_km) ** 2) / h.spread_km**2
        density += h.weight * np.exp(-0.5 * r2) / (2 * np.pi * h.spread_km**2)
    per_km2 = density / sum(weights) * scenario.demand.per_day
    return pd.DataFrame({"x_km": x, "y_km": y, "calls_per_day_km2": per_km2})


def draw_district(axes: Axes, scenario: ScenarioConfig, *, labels: bool = True) -> None:
    """The region's outline, hotspots (crosses) and stations by kind, labelled with staff."""
    region = scenario.region
    axes.add_patch(
        Rectangle((0, 0), region.width_km, region.height_km, fill=False, edgecolor="#555", lw=1)
    )
    for name, hotspot in region.hotspots.items():
        axes.plot(hotspot.x_km, hotspot.y_km, "x", color="#c0392b", ms=7, mew=2)
        if labels:
            axes.annotate(
                words(name),
                (hotspot.x_km, hotspot.y_km),
                xytext=(4, -10),
                textcoords="offset points",
                fontsize=6.5,
                color="#c0392b",
            )
    many = len(scenario.stations) > MAX_LABELLED_STATIONS
    for kind, (marker, colour) in KINDS.items():
        mine = {n: s for n, s in scenario.stations.items() if s.kind == kind}
        if not mine:
            continue
        axes.scatter(
            [s.x_km for s in mine.values()],
            [s.y_km for s in mine.values()],
            marker=marker,
            s=12 if many else 140,
            c=colour,
            edgecolors="white",
            linewidths=0.8,
            zorder=4,
            label=words(kind),
        )
        if labels and not many:
            for name, station in mine.items():
                right = station.x_km > scenario.region.width_km / 2
                axes.annotate(
                    f"{words(name)}\n{staff_text(station.staff)}",
                    (station.x_km, station.y_km),
                    xytext=(-8 if right else 8, 8),
                    ha="right" if right else "left",
                    textcoords="offset points",
                    fontsize=6.5,
                    zorder=5,
                    annotation_clip=False,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "alpha": 0.8},
                )
    axes.plot([], [], "x", color="#c0392b", mew=2, label="hotspot")
    axes.set_xlim(0, region.width_km)
    axes.set_ylim(0, region.height_km)
    axes.set_aspect("equal")
    axes.set_xlabel("East (km)")
    axes.set_ylabel("North (km)")


def _density(
    axes: Axes,
    scenario: ScenarioConfig,
    incidents: pd.DataFrame | None,
    norm: Normalize | None = None,
):  # type: ignore[no-untyped-def]
    """Hexbin of calls per day per km²: from the incidents if any, else the demand surface."""
    common = {
        "gridsize": _gridsize(scenario),
        "extent": _extent(scenario),
        "cmap": "Blues",
        "norm": norm,
        "linewidths": 0.2,
    }
    if incidents is not None and len(incidents):
        n_days = _n_days(incidents, scenario)
        weight = np.full(len(incidents), 1.0 / (n_days * _cell_area_km2(scenario)))
        return axes.hexbin(
            incidents["x_km"], incidents["y_km"], C=weight, reduce_C_function=np.sum, **common
        )
    surface = demand_surface(scenario)
    return axes.hexbin(
        surface["x_km"],
        surface["y_km"],
        C=surface["calls_per_day_km2"],
        reduce_C_function=np.mean,
        **common,
    )


def _n_days(incidents: pd.DataFrame, scenario: ScenarioConfig) -> float:
    n_rep = incidents["replication"].nunique() if "replication" in incidents else 1
    span_days = (incidents["t_arrival"].max() - incidents["t_arrival"].min()) / MIN_PER_DAY
    return max(span_days, 1e-9) * max(n_rep, 1)


def settlement_points(
    incidents: pd.DataFrame, matters: pd.DataFrame | None
) -> tuple[pd.DataFrame, str]:
    """Place and time to settlement (minutes) per matter, and where it was read from.

    From `matters.parquet` (`settle_min`), a matter still open when the run stopped counts
    with the time it had been open (`t_censor - t_first_call`): a lower bound, so a cell's
    median is never flattered by leaving its slowest matters out."""
    wanted = {"x_km", "y_km", "settle_min", "t_censor", "t_first_call"}
    if matters is not None and wanted <= set(matters.columns):
        open_min = matters["t_censor"] - matters["t_first_call"]
        frame = pd.DataFrame({
            "x_km": matters["x_km"],
            "y_km": matters["y_km"],
            "settlement_min": matters["settle_min"].fillna(open_min),
        })  # fmt: skip
        return frame.dropna().reset_index(drop=True), "matters.parquet"
    keys = ["replication", "original_id"] if "replication" in incidents else ["original_id"]
    chains = incidents.sort_values("t_arrival").groupby(keys, observed=True)
    first = chains.first()
    settled = chains["t_resolved"].max() - first["t_arrival"]
    frame = pd.DataFrame({"x_km": first["x_km"], "y_km": first["y_km"], "settlement_min": settled})
    return frame.dropna().reset_index(drop=True), "calls"


SETTLEMENT_FROM_MATTERS = (
    "settlement from matters.parquet: a matter still open when the run stopped counts with the "
    "time it had been open, a lower bound."
)
SETTLEMENT_FROM_CALLS = (
    "no matters table in this run (matters.parquet absent): settlement is read from the calls, "
    "first call until the last repeat call linked to it (original_id) was resolved; matters "
    "still open at the end of the run are not censored."
)


def _median_hexbin(
    axes: Axes,
    scenario: ScenarioConfig,
    frame: pd.DataFrame,
    column: str,
    cmap: str = "YlOrRd",
):  # type: ignore[no-untyped-def]
    return axes.hexbin(
        frame["x_km"],
        frame["y_km"],
        C=frame[column],
        reduce_C_function=np.median,
        mincnt=MIN_CALLS_PER_CELL,
        gridsize=_gridsize(scenario),
        extent=_extent(scenario),
        cmap=cmap,
        linewidths=0.2,
    )


def _share_scale(*collections) -> None:  # type: ignore[no-untyped-def]
    """One colour scale, 0 to the largest cell value, for hexbins drawn on their own."""
    values = [np.asarray(c.get_array(), dtype=float) for c in collections]
    top = max((float(np.nanmax(v)) for v in values if v.size), default=1.0)
    norm = Normalize(0.0, top if np.isfinite(top) and top > 0 else 1.0)
    for collection in collections:
        collection.set_norm(norm)


def run_map(
    scenario: ScenarioConfig, incidents: pd.DataFrame, matters: pd.DataFrame | None = None
) -> tuple[Figure, str]:
    """Call density, median response and median settlement by cell; and the settlement note."""
    settlement, source = settlement_points(incidents, matters)
    figure = Figure(figsize=(17, 6.2), layout="constrained")
    panels = figure.subplots(1, 3)
    density = _density(panels[0], scenario, incidents)
    figure.colorbar(density, ax=panels[0], label="Call density (calls per day per km²)", shrink=0.8)
    panels[0].set_title("Where calls come from")
    response = _median_hexbin(panels[1], scenario, incidents, "response_min")
    _share_scale(response)
    figure.colorbar(response, ax=panels[1], label="Median response time (minutes)", shrink=0.8)
    panels[1].set_title("Median response time by cell")
    settled = _median_hexbin(panels[2], scenario, settlement, "settlement_min")
    _share_scale(settled)
    figure.colorbar(settled, ax=panels[2], label="Median time to settlement (minutes)", shrink=0.8)
    panels[2].set_title(
        "Median time to settlement by cell"
        + ("" if source == "matters.parquet" else " (from calls)")
    )
    for axes in panels:
        draw_district(axes, scenario, labels=axes is panels[0])
    panels[0].legend(fontsize=7, loc="lower right")
    figure.suptitle(f"{scenario.name}: stations, calls and the slow places")
    return figure, SETTLEMENT_FROM_MATTERS if source == "matters.parquet" else SETTLEMENT_FROM_CALLS


def comparison_map(
    before: tuple[ScenarioConfig, pd.DataFrame, pd.DataFrame | None],
    after: tuple[ScenarioConfig, pd.DataFrame, pd.DataFrame | None],
) -> tuple[Figure, str]:
    """Rows: calls, median response, median settlement; columns: before, after, after - before
    (one colour scale per row for before and after, a diverging one for the difference)."""
    (s0, i0, m0), (s1, i1, m1) = before, after
    set0, src0 = settlement_points(i0, m0)
    set1, src1 = settlement_points(i1, m1)
    figure = Figure(figsize=(16, 15), layout="constrained")
    grid = figure.subplots(3, 3)
    rows = [
        ("Call density (calls per day per km²)", None, None, "calls"),
        ("Median response time (minutes)", i0, i1, "response_min"),
        ("Median time to settlement (minutes)", set0, set1, "settlement_min"),
    ]
    for row, (label, f0, f1, column) in enumerate(rows):
        if f0 is None:
            c0, c1 = _density(grid[row, 0], s0, i0), _density(grid[row, 1], s1, i1)
        else:
            c0 = _median_hexbin(grid[row, 0], s0, f0, column)
            c1 = _median_hexbin(grid[row, 1], s1, f1, column)
        _share_scale(c0, c1)
        figure.colorbar(c1, ax=grid[row, :2], label=label, shrink=0.8)
        diff = _difference(grid[row, 2], s1, c0, c1)
        figure.colorbar(diff, ax=grid[row, 2], label=f"after - before: {label}", shrink=0.8)
        short = label.split(" (")[0]
        grid[row, 0].set_title(f"Before ({s0.name}):\n{short.lower()}")
        grid[row, 1].set_title(f"After ({s1.name}):\n{short.lower()}")
        grid[row, 2].set_title(f"Difference, after - before:\n{short.lower()} (blue: lower after)")
        for col, scenario in enumerate((s0, s1, s1)):
            draw_district(grid[row, col], scenario, labels=row == 0 and col < 2)
    for axes in grid[0, :2]:
        axes.legend(fontsize=7, loc="lower right")
    figure.suptitle(f"Before ({s0.name}) and after ({s1.name}), cell by cell")
    from_calls = "calls" in (src0, src1)
    return figure, SETTLEMENT_FROM_CALLS if from_calls else SETTLEMENT_FROM_MATTERS


def _difference(axes: Axes, scenario: ScenarioConfig, c0, c1):  # type: ignore[no-untyped-def]
    """Hexbin of after - before over the cells both drew (same grid, so same centres)."""

    def cells(collection) -> dict[tuple[float, float], float]:  # type: ignore[no-untyped-def]
        centres = np.round(np.asarray(collection.get_offsets()), 6)
        return {(x, y): float(v) for (x, y), v in zip(centres, collection.get_array(), strict=True)}

    first, second = cells(c0), cells(c1)
    common = sorted(set(first) & set(second))
    values = np.array([second[k] - first[k] for k in common])
    bound = float(np.nanmax(np.abs(values))) if len(values) else 1.0
    norm = TwoSlopeNorm(0.0, -max(bound, 1e-9), max(bound, 1e-9))
    xy = np.array(common).reshape(-1, 2)
    return axes.hexbin(
        xy[:, 0],
        xy[:, 1],
        C=values,
        reduce_C_function=np.mean,
        gridsize=_gridsize(scenario),
        extent=_extent(scenario),
        cmap="RdBu_r",
        norm=norm,
        linewidths=0.2,
    )


def scenario_map(scenario: ScenarioConfig, routes: list[SeatRoute] | None = None) -> Figure:
    """The district from its scenario alone: stations, hotspots, expected call density, and
    the routes its staff walk between calls if `routes` are given."""
    if is_province(scenario):
        return province_map(scenario)
    figure = Figure(figsize=(9, 8), layout="constrained")
    axes = figure.add_subplot()
    density = _density(axes, scenario, None)
    figure.colorbar(
        density, ax=axes, label="Expected call density (calls per day per km²)", shrink=0.8
    )
    if routes:
        draw_routes(axes, routes)
    draw_district(axes, scenario)
    axes.legend(fontsize=7, loc="lower right")
    title = f"{scenario.name}: stations (peak staff on duty), hotspots, where calls come from"
    if routes:
        title += "\nand the routes walked between calls (replication 0 of the run's seed)"
    axes.set_title(title)
    return figure


def draw_routes(axes: Axes, routes: list[SeatRoute]) -> None:
    """Each seat's route as a closed line through its stops (a post as a dot), one colour per
    role, labelled once per role and kind (e.g. `police patrol`)."""
    colours: dict[str, str] = {}
    labelled: set[tuple[str, str]] = set()
    for seat in routes:
        colour = colours.setdefault(seat.role, ROUTE_COLOURS[len(colours) % len(ROUTE_COLOURS)])
        key = (seat.role, seat.kind)
        label = f"{words(seat.role)} {words(seat.kind)}" if key not in labelled else None
        labelled.add(key)
        xs = [x for x, _ in seat.route.stops]
        ys = [y for _, y in seat.route.stops]
        if len(xs) == 1:
            axes.plot(xs, ys, "o", color=colour, ms=4, zorder=3, label=label)
        else:
            axes.plot(
                [*xs, xs[0]], [*ys, ys[0]], "-", color=colour, lw=0.7, alpha=0.6, zorder=3,
                label=label,
            )  # fmt: skip


def district_grid(
    scenario: ScenarioConfig, n: int = SURFACE_POINTS
) -> tuple[np.ndarray, list[str]]:
    """An n x n grid of the region, each point the index of its nearest station's district."""
    of_station = districts_from_names(scenario) or {}
    names = sorted(set(of_station.values()))
    places = np.array([(s.x_km, s.y_km) for s in scenario.stations.values()])
    surface = demand_surface(scenario, n)
    _, nearest = cKDTree(places).query(surface[["x_km", "y_km"]].to_numpy())
    district = np.array([names.index(of_station[s]) for s in scenario.stations])[nearest]
    return district.reshape(n, n), names


def province_map(
    scenario: ScenarioConfig, by_district: pd.Series | None = None, label: str = ""
) -> Figure:
    """Districts (each point to its nearest station's district), one colour per district's
    value: `by_district` (district name -> KPI), else expected calls per day."""
    n = SURFACE_POINTS
    grid, names = district_grid(scenario, n)
    if by_district is None:
        surface = demand_surface(scenario, n)["calls_per_day_km2"].to_numpy().reshape(n, n)
        cell_km2 = scenario.region.width_km * scenario.region.height_km / n**2
        values = np.bincount(grid.ravel(), weights=surface.ravel() * cell_km2, minlength=len(names))
        label = "Expected calls in the district (calls per day)"
    else:
        values = np.array([float(by_district.get(name, np.nan)) for name in names])
    figure = Figure(figsize=(10, 9), layout="constrained")
    axes = figure.add_subplot()
    image = axes.imshow(values[grid], origin="lower", extent=_extent(scenario), cmap="viridis")
    axes.contour(
        np.linspace(0, scenario.region.width_km, n),
        np.linspace(0, scenario.region.height_km, n),
        grid,
        levels=np.arange(len(names)) + 0.5,
        colors="white",
        linewidths=0.4,
    )
    figure.colorbar(image, ax=axes, label=label, shrink=0.8)
    draw_district(axes, scenario, labels=False)
    axes.legend(fontsize=7, loc="lower right")
    axes.set_title(f"{scenario.name}: {len(names)} districts, {len(scenario.stations)} stations")
    return figure


def district_medians(scenario: ScenarioConfig, incidents: pd.DataFrame) -> pd.Series:
    """Median response time (minutes) per district, from the station that served each call."""
    of_station = districts_from_names(scenario) or {}
    district = incidents["station"].astype(str).map(of_station)
    return incidents["response_min"].groupby(district).median()


def variant_map(
    scenario: ScenarioConfig, incidents: pd.DataFrame | None, matters: pd.DataFrame | None = None
) -> tuple[Figure, str]:
    """The map of one configuration: a province by district, else the run's three panels
    (or the scenario alone when there are no incidents)."""
    if is_province(scenario):
        if incidents is None or not len(incidents):
            return province_map(scenario), ""
        medians = district_medians(scenario, incidents)
        return province_map(scenario, medians, "Median response time in the district (minutes)"), ""
    if incidents is None or not len(incidents):
        return scenario_map(scenario), ""
    return run_map(scenario, incidents, matters)
