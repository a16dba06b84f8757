"""`jointduty report`: run, comparison and sweep directories; every picture loads in a browser."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.labels import kpi_label
from sim.config.schema import ConfigError
from sim.experiment.replications import run_experiment
from sim.report.data import detect_kind, load, load_run
from sim.report.plots import pareto_front, utilisation_table
from sim.results.tables import write_results
from sim.sweep.compose import compose_job
from tests.planner.support import mmc_job

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "results" / "test_artifacts"
SMALL = ["run.replications=2", "run.horizon_days=2", "run.warmup_days=0.5"]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=REPO, timeout=600
    )


def make_run_dir(path: Path, overrides: list[str]) -> Path:
    job = compose_job([*overrides, *SMALL])
    write_results(run_experiment(job), job, path)
    return path


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    return make_run_dir(tmp_path_factory.mktemp("run"), ["scenario=future_city_2021"])


@pytest.fixture(scope="module")
def comparison_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("comparison")
    result = run_cli("compare", "taozhu_2019", "future_city_2021", *SMALL, "--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sweep")
    result = run_cli(
        "run",
        "-m",
        "scenario=taozhu_2019",
        "placement.kind=police_station",
        "placement.n_stations=1,2",
        "++placement.staff.police=3,5",
        *SMALL,
        f"hydra.sweep.dir={root}",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (root / "sweep.parquet").is_file() and (root / "sweep.csv").is_file()
    return root


def img_sources(page: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', page)


@pytest.mark.slow


def test_report_of_a_run_writes_markdown_self_contained_html_and_the_pictures(run_dir, tmp_path):
    result = run_cli("report", str(run_dir), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for name in ("report.md", "report.html", "resolution_cdf.png", "utilisation.png"):
        assert (tmp_path / name).is_file(), name
    assert (tmp_path / "demand_vs_staff.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (tmp_path / "report.html").read_text()
    sources = img_sources(page)
    assert len(sources) == len(list(tmp_path.glob("*.png")))
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert not re.search(r"(src|href)=\"(https?:|//)", page)  # nothing to fetch
    markdown = (tmp_path / "report.md").read_text()
    assert "![" in markdown and "resolution_cdf.png" in markdown
    assert "Response time, 90th percentile (minutes)" in markdown  # plain words with units


def test_report_finds_the_kind_of_directory_by_its_files(run_dir, tmp_path):
    assert detect_kind(run_dir) == "run"
    with pytest.raises(ConfigError, match="not a run, comparison or sweep"):
        detect_kind(tmp_path)
    result = run_cli("report", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert result.stderr.strip().startswith("jointduty: config error: PATH")


def test_utilisation_by_station_equals_the_utilisation_kpi_without_overtime(tmp_path):
    job = mmc_job(servers=4, replications=3, horizon_days=2.0)
    write_results(run_experiment(job), job, tmp_path)
    variant = load_run(tmp_path)
    table = utilisation_table([variant])
    kpi = variant.kpi("utilisation_police")[0]  # equal on-duty time in every replication
    assert table.loc["station", "police"] == pytest.approx(kpi, rel=1e-9)


def test_pareto_front_keeps_only_configurations_nothing_beats_on_cost_and_service():
    cost = np.array([10.0, 20.0, 30.0, 25.0, 10.0])
    response = np.array([15.0, 12.0, 9.0, 13.0, 16.0])
    assert sorted(pareto_front(cost, response, lower_better=True)) == [0, 1, 2]
    share = np.array([0.5, 0.7, 0.9, 0.6, 0.4])
    assert sorted(pareto_front(cost, share, lower_better=False)) == [0, 1, 2]


def test_kpi_labels_say_what_and_in_which_unit():
    assert kpi_label("response_min_p90_prio1") == (
        "Response time, 90th percentile, priority 1 (minutes)"
    )
    assert kpi_label("utilisation_grid_worker").startswith("Utilisation of grid worker")
    assert kpi_label("overtime_min_police") == "Overtime of police (minutes per day)"


@pytest.mark.slow
def test_report_of_a_comparison_gives_paired_differences_and_every_scenario(
    comparison_dir, tmp_path
):
    result = run_cli("report", str(comparison_dir), "--out", str(tmp_path), "--max-rerun", "2")
    assert result.returncode == 0, result.stderr
    markdown = (tmp_path / "report.md").read_text()
    assert "Paired differences to the first scenario" in markdown
    assert "difference to taozhu_2019" in markdown
    assert (tmp_path / "cost_vs_service.png").is_file()
    data = load(comparison_dir, max_rerun=2)
    assert [v.name for v in data.variants] == ["taozhu_2019", "future_city_2021"]
    assert data.variants[0].incidents["replication"].nunique() == 2


@pytest.mark.slow
def test_report_of_a_sweep_draws_service_against_staffing_per_station_count(sweep_dir, tmp_path):
    from sim.report.plots_sweep import sweep_jobs

    data = load(sweep_dir)
    jobs = sweep_jobs(data).sort_values(["n_stations", "staff_hours_per_day"])
    # every placed station has `police` officers around the clock; the agencies' offices stay:
    # 2 grid workers 10 h every day, 4 agency staff 8.5 h on 5 days of 7
    offices = 2 * 10 + 4 * 8.5 * 5 / 7
    expected = [h + offices for h in (1 * 3 * 24, 1 * 5 * 24, 2 * 3 * 24, 2 * 5 * 24)]
    assert jobs["staff_hours_per_day"].tolist() == pytest.approx(expected)
    assert sorted(jobs["line"].unique()) == ["1 station", "2 stations"]
    result = run_cli("report", str(sweep_dir), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "service_vs_staffing.png").is_file()


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(chromium() is None, reason="headless Chromium is not installed")
@pytest.mark.parametrize("kind", ["run_dir", "comparison_dir"])
def test_every_picture_of_the_html_report_loads_in_a_headless_browser(kind, request, tmp_path):
    source = request.getfixturevalue(kind)
    result = run_cli("report", str(source), "--out", str(tmp_path), "--max-rerun", "2")
    assert result.returncode == 0, result.stderr
    page = tmp_path / "report.html"
    n_images = len(img_sources(page.read_text()))
    assert n_images >= 3
    browser = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(
        [*browser, "--virtual-time-budget=10000", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    loaded = re.search(r'data-images-loaded="(\d+)/(\d+)"', dom.stdout)
    assert loaded is not None, dom.stderr[-2000:]
    assert loaded.groups() == (str(n_images), str(n_images))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"report_screenshot_{kind.removesuffix('_dir')}.png"
    subprocess.run(
        [*browser, "--window-size=1280,2400", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_broken_picture_is_counted_as_not_loaded(tmp_path):
    """The load check can fail: a page with one undecodable image reports 1/2."""
    if chromium() is None:
        pytest.skip("headless Chromium is not installed")
    from sim.report.html import Picture, Section, to_html

    png = (REPO / "tests" / "planner" / "support.py").read_bytes()  # not a PNG
    good = _tiny_png()
    sections = [Section("s", [], [], [Picture("a.png", "a"), Picture("b.png", "b")])]
    page = tmp_path / "page.html"
    page.write_text(to_html("t", [], sections, {"a.png": good, "b.png": png}))
    browser = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(
        [*browser, "--virtual-time-budget=10000", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert 'data-images-loaded="1/2"' in dom.stdout


def _tiny_png() -> bytes:
    import io

    from matplotlib.figure import Figure

    buffer = io.BytesIO()
    Figure(figsize=(1, 1)).savefig(buffer, format="png")
    return buffer.getvalue()


def test_kpi_table_of_a_run_lists_every_kpi_with_its_ci(run_dir):
    from sim.report.tables import kpi_table

    variant = load_run(run_dir)
    table = kpi_table(variant)
    assert list(table["name"]) == list(pd.read_csv(run_dir / "summary.csv")["metric"])
    row = table[table["name"] == "response_min_p90"].iloc[0]
    mean, low, high = variant.kpi("response_min_p90")
    assert row["mean [95% CI]"].startswith(f"{mean:.1f} [{low:.1f}, {high:.1f}]"[:4])


# --- the pictures themselves: titles, units, captions, nothing cut ----------------------------

ELLIPSES = ("…", "...")


def figure_problems(name: str, figure) -> list[str]:  # type: ignore[no-untyped-def]
    """What a planner could not read in a figure: a plot without a title or axis labels, a
    numeric axis or colour bar without a unit, a drawn text outside the figure or cut short."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    canvas = FigureCanvasAgg(figure)  # what savefig draws with
    canvas.draw()
    renderer = canvas.get_renderer()
    box = figure.bbox
    problems = []
    for axes in figure.axes:
        if not axes.axison:
            continue
        is_colorbar = axes.get_label() == "<colorbar>"
        labels = [axes.get_xlabel(), axes.get_ylabel()]
        if is_colorbar:
            labels = [" ".join(label for label in labels if label)]
        elif not axes.get_title():
            problems.append(f"{name}: a plot without a title")
        for label in labels:
            categorical = bool(axes.images) and label in ("Role", "Station", "Job")
            if not label or ("(" not in label and not categorical):
                problems.append(f"{name}: axis label {label!r} names no unit")
    for text in figure.findobj(Text):
        content = text.get_text().strip()
        if not text.get_visible() or not content or id(text) in _undrawn_tick_labels(figure):
            continue
        extent = text.get_window_extent(renderer)
        inside = (
            extent.x0 >= box.x0 - 1
            and extent.y0 >= box.y0 - 1
            and extent.x1 <= box.x1 + 1
            and extent.y1 <= box.y1 + 1
        )
        if not inside:
            problems.append(f"{name}: {content[:40]!r} is drawn outside the picture")
        if any(line.rstrip().endswith(ELLIPSES) for line in content.splitlines()):
            problems.append(f"{name}: {content[:40]!r} is cut short")
    return problems


def _undrawn_tick_labels(figure) -> set[int]:  # type: ignore[no-untyped-def]
    """Tick labels matplotlib keeps but does not draw: ticks outside the axis's view."""
    undrawn = set()
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                margin = 1e-9 * (abs(high - low) + 1.0)
                if not low - margin <= tick.get_loc() <= high + margin:
                    undrawn |= {id(tick.label1), id(tick.label2)}
    return undrawn


def picture_problems(data) -> list[str]:  # type: ignore[no-untyped-def]
    from sim.report.build import build

    figures, sections = build(data)
    captions = {p.file: p.caption for s in sections for p in s.pictures}
    problems = [f"{n}: no caption" for n in figures if not captions.get(n, "").strip()]
    for name, figure in figures.items():
        problems += figure_problems(name, figure)
    return problems


@pytest.mark.slow


def test_every_picture_of_a_run_has_a_title_units_a_caption_and_no_cut_label(run_dir):
    assert picture_problems(load(run_dir)) == []


@pytest.mark.slow


def test_every_picture_of_a_comparison_has_a_title_units_a_caption_and_no_cut_label(
    comparison_dir,
):
    data = load(comparison_dir, max_rerun=2)
    assert picture_problems(data) == []


def test_the_picture_check_finds_a_missing_unit_and_a_label_outside_the_picture():
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3, 2))
    axes = figure.add_subplot()
    axes.plot([0, 1], [0, 1])
    axes.set_title("t")
    axes.set_xlabel("Staff cost per day")
    axes.set_ylabel("Response time (minutes)")
    axes.annotate("far away", (0, 0), xytext=(400, 0), textcoords="offset points")
    problems = figure_problems("f", figure)
    assert any("names no unit" in p for p in problems)
    assert any("outside the picture" in p for p in problems)


def test_the_comparison_report_shows_the_map_before_and_after_in_minutes(comparison_dir):
    from sim.report.build import build

    figures, sections = build(load(comparison_dir, max_rerun=2))
    titles = [a.get_title() for a in figures["district_map.png"].axes]
    assert any(t.startswith("Before (taozhu_2019)") for t in titles)
    assert any(t.startswith("After (future_city_2021)") for t in titles)
    assert any(t.startswith("Difference, after - before") for t in titles)
    bars = [a.get_ylabel() for a in figures["district_map.png"].axes]
    assert "Median response time (minutes)" in bars
    assert sections[0].title == "District map"


@pytest.fixture(scope="module")
def staffing_sweep_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("staffing_sweep")
    result = run_cli(
        "run",
        "-m",
        "scenario=future_city_2021",
        "stations.future_city_joint_duty.staff.grid_worker.count=1,2,3,4,5",
        "stations.future_city_joint_duty.staff.police.count=2,3",
        "run.replications=2",
        "run.horizon_days=1",
        "run.warmup_days=0.25",
        f"hydra.sweep.dir={root}",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return root


@pytest.mark.slow


def test_every_point_of_a_ten_point_staffing_sweep_can_be_matched_to_its_staffing(
    staffing_sweep_dir,
):
    import json

    from sim.report.build import build

    data = load(staffing_sweep_dir)
    assert len(data.variants) == 10
    figures, sections = build(data)
    # the staffing each point stands for, read from the job's own status.json
    staffing = {}
    for number, variant in enumerate(data.variants, start=1):
        record = json.loads((staffing_sweep_dir / variant.name / "status.json").read_text())
        counts = {
            o.split(".")[-2]: o.rpartition("=")[2] for o in record["overrides"] if ".count=" in o
        }
        staffing[str(number)] = (
            f"fcjd.grid_worker={counts['grid_worker']}, fcjd.police={counts['police']}"
        )
    for name in ("service_vs_staffing.png", "cost_vs_service.png"):
        figure = figures[name]
        key = {}
        for text in figure.findobj(lambda a: hasattr(a, "get_text")):
            for line in text.get_text().splitlines():
                match = re.fullmatch(r"\s*(\d+)\s{2}(.+)", line)
                if match:
                    key[match.group(1)] = match.group(2)
        assert key == staffing, name  # the key gives every point's staffing
        for axes in figure.axes:
            if axes.lines or axes.collections:
                numbers = sorted(t.get_text() for t in axes.texts if t.get_text().isdigit())
                assert numbers == sorted(staffing), f"{name}: {axes.get_title()}"
    heat = figures["utilisation.png"].axes[0]
    rows = [t.get_text() for t in heat.get_yticklabels()]
    assert rows == [f"{n}: {s}" for n, s in staffing.items()]
    captions = {p.file: p.caption for s in sections for p in s.pictures}
    assert "6 of 10 configurations shown" in captions["resolution_cdf.png"]
    assert "4 of 10 configurations shown" in captions["demand_vs_staff.png"]
    assert picture_problems(data) == []


@pytest.mark.slow


def test_report_of_a_sweep_lists_the_jobs_left_out_and_names_what_was_swept(
    staffing_sweep_dir, tmp_path
):
    import shutil as sh

    copy = tmp_path / "sweep"
    sh.copytree(staffing_sweep_dir, copy)
    jobs = sorted(p for p in copy.iterdir() if (p / "status.json").is_file())
    (jobs[0] / "status.json").unlink()  # died: incomplete
    (jobs[1] / "summary.csv").write_text("metric,mean\n")  # damaged after it completed
    collected = run_cli("collect", str(copy))  # exit 1: it names the damaged job
    assert jobs[1].name in collected.stderr
    result = run_cli("report", str(copy), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "Jobs left out" in markdown
    assert f"| {jobs[0].name} | incomplete |" in markdown
    assert f"| {jobs[1].name} | damaged | summary.csv" in markdown
    assert "Swept: fcjd.grid_worker (stations.future_city_joint_duty.staff.grid_worker.count)" in (
        markdown
    )
    assert "8 completed jobs" in markdown
