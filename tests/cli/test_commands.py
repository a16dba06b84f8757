"""The `jointduty` dispatcher and every command's front: help, version, bad flags, pipes."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main as cli
from sim.cli.common import OVERRIDES_HELP

REPO = Path(__file__).resolve().parents[2]
ARGPARSE_COMMANDS = [name for name in cli.COMMANDS if name != "run"]
# Positional arguments that let a command's parser get as far as an unknown flag.
REQUIRED = {
    "collect": ["some_dir"],
    "report": ["some_dir"],
    "fit-demand": ["log.csv", "--time-col", "t", "--type-col", "c"],
}
TAKES_OVERRIDES = {"compare", "estimate", "optimize", "validate", "province"}


def jointduty(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        **kwargs,
    )


@pytest.mark.parametrize("name", list(cli.COMMANDS))
def test_every_listed_command_has_its_module_and_a_main(name):
    module, _summary = cli.COMMANDS[name]
    assert callable(importlib.import_module(f"sim.cli.{module}").main)


def test_a_missing_command_module_is_an_error_not_a_missing_command(monkeypatch):
    monkeypatch.setitem(cli.COMMANDS, "ghost", ("no_such_module", "gone"))
    with pytest.raises(ModuleNotFoundError):
        cli.load_command("ghost")


@pytest.mark.parametrize("name", ARGPARSE_COMMANDS)
def test_every_command_help_lists_its_flags_and_the_override_syntax(name, capsys):
    module = importlib.import_module(f"sim.cli.{cli.COMMANDS[name][0]}")
    flags = [f for f in module.build_parser().option_names if f != "--help"]

    status = cli.main([name, "--help"])

    out = capsys.readouterr().out
    assert status == 0
    assert out.startswith(f"usage: jointduty {name}")
    assert flags == [] or all(flag in out for flag in flags), flags
    assert "key=value" in out
    if name in TAKES_OVERRIDES:
        assert " ".join(OVERRIDES_HELP.split()) in " ".join(out.split())
        assert "default scenario:" in out


def test_collect_help_explains_the_table_and_the_exit_status(capsys):
    assert cli.main(["collect", "--help"]) == 0
    out = capsys.readouterr().out
    assert "sweep.parquet" in out and "damaged" in out and "exit status is 1" in out


@pytest.mark.slow


def test_run_help_is_a_short_page_with_groups_scenarios_and_examples():
    result = jointduty("run", "--help")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) < 60
    assert lines[0].startswith("usage: jointduty run")
    assert "default scenario: future_city_2021" in result.stdout
    assert any(line.startswith("scenario: ") and "taozhu_2019" in line for line in lines)
    assert "key=value" in result.stdout and "-m, --multirun" in result.stdout
    assert "jointduty run -m" in result.stdout  # an example
    assert "width_km" not in result.stdout  # not the config dump


def test_version_prints_the_installed_package_version(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"jointduty {importlib.metadata.version('jointduty')}\n"


def test_an_unknown_command_is_one_line_naming_the_commands(capsys):
    assert cli.main(["sail"]) == 2
    err = capsys.readouterr().err
    assert err == f"jointduty: unknown command 'sail' (commands: {', '.join(cli.COMMANDS)})\n"


@pytest.mark.parametrize("name", list(cli.COMMANDS))
def test_an_unknown_flag_is_one_line_and_exit_status_2(name, capsys):
    status = cli.main([name, *REQUIRED.get(name, []), "--bogus"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1, err
    assert err.startswith("jointduty: config error: option = '--bogus': unknown; allowed: ")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["estimate", "--wait-min", "abc"], "--wait-min = 'abc': must be a number"),
        (["optimize", "--max-evaluations", "2.5"], "--max-evaluations = '2.5': must be a whole"),
        (["estimate", "--out"], "--out = None: needs a value"),
        (["run", "--cfg", "everything"], "--cfg = 'everything': allowed: 'job', 'hydra', 'all'"),
        (["fit-demand", "log.csv"], "--time-col, --type-col = None: missing; required"),
        (["collect"], "SWEEP_DIR = None: missing; required"),
        (["estimate", "run.seed"], "override = 'run.seed': must be key=value"),
    ],
)
def test_a_malformed_flag_names_the_flag_and_the_value_in_one_line(args, expected, capsys):
    status = cli.main(args)
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1
    assert err.startswith(f"jointduty: config error: {expected}"), err


@pytest.mark.parametrize(
    "args", [["-h"], ["estimate", "--help"], ["run", "--help"], ["run", "--cfg", "job"]]
)
@pytest.mark.slow
def test_help_into_a_closed_pipe_ends_without_a_traceback(args):
    read_end, write_end = os.pipe()
    os.close(read_end)  # as `| head -1` does once it has its line
    try:
        result = subprocess.run(
            [sys.executable, "-m", "sim", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr
    assert result.stderr == ""


def test_a_single_run_whose_job_fails_is_one_line_naming_its_error_log(
    monkeypatch, tmp_path, capsys
):
    import sim.experiment.replications as replications

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(replications, "run_experiment", broken)
    out = tmp_path / "run"
    status = cli.main(["run", "run.replications=1", "run.horizon_days=1", f"hydra.run.dir={out}"])

    err = capsys.readouterr().err
    assert status == 1
    assert err == (
        "jointduty: internal error: ZeroDivisionError: division by zero "
        f"(full log: {out / 'error.log'})\n"
    )
    assert "Traceback" in (out / "error.log").read_text()


def test_no_tier_below_the_cli_imports_it():
    offenders = []
    for path in (REPO / "sim").rglob("*.py"):
        if path.parent.name == "cli" or path.name == "__main__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "sim.cli" or n.startswith("sim.cli.") for n in names):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []
