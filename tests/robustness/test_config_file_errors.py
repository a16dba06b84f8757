"""Broken config files and bad Hydra settings: exit 2 with one line naming the file or key,
never a traceback, never a run folder left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.robustness.limits import REPO, assert_clean_refusal, run_cli

QUICK = ["run.replications=1", "run.horizon_days=0.1", "run.warmup_days=0"]
BROKEN_YAML = {
    "malformed": "a: [1, 2\nb: c\n",
    "python_tag": "a: !!python/object/apply:os.system ['echo pwned']\n",
    "tabs": "a:\n\t- 1\n",
    "binary": "\x00\x01\x02",
}


@pytest.mark.parametrize("kind", sorted(BROKEN_YAML))
def test_a_broken_primary_config_is_a_config_error_naming_the_file(
    kind: str, tmp_path: Path
) -> None:
    (tmp_path / "bad.yaml").write_text(BROKEN_YAML[kind])
    result = run_cli(["run", "-cp", str(tmp_path), "-cn", "bad", f"hydra.run.dir={tmp_path / 'o'}"])
    assert_clean_refusal(result, "bad.yaml")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("kind", sorted(BROKEN_YAML))
def test_a_broken_group_file_in_a_config_dir_is_a_config_error_naming_it(
    kind: str, tmp_path: Path
) -> None:
    (tmp_path / "dispatch").mkdir()
    (tmp_path / "dispatch" / "broken.yaml").write_text(BROKEN_YAML[kind])
    result = run_cli(
        ["run", "--config-dir", str(tmp_path), "dispatch=broken", *QUICK,
         f"hydra.run.dir={tmp_path / 'o'}"]
    )  # fmt: skip
    assert_clean_refusal(result, "broken.yaml")


def test_an_unknown_primary_config_name_is_one_line(tmp_path: Path) -> None:
    result = run_cli(["run", "-cn", "bogus", f"hydra.run.dir={tmp_path / 'o'}"])
    assert_clean_refusal(result, "bogus")
    assert len(result.stderr.strip().splitlines()) == 1


LEVEL_KEYS = ["hydra.job_logging.root.level", "hydra.hydra_logging.root.level"]


@pytest.mark.parametrize("key", LEVEL_KEYS)
def test_a_bogus_logging_level_is_refused_and_leaves_no_run_folder(
    key: str, tmp_path: Path
) -> None:
    result = run_cli(["run", f"{key}=BOGUS", *QUICK, f"hydra.run.dir={tmp_path / 'o'}"])
    assert_clean_refusal(result, key, "BOGUS")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("n_jobs", ["0", "abc", "1.5"])
def test_a_joblib_launcher_with_a_bad_number_of_jobs_is_refused(
    n_jobs: str, tmp_path: Path
) -> None:
    result = run_cli(
        ["run", "-m", "hydra/launcher=joblib", f"hydra.launcher.n_jobs={n_jobs}", "run.seed=1,2",
         *QUICK, f"hydra.sweep.dir={tmp_path / 's'}"]
    )  # fmt: skip
    assert_clean_refusal(result, "hydra.launcher.n_jobs")


@pytest.mark.parametrize("kind", ["malformed", "python_tag"])
def test_fit_demand_with_a_broken_base_file_is_a_config_error(kind: str, tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text(BROKEN_YAML[kind])
    log = REPO / "tests" / "data" / "mke_calls_sample.csv"
    result = run_cli(
        ["fit-demand", str(log), "--time-col", "time", "--type-col", "nature",
         "--base", str(base), "--out", str(tmp_path / "d.yaml")]
    )  # fmt: skip
    assert_clean_refusal(result, "--base", "base.yaml")


@pytest.mark.parametrize("kind", ["malformed", "python_tag"])
def test_a_broken_scenario_file_is_a_config_error_naming_it(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hydra_plugins.jointduty_sweeper.scenario_source as source
    import sim.sweep.compose as compose
    from sim.config.schema import ConfigError

    compose.register_scenarios()  # Hydra's first plugin scan re-executes the plugin modules:
    compose.compose_node([], with_hydra=False)  # let it happen before the patch, not after
    real = source.shipped_dir
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "scenario.yaml").write_text(BROKEN_YAML[kind])
    monkeypatch.setattr(
        source, "shipped_dir", lambda name: tmp_path if name == "scenarios" else real(name)
    )
    with pytest.raises(ConfigError) as caught:
        compose.compose_job(["scenario=broken"])
    assert "scenario.yaml" in str(caught.value) and "not valid YAML" in str(caught.value)
