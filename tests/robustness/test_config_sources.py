"""The `_target_` allow-list checks the config Hydra actually composes, whatever its source:
`-cn`, `-cp`, `--config-dir` (abbreviated or not, with `=` or not) and group files there."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.robustness.limits import assert_clean_refusal, run_cli

QUICK = ["run.replications=1", "run.horizon_days=0.2", "run.warmup_days=0"]


def evil_dir(tmp_path: Path, inherit: bool) -> tuple[Path, Path]:
    """A config folder whose evil.yaml makes Hydra instantiate a logging.FileHandler."""
    folder = tmp_path / "conf"
    folder.mkdir()
    victim = tmp_path / "created_by_the_callback"
    defaults = "defaults:\n  - config\n  - _self_\n" if inherit else ""
    (folder / "evil.yaml").write_text(
        f"{defaults}hydra:\n  callbacks:\n    cb:\n"
        f"      _target_: logging.FileHandler\n      filename: {victim}\n"
    )
    return folder, victim


EXTRA_DIR_FLAGS = {
    "long": ("--config-dir", "{d}", "-cn", "evil"),
    "equals": ("--config-dir={d}", "--config-name=evil"),
    "short": ("-cd", "{d}", "-cn=evil"),
    "abbreviated": ("--config-d", "{d}", "--config-n", "evil"),
}
PRIMARY_DIR_FLAGS = {  # the app's conf/ is then out of the search path: evil.yaml stands alone
    "config_path": ("-cp", "{d}", "-cn", "evil"),
    "config_path_equals": ("--config-path={d}", "--config-name", "evil"),
}
CASES = [(flags, True) for flags in EXTRA_DIR_FLAGS.values()]
CASES += [(flags, False) for flags in (*EXTRA_DIR_FLAGS.values(), *PRIMARY_DIR_FLAGS.values())]
CASE_IDS = [f"{name}-inherits" for name in EXTRA_DIR_FLAGS]
CASE_IDS += [f"{name}-standalone" for name in (*EXTRA_DIR_FLAGS, *PRIMARY_DIR_FLAGS)]


@pytest.mark.parametrize(("flags", "inherit"), CASES, ids=CASE_IDS)
def test_a_foreign_target_from_another_config_source_is_refused_before_hydra_runs(
    flags: tuple[str, ...], inherit: bool, tmp_path: Path
) -> None:
    folder, victim = evil_dir(tmp_path, inherit)
    args = [flag.format(d=folder) for flag in flags]
    quick = QUICK if inherit else []  # a standalone evil.yaml has no run keys to override

    result = run_cli(["run", *args, *quick, f"hydra.run.dir={tmp_path / 'out'}"], cwd=tmp_path)

    if flags == EXTRA_DIR_FLAGS["abbreviated"]:  # the CLI takes Hydra's flags unabbreviated
        assert_clean_refusal(result, "--config-d", "unknown")
    else:
        assert_clean_refusal(result, "hydra.callbacks.cb._target_", "not an allowed _target_")
    assert not victim.exists()
    assert not (tmp_path / "out").exists()


def test_a_foreign_target_in_a_group_file_of_an_extra_config_dir_is_refused(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "conf"
    (folder / "dispatch").mkdir(parents=True)
    (folder / "dispatch" / "sneaky.yaml").write_text(
        "# @package _global_\nextra:\n  _target_: os.system\n  command: touch x\n"
    )
    result = run_cli(
        ["run", "--config-dir", str(folder), "dispatch=sneaky", *QUICK,
         f"hydra.run.dir={tmp_path / 'out'}"],
        cwd=tmp_path,
    )  # fmt: skip
    assert_clean_refusal(result, "extra._target_")


def test_a_sweep_with_a_foreign_target_from_config_dir_is_refused(tmp_path: Path) -> None:
    folder, victim = evil_dir(tmp_path, inherit=True)
    result = run_cli(
        ["run", "-m", "--config-dir", str(folder), "-cn", "evil", "run.seed=1,2", *QUICK,
         f"hydra.sweep.dir={tmp_path / 'sweep'}"],
        cwd=tmp_path,
    )  # fmt: skip
    assert_clean_refusal(result, "hydra.callbacks.cb._target_")
    assert not victim.exists()


def test_rerunning_from_a_pickle_is_refused(tmp_path: Path) -> None:
    result = run_cli(["run", "--experimental-rerun", str(tmp_path / "config.pickle")])
    assert_clean_refusal(result, "--experimental-rerun")


@pytest.mark.slow


def test_an_ordinary_config_dir_still_runs(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "mine.yaml").write_text("defaults:\n  - config\n  - _self_\nrun:\n  seed: 7\n")
    result = run_cli(
        ["run", "--config-dir", str(folder), "-cn", "mine", "scenario=taozhu_2019", *QUICK,
         f"hydra.run.dir={tmp_path / 'out'}"],
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "seed 7" in result.stdout
