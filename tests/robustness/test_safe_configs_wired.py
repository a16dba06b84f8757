"""Safe configs at the entry points: `jointduty run` and `sim.sweep.compose.compose_job` refuse a
`_target_` outside the allow-list before anything is instantiated, and no name that becomes
part of an output path under results/ can point outside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main as cli
from sim.config.schema import ConfigError
from sim.results.jobstatus import job_dir_name
from sim.sweep.compose import compose_job

QUICK = ["run.replications=1", "run.horizon_days=0.1", "run.warmup_days=0"]


@pytest.mark.parametrize(
    "override, key",
    [
        ("hydra.sweeper._target_=os.system", "hydra.sweeper._target_"),
        ("hydra.launcher._target_=subprocess.run", "hydra.launcher._target_"),
        ("+foo._target_=builtins.eval", "foo._target_"),
        ("+run.extra._target_=os.remove", "run.extra._target_"),
    ],
)
def test_run_refuses_a_foreign_target_in_one_line_before_hydra_starts(
    override, key, tmp_path, capsys
):
    status = cli.main(["run", override, *QUICK, f"hydra.run.dir={tmp_path / 'out'}"])

    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and err.startswith(f"jointduty: config error: {key} = ")
    assert "is not an allowed _target_" in err
    assert not (tmp_path / "out").exists()


def test_a_sweep_refuses_a_foreign_target_too(tmp_path, capsys):
    args = ["-m", "run.seed=1,2", "+foo._target_=builtins.exec", *QUICK]
    status = cli.main(["run", *args, f"hydra.sweep.dir={tmp_path / 'sweep'}"])

    assert status == 2 and "foo._target_" in capsys.readouterr().err
    assert not (tmp_path / "sweep").exists()


def test_the_api_refuses_a_foreign_target():
    with pytest.raises(ConfigError) as caught:
        compose_job(["+foo._target_=builtins.eval"])
    assert caught.value.key == "foo._target_"


@pytest.mark.parametrize("name", ["../../etc", "/tmp/evil", "a/b", ".hidden", ".."])
def test_run_refuses_a_run_name_that_is_a_path(name, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the run folder would be results/runs/${name}/...
    status = cli.main(["run", f"name={name}", *QUICK])

    err = capsys.readouterr().err
    assert status == 2 and err.startswith("jointduty: config error:") and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["../../etc", "/abs", "a/../../b"])
def test_an_unknown_scenario_path_is_refused(name, capsys):
    status = cli.main(["run", f"scenario={name}", *QUICK])

    assert status == 2 and capsys.readouterr().err.startswith("jointduty: config error:")


@pytest.mark.parametrize(
    "value", ["../../etc", "/etc/passwd", "..", "a/../../b", "..\\..\\x", "~/x", "'../..'"]
)
def test_a_sweep_job_folder_name_built_from_override_values_stays_one_folder(value, tmp_path):
    name = job_dir_name([f"stations.x.staff.police={value}", "run.seed=1"])

    assert "/" not in name and "\\" not in name and name not in (".", "..")
    assert not name.startswith(".")
    assert (tmp_path / name).resolve().parent == tmp_path.resolve()
    assert Path(name).name == name
