"""The report of a result directory: pictures and tables of a run, a comparison or a sweep.

`write_report` (the command `jointduty report PATH`, `sim.cli.report`) takes the loaded result
directory (`sim.report.data` tells its kind by the files present) and
writes, into PATH (or `--out DIR`), each file atomically:

- `report.md` with the pictures as PNG files beside it,
- `report.html`, one self-contained page (pictures embedded, no network needed),
- the pictures: `district_map.png` (runs and comparisons: `sim.report.maps`),
  `resolution_cdf.png`, `service_vs_staffing.png` (sweeps),
  `cost_vs_service.png` (two or more configurations), `utilisation.png`,
  `demand_vs_staff.png`.

The tables give every KPI with its 95 % CI, and for comparisons the paired differences to
the first scenario with Holm-adjusted p-values.
"""

from __future__ import annotations

import io
from pathlib import Path

from matplotlib.figure import Figure

from sim.analysis.labels import UTILISATION_DEFINITION, currency
from sim.report import maps, plots, plots_sweep
from sim.report.data import ReportData
from sim.report.html import Picture, Section, Table, to_html, to_markdown
from sim.report.tables import comparison_tables, kpi_table, staff_table, sweep_table
from sim.results.files import write_atomic
from sim.results.jobstatus import short_key

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
    money = currency(data.variants[0].job.scenario)
    jobs = plots_sweep.sweep_jobs(data) if data.kind == "sweep" else None
    if jobs is not None:
        add(
            "service_vs_staffing.png",
            plots_sweep.service_against_staffing(jobs),
            "Service against staffing",
            "90th percentile time to settlement of a matter and response time (minutes) "
            "against staff on duty; "
            "each number is a job (the key and the table 'Jobs of the sweep' give its swept "
            "values), bars are 95 % confidence intervals: look for the cheapest point whose "
            "bar sits below your target.",
            [],
        )
    cdf = plots.resolution_cdf(data.variants)
    add(
        "resolution_cdf.png",
        cdf and cdf[0],
        "Time to settlement",
        "Share of matters settled within a given time, from the first call (minutes, log "
        "scale; all calls, referrals and follow-ups included; matters still open count as not "
        "settled); the dashed line marks 24 hours and the legend each point's share settled "
        "the same day: the line further up and left settles sooner."
        + (f" {cdf[1]}" if cdf and cdf[1] else ""),
        [],
    )
    add(
        "cost_vs_service.png",
        plots.cost_and_service(data.variants),
        "Cost against service",
        f"Staff cost per day ({money}) against the 90th percentile response time (minutes) and "
        "the same-day share (%), 95 % CI bars; numbers are the configurations of the key. The "
        "red line joins those no other beats on both cost and service (Pareto front): pick "
        "along it.",
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
        f"Utilisation = {UTILISATION_DEFINITION}, the definition of the utilisation KPIs in "
        "the tables (travel, handling and driving back count as busy); 'no staff' where a "
        "station has none of that role: dark cells are staff with little slack.",
        [],
    )
    demand = plots.demand_and_staff(data.variants)
    add(
        "demand_vs_staff.png",
        demand and demand[0],
        "Demand and staff by hour of day",
        "Mean calls per hour of the day (top) against the staff on duty by role (bottom, "
        "stacked, averaged over the week): look for hours where calls peak and staff dip."
        + (f" {demand[1]}" if demand and demand[1] else ""),
        [],
    )
    sections.append(_kpi_section(data))
    if jobs is not None:
        sections.append(
            Section("Jobs of the sweep", [], [Table("KPIs per job", sweep_table(jobs, money))])
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
    else:
        figure, note = maps.variant_map(first.job.scenario, first.incidents, first.matters)
        which = f"Job 1 of the sweep ({first.shown}): " if data.kind == "sweep" else ""
        caption = which + (
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
        notes.append(f"{len(data.variants)} completed jobs.")
        excluded = data.excluded if data.excluded is not None else None
        if excluded is not None and len(excluded):
            notes.append(
                f"{len(excluded)} job(s) left out of every picture and table: they did not "
                "complete, or their files are damaged (listed below with the reason)."
            )
            return Section("Key figures", notes, [Table("Jobs left out", excluded)])
        return Section("Key figures", [*notes, "No job was left out."], [])
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
    seed_swept = any(short_key(k) == "seed" for k in data.swept)
    seed = "seeds as swept" if seed_swept else f"seed {run.seed}"
    swept = [_swept_line(data.swept)] if data.swept else []
    return [
        f"Source: {data.path}. {len(data.variants)} configuration(s); "
        f"{run.horizon_days:g} measured days per replication after "
        f"{data.variants[0].warmup_days:g} days of warm-up, {seed}.",
        *swept,
        "Every number is a mean over replications with its 95 % confidence interval "
        "(Student t, the replication being the unit of observation).",
        *([data.note] if data.note else []),
    ]


def _swept_line(swept: dict[str, list[object]]) -> str:
    """`Swept: fcjd.police (stations.future_city_joint_duty.staff.police.count) = 2, 3.`"""
    parts = [
        f"{short_key(key)} ({key.lstrip('+~')}) = " + ", ".join(map(str, values))
        for key, values in swept.items()
    ]
    return "Swept: " + "; ".join(parts) + "."


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
