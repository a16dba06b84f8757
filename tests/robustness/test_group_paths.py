"""A config group value that is a path is refused before any file is read, and no file's
contents are ever printed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sim.config.schema import ConfigError
from sim.sweep.compose import compose_job
from tests.robustness.limits import REPO, assert_clean_refusal, run_cli

SECRET = "hunter2-do-not-print"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "x.yaml"
    path.write_text(f"secret_token: {SECRET}\npolicy: nearest\n")
    return path


def relative_to_group(secret: Path, group: str) -> str:
    return os.path.relpath(secret.with_suffix(""), REPO / "conf" / group)


@pytest.mark.parametrize("group", ["dispatch", "scenario", "district", "hydra/launcher"])
def test_a_path_as_a_group_value_is_refused_without_printing_the_file(
    group: str, secret_file: Path, tmp_path: Path
) -> None:
    value = relative_to_group(secret_file, group)
    result = run_cli(["run", f"{group}={value}", f"hydra.run.dir={tmp_path / 'out'}"])
    assert_clean_refusal(result, group, "not a path")
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "value", ["../x", "/etc/passwd", "a/../../b", "..\\\\x", "~/x", "nearest,../../x"]
)
def test_path_like_group_values_are_refused_by_every_command_that_composes(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        compose_job([f"dispatch={value}"])
    assert caught.value.key == "dispatch"
    assert "not a path" in caught.value.allowed


def test_a_sweep_over_group_values_refuses_a_path_among_them(
    secret_file: Path, tmp_path: Path
) -> None:
    value = relative_to_group(secret_file, "dispatch")
    result = run_cli(
        ["run", "-m", f"dispatch=nearest,{value}", f"hydra.sweep.dir={tmp_path / 's'}"]
    )
    assert_clean_refusal(result, "dispatch")
    assert SECRET not in result.stdout + result.stderr


def test_a_plain_group_value_and_a_description_with_a_slash_are_fine() -> None:
    job = compose_job(["dispatch=borrow", "description=north/south split"])
    assert job.scenario.dispatch.policy == "borrow"
