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
def test_every_picture_of_the_html_report_loads_in_a_headless_browser(run_dir, tmp_path):
    assert run_cli("report", str(run_dir), "--out", str(tmp_path)).returncode == 0
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
    shot = ARTIFACTS / "report_screenshot.png"
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
