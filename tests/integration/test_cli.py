"""Tests of the ``compensator`` command line through its ``main`` function."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from compensator.cli import main
from compensator.config import load_settings
from compensator.errors import AuthenticationFailed
from compensator.runtime import Compensator
from compensator.services.people.accounts import authenticate, verify_token


def test_check_config_accepts_a_good_file(config_path: Path, capsys) -> None:
    assert main(["check-config", str(config_path)]) == 0
    assert "OK" in capsys.readouterr().out


def test_check_config_prints_all_three_mistakes_with_their_key_paths(tmp_path: Path, capsys) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(
        "venue:\n"
        "  name: Bright Star\n"
        "  timezone: Africa/Lagoss\n"
        "  currency: NGN\n"
        "  languages: [en]\n"
        '  closing_time: "22:00"\n'
        "zones:\n"
        "  - {id: standard, name: Standard, price_minor_per_hour: -5, ups_minutes: 10}\n"
        "seats:\n"
        "  - {id: A1-A4, zone: standrd}\n",
        encoding="utf-8",
    )
    assert main(["check-config", str(path)]) == 2
    error_output = capsys.readouterr().err
    problem_lines = [line for line in error_output.splitlines() if line.startswith("  ")]
    assert len(problem_lines) == 3
    assert any(line.strip().startswith("venue.timezone:") for line in problem_lines)
    assert any(line.strip().startswith("zones[0].price_minor_per_hour:") for line in problem_lines)
    assert any(line.strip().startswith("seats[0].zone:") for line in problem_lines)


def test_check_config_reports_a_missing_file(tmp_path: Path, capsys) -> None:
    assert main(["check-config", str(tmp_path / "nope.yaml")]) == 2
    assert "not found" in capsys.readouterr().err


def test_db_upgrade_migrates_the_configured_database(config_path: Path, capsys) -> None:
    assert main(["db", "upgrade", "--config", str(config_path)]) == 0
    assert "revision" in capsys.readouterr().out


@pytest.mark.real_hashing
def test_attendant_add_reads_the_pin_from_stdin_and_stores_only_a_hash(config_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("482913\n"))
    assert main(["attendant", "add", "Ada", "--role", "manager", "--config", str(config_path)]) == 0
    runtime = Compensator.open(load_settings(config_path))
    try:
        with runtime.unit_of_work() as uow:
            person = authenticate(uow, name="Ada", pin="482913")
            assert person.role.value == "manager"
            with pytest.raises(AuthenticationFailed):
                authenticate(uow, name="Ada", pin="000000")
    finally:
        runtime.close()
    assert b"482913" not in (config_path.parent / "cli.db").read_bytes()


def test_attendant_add_refuses_a_short_pin_in_one_line(config_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    assert main(["attendant", "add", "Ada", "--config", str(config_path)]) == 2
    error_output = capsys.readouterr().err
    assert error_output.count("\n") == 1
    assert "PIN" in error_output


def test_token_create_prints_a_token_that_verifies(config_path: Path, capsys) -> None:
    assert main(["token", "create", "ups-monitor", "--config", str(config_path)]) == 0
    secret = capsys.readouterr().out.strip()
    runtime = Compensator.open(load_settings(config_path))
    try:
        with runtime.unit_of_work() as uow:
            assert verify_token(uow, secret).name == "ups-monitor"
            with pytest.raises(AuthenticationFailed):
                verify_token(uow, secret + "x")
    finally:
        runtime.close()


def test_a_duplicate_token_name_is_a_one_line_error(config_path: Path, capsys) -> None:
    assert main(["token", "create", "door", "--config", str(config_path)]) == 0
    assert main(["token", "create", "door", "--config", str(config_path)]) == 2
    assert "already exists" in capsys.readouterr().err
