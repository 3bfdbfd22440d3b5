"""The seat agent against a real server: heartbeats, the credit message shown once, the server going away and back."""

from __future__ import annotations

import argparse
import http.server
import json
import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from compensator import seat_agent
from compensator.store.operations import SeatHeartbeat
from tests.conftest import power_cut_over
from web import create_app

AGENT_FILE = Path(seat_agent.__file__)


class Server:
    """The Flask app served by werkzeug in a thread, which can be stopped and started again on its port."""

    def __init__(self, app) -> None:
        self.app = app
        self.port = 0
        self.http = None
        self.thread = None

    def start(self) -> None:
        self.http = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.http.server_port
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()
        self.thread.join(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def server(runtime):
    running = Server(create_app(runtime, {"SECRET_KEY": "agent-test"}))
    running.start()
    yield running
    if running.http is not None:
        running.stop()


def agent_for(server, token_file, shown, said) -> seat_agent.SeatAgent:
    return seat_agent.SeatAgent(server.url, "A1", token_file, every_seconds=2, show=shown.append, say=said.append)


def test_the_agent_beats_and_shows_the_seats_credit_once(server, token_file, uow, clock) -> None:
    shown: list[str] = []
    said: list[str] = []
    agent = agent_for(server, token_file, shown, said)
    assert agent.step() == 2
    with uow() as unit:
        assert unit.db.get(SeatHeartbeat, "A1") is not None
    assert shown == []
    power_cut_over(uow, clock, {"A1": 90}, after_minutes=20, lasting_minutes=30)
    agent.step()
    agent.step()
    assert len(shown) == 1 and shown[0].startswith("Sorry for the power cut — we added ")
    assert said == [f"seat A1: heartbeats reach {server.url}/api/v1/heartbeats"]


def test_the_agent_keeps_going_while_the_server_is_away_and_says_so_once(server, token_file) -> None:
    shown: list[str] = []
    said: list[str] = []
    agent = agent_for(server, token_file, shown, said)
    agent.step()
    server.stop()
    pauses = [agent.step() for _ in range(8)]
    assert pauses[:4] == [2, 4, 8, 16] and pauses[-1] == seat_agent.MAX_PAUSE_SECONDS
    assert len(said) == 2 and "is not answering" in said[1]
    server.start()
    assert agent.step() == 2
    assert said[-1].startswith("seat A1: heartbeats reach")


def test_a_refused_token_is_said_in_one_line_and_a_new_token_file_is_read(server, token_file, tmp_path) -> None:
    said: list[str] = []
    good = token_file.read_text(encoding="utf-8")
    token_file.write_text("wrong", encoding="utf-8")
    agent = agent_for(server, token_file, [], said)
    agent.step()
    agent.step()
    assert len(said) == 1 and "401" in said[0]
    token_file.write_text(good, encoding="utf-8")
    assert agent.step() == 2


def test_the_file_runs_alone_with_python_and_never_prints_a_traceback(tmp_path) -> None:
    token = tmp_path / "token.txt"
    token.write_text("x", encoding="utf-8")
    environment = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    environment["XDG_STATE_HOME"] = str(tmp_path / "state")
    # The agent must work from its file alone: run it from a folder where the package is not importable.
    process = subprocess.Popen([sys.executable, str(AGENT_FILE), "--server", "http://127.0.0.1:9", "--seat", "A1",
                                "--token-file", str(token), "--every", "1"], cwd=tmp_path, env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    process.terminate()
    out, err = process.communicate(timeout=10)
    assert "Traceback" not in err + out
    assert "is not answering" in err
    # Its last-alive record is kept per user by default, even while the server does not answer.
    assert (tmp_path / "state" / "compensator" / "seat-agent" / "seat-A1.json").exists()
    bad = subprocess.run([sys.executable, str(AGENT_FILE), "--server", "x", "--seat", "A1", "--token-file", "t",
                          "--every", "0"], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_compensator_seat_agent_takes_the_same_options(monkeypatch) -> None:
    from compensator.cli import main

    taken: list[argparse.Namespace] = []
    monkeypatch.setattr(seat_agent, "run_from_args", lambda args: taken.append(args) or 0)
    assert main(["seat-agent", "--server", "http://counter:8080", "--seat", "G2", "--token-file", "/etc/token",
                 "--every", "5"]) == 0
    (args,) = taken
    assert (args.server, args.seat, args.token_file, args.every) == ("http://counter:8080", "G2", "/etc/token", 5)


def test_compensator_seat_agent_refuses_what_the_agent_refuses(capsys) -> None:
    from compensator.cli import main

    assert main(["seat-agent", "--server", "x", "--seat", "A1", "--token-file", "t", "--every", "0"]) == 2
    assert "--every must be from 1 to 600 seconds" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_install_writes_a_unit_systemd_accepts_that_starts_the_agent_with_the_same_options(tmp_path) -> None:
    # No systemctl on the PATH: the test never enables anything in a real user manager.
    environment = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "PATH": str(tmp_path)}
    token = tmp_path / "token file.txt"
    token.write_text("x", encoding="utf-8")
    options = ["--server", "http://192.168.1.10:8080", "--seat", "A1", "--token-file", str(token), "--every", "5",
               "--state-dir", str(tmp_path / "state")]
    done = subprocess.run([sys.executable, str(AGENT_FILE), *options, "--install"], cwd=tmp_path, env=environment,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    unit = tmp_path / "config" / "systemd" / "user" / "compensator-seat-agent.service"
    verified = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0, verified.stderr
    [exec_start] = [line for line in unit.read_text(encoding="utf-8").splitlines() if line.startswith("ExecStart=")]
    assert shlex.split(exec_start.removeprefix("ExecStart=")) == [sys.executable, str(AGENT_FILE.resolve()), *options]
    # Where systemd cannot enable it, the desktop session starts it instead, with the same command.
    assert "could not enable" in done.stderr
    entry = (tmp_path / "config" / "autostart" / "compensator-seat-agent.desktop").read_text(encoding="utf-8")
    [exec_line] = [line for line in entry.splitlines() if line.startswith("Exec=")]
    assert shlex.split(exec_line.removeprefix("Exec=")) == shlex.split(exec_start.removeprefix("ExecStart="))
    removed = subprocess.run([sys.executable, str(AGENT_FILE), "--uninstall"], cwd=tmp_path, env=environment,
                             capture_output=True, text=True, timeout=60)
    assert removed.returncode == 0 and not unit.exists()


class OlderServer(http.server.BaseHTTPRequestHandler):
    """A server of the version before the agents' reports: any field but ``seat`` is refused, as its schema did."""

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if set(body) != {"seat"}:
            status, answer = 400, {"error": {"code": "invalid_input", "message": "unknown field",
                                             "field": sorted(set(body) - {"seat"})[0]}}
        else:
            status, answer = 200, {"seat": body["seat"], "at": "2026-12-08T14:00:00+01:00", "message": None}
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_: object) -> None:
        pass


def test_an_agent_talking_to_an_older_server_falls_back_to_plain_heartbeats(tmp_path) -> None:
    older = http.server.ThreadingHTTPServer(("127.0.0.1", 0), OlderServer)
    threading.Thread(target=older.serve_forever, daemon=True).start()
    token = tmp_path / "token.txt"
    token.write_text("x", encoding="utf-8")
    said: list[str] = []
    record = seat_agent.LastAlive(tmp_path / "seat-A1.json")
    agent = seat_agent.SeatAgent(f"http://127.0.0.1:{older.server_port}", "A1", token, every_seconds=2,
                                 show=lambda _: None, say=said.append, record=record)
    try:
        assert agent.step() == 2 and agent.step() == 2
    finally:
        older.shutdown()
        older.server_close()
    assert agent.plain and said[0].startswith("the server does not take this agent's reports")
    assert record.anchor is not None and record.anchor[0] == "2026-12-08T14:00:00+01:00"


def test_a_report_the_server_refuses_is_dropped_and_the_heartbeats_go_on(server, token_file, tmp_path) -> None:
    said: list[str] = []
    record = seat_agent.LastAlive(tmp_path / "seat-A1.json")
    record.pending = [{"after": "2026-11-22T14:10:06+01:00", "before": "2026-11-22T14:10:00+01:00"}]
    agent = seat_agent.SeatAgent(server.url, "A1", token_file, every_seconds=2, show=lambda _: None,
                                 say=said.append, record=record)
    assert agent.step() == 2
    assert record.report() is None and not agent.plain
    assert said[0].startswith("the server refused the report that the PC went down: went_down must run")
