"""The report of a result directory: pictures and tables of a run, a comparison or a sweep.

`write_report` (the command `jointduty report PATH`, `sim.cli.report`) takes the loaded result
directory (`sim.report.data` tells its kind by the files present) and
writes, into PATH (or `--out DIR`), each file atomically:

- `report.md` with the pictures as PNG files beside it,
- `report.html`, one self-contained page (pictures embedded, no network needed),
- the pictures: `resolution_cdf.png`, `service_vs_staffing.png` (sweeps),
  `cost_vs_service.png` (two or more configurations), `utilisation.png`,
  `demand_vs_staff.png`.

The tables give every KPI with its 95 % CI, and for comparisons the paired differences to
the first scenario with Holm-adjusted p-values.
"""

from __future__ import annotations

import io
from pathlib import Path

from matplotlib.figure import Figure

from sim.report import maps, plots, plots_sweep
from sim.report.data import ReportData
from sim.report.html import Picture, Section, Table, to_html, to_markdown
from sim.report.tables import comparison_tables, kpi_table, staff_table, sweep_table
from sim.results.files import write_atomic

DPI = 110


def write_report(data: ReportData, out_dir: Path) -> list[Path]:
    """Draw the pictures, build the sections, write PNGs, report.md and report.html."""
    figures, sections = build(data)
    images: dict[str, bytes] = {}
    written = []
    for name, figure in figures.items():
        images[name] = _png(figure)
        write_atomic(out_dir / name, lambda tmp, png=images[name]: tmp.write_bytes(png))
        written.append(out_dir / name)
    title = _title(data)
    intro = _intro(data)
    markdown = to_markdown(title, intro, sections)
    page = to_html(title, intro, sections, images)
    write_atomic(out_dir / "report.md", lambda tmp: tmp.write_text(markdown, encoding="utf-8"))
    write_atomic(out_dir / "report.html", lambda tmp: tmp.write_text(page, encoding="utf-8"))
    return [*written, out_dir / "report.md", out_dir / "report.html"]


def build(data: ReportData) -> tuple[dict[str, Figure], list[Section]]:
    """The figures (file name -> Figure) and the sections that show them."""
    figures: dict[str, Figure] = {}
    sections: list[Section] = []

    def add(name: str, figure: Figure | None, title: str, caption: str, notes: list[str]) -> None:
        if figure is not None:
            figures[name] = figure
            sections.append(Section(title, notes, [], [Picture(name, caption)]))

    _add_map(data, add)
    jobs = plots_sweep.sweep_jobs(data) if data.kind == "sweep" else None
    if jobs is not None:
        add(
            "service_vs_staffing.png",
            plots_sweep.service_against_staffing(jobs),
            "Service against staffing",
            "90th percentile resolution and response time against staff on duty, one line per "
            "station count; bands are 95 % confidence intervals.",
            [],
        )
    add(
        "resolution_cdf.png",
        plots.resolution_cdf(data.variants),
        "Resolution time",
        "Share of incidents resolved within a given time (all follow-ups included); the "
        "dashed line marks 24 hours, the legend gives the share resolved the same calendar day.",
        [],
    )
    add(
        "cost_vs_service.png",
        plots.cost_and_service(data.variants),
        "Cost against service",
        "Staff cost per day against the 90th percentile response time and the same-day share; "
        "the red line joins the configurations no other beats on both cost and service "
        "(Pareto front).",
        [],
    )
    if data.kind == "sweep":
        table, title = plots_sweep.utilisation_by_job(data), "Utilisation by job and role"
    else:
        table, title = plots.utilisation_table(data.variants), "Utilisation by station and role"
    add(
        "utilisation.png",
        plots.utilisation_heatmap(table, title),
        "Staff utilisation",
        "Busy share of rostered time (travel, handling and driving back count as busy); "
        "'no staff' where a station has none of that role.",
        [],
    )
    add(
        "demand_vs_staff.png",
        plots.demand_and_staff(data.variants),
        "Demand and staff by hour of day",
        "Mean calls per hour of the day (top) against the staff on duty by role (bottom, "
        "stacked, averaged over the week).",
        [],
    )
    sections.append(_kpi_section(data))
    if jobs is not None:
        sections.append(
            Section("Jobs of the sweep", [], [Table("KPIs per job", sweep_table(jobs))])
        )
    return figures, sections


def _add_map(data: ReportData, add) -> None:  # type: ignore[no-untyped-def]
    """The district map: one run's, or a comparison's first and last side by side."""
    first, last = data.variants[0], data.variants[-1]
    compared = data.kind == "comparison" and len(data.variants) >= 2
    if (
        compared
        and first.incidents is not None
        and last.incidents is not None
        and not any(maps.is_province(v.job.scenario) for v in (first, last))
    ):
        figure, note = maps.comparison_map(
            (first.job.scenario, first.incidents, first.matters),
            (last.job.scenario, last.incidents, last.matters),
        )
        caption = (
            f"{first.name} (before) and {last.name} (after) cell by cell on one colour scale per "
            "row, and their difference (blue: lower after): look for the cells that turn blue "
            "near the new stations, and for red cells left behind. Times in minutes."
        )
    elif data.kind == "sweep":
        return
    else:
        figure, note = maps.variant_map(first.job.scenario, first.incidents, first.matters)
        caption = (
            "Stations by kind with their peak staff on duty, hotspots (crosses), where calls "
            "come from, and the median response and settlement time per cell in minutes: look "
            "for dark cells far from a station."
        )
    add("district_map.png", figure, "District map", caption, [note] if note else [])


def _kpi_section(data: ReportData) -> Section:
    notes: list[str] = []
    if data.kind == "comparison":
        side, diffs = comparison_tables(data)
        tables = [
            Table("KPIs per scenario (mean [95% CI])", side),
            Table("Paired differences to the first scenario (common random numbers)", diffs),
        ]
        return Section("Key figures", notes, tables)
    if data.kind == "sweep":
        return Section("Key figures", [*notes, f"{len(data.variants)} completed jobs."], [])
    variant = data.variants[0]
    tables = [
        Table("KPIs (mean [95% CI])", kpi_table(variant)),
        Table("Staff", staff_table(variant)),
    ]
    return Section("Key figures", notes, tables)


def _title(data: ReportData) -> str:
    names = ", ".join(dict.fromkeys(v.job.scenario.name for v in data.variants))
    return f"jointduty {data.kind} report: {names}"


def _intro(data: ReportData) -> list[str]:
    run = data.variants[0].job.run
    return [
        f"Source: {data.path}. {len(data.variants)} configuration(s); "
        f"{run.horizon_days:g} measured days per replication after "
        f"{data.variants[0].warmup_days:g} days of warm-up, seed {run.seed}.",
        "Every number is a mean over replications with its 95 % confidence interval "
        "(Student t, the replication being the unit of observation).",
        *([data.note] if data.note else []),
    ]


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
