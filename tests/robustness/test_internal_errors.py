"""No traceback reaches the user: an unexpected error in any command is one line naming the
error and the log file that holds the traceback, with exit status 1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.cli import main as cli
from sim.config.schema import ConfigError

COMMANDS = [name for name in cli.COMMANDS if name != "run"]


def _raising(error: BaseException):
    def command(args: list[str]) -> int:
        raise error

    return command


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unexpected_error_in_any_command_is_one_line_and_a_saved_log(
    command, monkeypatch, tmp_path, capsys
):
    monkeypatch.setenv("JOINTDUTY_LOG_DIR", str(tmp_path))
    boom = _raising(ZeroDivisionError("division by zero\nsecond line"))
    monkeypatch.setattr(cli, "load_command", lambda name: boom)

    status = cli.main([command, "x=1"])

    err = capsys.readouterr().err
    assert status == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    match = re.fullmatch(
        r"jointduty: internal error: ZeroDivisionError: division by zero \(full log: (.+)\)\n", err
    )
    assert match, err
    log = Path(match.group(1))
    assert log.parent == tmp_path
    assert "Traceback" in log.read_text() and "ZeroDivisionError" in log.read_text()
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_config_error_escaping_a_command_keeps_its_one_line_and_exit_status_2(
    monkeypatch, capsys
):
    boom = _raising(ConfigError("k", 3, "must be < 2"))
    monkeypatch.setattr(cli, "load_command", lambda name: boom)

    status = cli.main(["compare"])

    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("jointduty: config error:") and err.count("\n") == 1


def test_an_unwritable_log_folder_still_gives_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("JOINTDUTY_LOG_DIR", str(tmp_path / "file"))
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setattr(cli, "load_command", lambda name: _raising(RuntimeError("bad")))

    status = cli.main(["collect"])

    err = capsys.readouterr().err
    assert status == 1 and err.count("\n") == 1
    assert "internal error: RuntimeError: bad (full log: not saved:" in err
