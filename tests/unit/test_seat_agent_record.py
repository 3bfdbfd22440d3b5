"""The seat agent's last-alive record: when its PC went down, in the server's time, whatever the PC's clock says."""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

from compensator import seat_agent


class FakePc:
    """A PC's uptime and boot identity, moved by hand."""

    def __init__(self) -> None:
        self.up = 1000.0
        self.boot = "boot-1"

    def uptime(self) -> float:
        return self.up

    def boot_id(self) -> str:
        return self.boot


def record(path: Path, pc: FakePc) -> seat_agent.LastAlive:
    return seat_agent.LastAlive(path, every=5, uptime=pc.uptime, boot=pc.boot_id)


def test_a_pc_that_lost_power_reports_the_interval_after_its_last_record_in_the_servers_time(tmp_path) -> None:
    pc = FakePc()
    path = tmp_path / "seat-A1.json"
    first = record(path, pc)
    first.recover()
    assert first.report() is None
    first.answered("2026-12-08T14:20:00+01:00", None, False)
    pc.up += 250
    first.write()
    # The PC loses power; it boots again as a new boot, its uptime starting over.
    pc.boot, pc.up = "boot-2", 40.0
    second = record(path, pc)
    second.recover()
    assert second.report() == {"after": "2026-12-08T14:24:10+01:00", "before": "2026-12-08T14:24:16+01:00"}
    # The report is sent until the server says it has it, and kept on disk meanwhile.
    assert json.loads(path.read_text(encoding="utf-8"))["pending"] == [second.report()]
    second.answered("2026-12-08T14:31:00+01:00", second.report(), False)
    assert second.report() is not None
    second.answered("2026-12-08T14:31:05+01:00", second.report(), True)
    assert second.report() is None and json.loads(path.read_text(encoding="utf-8"))["pending"] == []


def test_an_agent_restarted_on_a_pc_that_stayed_up_reports_nothing(tmp_path) -> None:
    pc = FakePc()
    path = tmp_path / "seat-A1.json"
    first = record(path, pc)
    first.recover()
    first.answered("2026-12-08T14:20:00+01:00", None, False)
    pc.up += 60
    again = record(path, pc)
    again.recover()
    assert again.report() is None and again.anchor == ("2026-12-08T14:20:00+01:00", 1000.0)


def test_without_a_boot_identity_a_reboot_shows_as_the_uptime_going_back(tmp_path) -> None:
    pc = FakePc()
    path = tmp_path / "seat-A1.json"
    first = seat_agent.LastAlive(path, every=5, uptime=pc.uptime, boot=lambda: None)
    first.recover()
    first.answered("2026-12-08T14:20:00+00:00", None, False)
    pc.up = 30.0
    second = seat_agent.LastAlive(path, every=5, uptime=pc.uptime, boot=lambda: None)
    second.recover()
    report = second.report()
    assert report is not None
    after = datetime.fromisoformat(report["after"])
    assert after == datetime.fromisoformat("2026-12-08T14:20:00+00:00") + timedelta(seconds=0)


def test_a_pc_that_never_reached_the_server_in_its_last_boot_cannot_say_when_it_went_down(tmp_path) -> None:
    pc = FakePc()
    path = tmp_path / "seat-A1.json"
    record(path, pc).recover()
    pc.boot = "boot-2"
    second = record(path, pc)
    second.recover()
    assert second.report() is None


def options(tmp_path: Path) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    seat_agent.add_arguments(parser)
    return parser.parse_args(["--server", "http://192.168.1.10:8080", "--seat", "A 3", "--token-file",
                              str(tmp_path / "my token.txt"), "--every", "5", "--state-dir", str(tmp_path / "state")])


def test_the_windows_task_runs_the_agent_with_the_same_options_at_each_logon(tmp_path) -> None:
    args = options(tmp_path)
    command = [r"C:\Program Files\Python311\pythonw.exe", r"C:\seat\seat_agent.py", *seat_agent.agent_arguments(args)]
    task = seat_agent.windows_task(command)
    assert task[:9] == ["schtasks", "/Create", "/F", "/SC", "ONLOGON", "/RL", "LIMITED", "/TN",
                        "Compensator seat agent"]
    assert task[9] == "/TR"
    line = task[10]
    assert line.startswith(r'"C:\Program Files\Python311\pythonw.exe" C:\seat\seat_agent.py --server ')
    assert f'--token-file "{tmp_path / "my token.txt"}"' in line and '--seat "A 3"' in line
    # Windows splits the line back into the same arguments (the rules of CommandLineToArgvW).
    assert _windows_split(line) == command


def _windows_split(line: str) -> list[str]:
    """The arguments a Windows program reads from ``line`` (no backslashes before quotes here)."""
    parts, current, quoted, started = [], "", False, False
    for char in line:
        if char == '"':
            quoted, started = not quoted, True
        elif char == " " and not quoted:
            if started or current:
                parts.append(current)
            current, started = "", False
        else:
            current += char
    if started or current:
        parts.append(current)
    return parts


def test_the_autostart_entry_starts_the_agent_with_the_same_options(tmp_path) -> None:
    args = options(tmp_path)
    command = seat_agent.agent_command(args, python="/usr/bin/python3")
    entry = seat_agent.autostart_entry(command)
    [exec_line] = [line for line in entry.splitlines() if line.startswith("Exec=")]
    assert shlex.split(exec_line.removeprefix("Exec=")) == command
    assert command[1] == str(Path(seat_agent.__file__).resolve())
    assert command[2:] == ["--server", "http://192.168.1.10:8080", "--seat", "A 3", "--token-file",
                           str(tmp_path / "my token.txt"), "--every", "5", "--state-dir", str(tmp_path / "state")]


def test_install_falls_back_to_an_autostart_entry_when_systemd_cannot_enable_the_unit(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    calls: list[list[str]] = []

    def refusing(command: list[str], **_: object) -> None:
        calls.append(command)
        raise subprocess.CalledProcessError(1, command)

    assert seat_agent.install(options(tmp_path), run=refusing) == 0
    assert calls == [["systemctl", "--user", "daemon-reload"]]
    assert (tmp_path / "config" / "systemd" / "user" / "compensator-seat-agent.service").exists()
    assert (tmp_path / "config" / "autostart" / "compensator-seat-agent.desktop").exists()
    assert seat_agent.uninstall(run=lambda *a, **k: None) == 0
    assert not (tmp_path / "config" / "autostart" / "compensator-seat-agent.desktop").exists()
    assert not (tmp_path / "config" / "systemd" / "user" / "compensator-seat-agent.service").exists()
