"""Configs cannot make the tool call arbitrary Python, nor name folders outside results/."""

from __future__ import annotations

import pytest

from sim.config.checks import validate
from sim.config.safety import check_targets
from sim.config.schema import ConfigError
from sim.sweep.compose import check_composed_targets, hydra_plugin_targets
from tests.builders import tiny


def test_hydra_s_own_plugins_and_package_targets_are_allowed():
    known = hydra_plugin_targets()  # Hydra's registry: its basic launcher and sweeper among them
    basic = next(name for name in known if name.endswith(".BasicLauncher"))
    check_targets(
        {
            "hydra": {
                "launcher": {"_target_": basic},
                "sweeper": {"_target_": "hydra_plugins.hydra_joblib_launcher.JoblibLauncher"},
            },
            "x": [{"_target_": "sim.sweep.sweeper.ResumingSweeper"}],
        },
        known=known,
    )
    with pytest.raises(ConfigError, match="is not an allowed _target_"):
        check_targets({"hydra": {"launcher": {"_target_": basic}}})  # not known: refused


def test_every_shipped_config_composes_with_hydra_s_own_targets_allowed():
    check_composed_targets(["+experiment=staffing_sweep", "hydra/launcher=joblib"])


@pytest.mark.parametrize("target", ["os.system", "builtins.eval", "subprocess.Popen", 42])
def test_any_other_target_is_refused_with_its_key(target):
    config = {"hydra": {"sweeper": {"params": {}, "_target_": target}}}
    with pytest.raises(ConfigError, match="is not an allowed _target_") as caught:
        check_targets(config)
    assert caught.value.key == "hydra.sweeper._target_"


def test_a_target_hidden_in_a_list_is_found():
    with pytest.raises(ConfigError) as caught:
        check_targets({"stations": [{"a": {"_target_": "os.remove"}}]})
    assert caught.value.key == "stations.0.a._target_"


@pytest.mark.parametrize("name", ["../../etc", "/tmp/x", "a/b", ".hidden", "a..b", ""])
def test_a_scenario_name_that_is_a_path_is_refused(name):
    with pytest.raises(ConfigError, match="must be a plain name"):
        validate(tiny(name=name))


def test_ordinary_scenario_names_are_fine():
    for name in ("future_city_2021", "mmc", "zhejiang-712.v2"):
        validate(tiny(name=name))


def test_a_sweep_without_multirun_is_one_line_asking_for_m():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "sim", "run", "run.seed=1,2"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "jointduty: config error: run.seed = '1,2': is a sweep of several values; "
        "add -m to run one job per value"
    )
