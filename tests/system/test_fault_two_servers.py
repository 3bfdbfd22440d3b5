"""Two servers on one SQLite file, for real: a second ``compensator run`` on the same database while the
first serves, and backups made at once to the same file.

The second server is refused in one line naming the first one's process, and the first goes on
serving; once the first is killed (a power cut), the lock goes with it and the next start works.
Backups made at the same moment to the same file all succeed, and the file is a whole backup.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.support.crash_server import ROOT, Server, Venue, command_environment, compensator_command, free_port
from tests.support.faults import OwnPostgres, call, log_lines, wait_until
from tests.system.conftest import fault_venue_in

ROUNDS = 4
AT_ONCE = 3


def test_a_second_server_on_the_same_sqlite_file_is_refused_in_one_line(fault_venue: Venue) -> None:
    first = Server(fault_venue)
    first.start()
    try:
        assert first.process is not None
        second = subprocess.run(compensator_command("run", "--config", str(fault_venue.config_path), "--host",
                                                    "127.0.0.1", "--port", str(free_port())),
                                cwd=ROOT, env=command_environment(fault_venue.database_url), capture_output=True,
                                text=True, timeout=120, check=False)
        assert second.returncode == 2
        assert second.stderr.strip().splitlines() == [
            f"error: another Compensator server (process {first.process.pid}) already runs on "
            f"{fault_venue.directory / 'compensator.db'}: stop it first, or give this server a database of its own"]
        # The first one serves on, and writes.
        started = call(fault_venue.base_url, "POST", "/api/v1/sessions", {"seat": "A1", "minutes": 30},
                       token=fault_venue.token, key="after-the-second")
        assert started.status == 201, started.body
        # Killed as by a power cut, it takes its lock with it: the next start is not refused.
        first.kill()
        first.start()
        assert call(fault_venue.base_url, "GET", f"/api/v1/sessions/{started.body['id']}",
                    token=fault_venue.token).status == 200
    finally:
        first.stop()


def test_backups_made_at_once_to_one_file_all_succeed_and_leave_a_whole_backup(fault_venue: Venue,
                                                                               tmp_path: Path) -> None:
    server = Server(fault_venue)
    server.start()
    out = tmp_path / "backups" / "same.db"
    try:
        for _ in range(ROUNDS):
            running = [subprocess.Popen(compensator_command("backup", "--config", str(fault_venue.config_path),
                                                            "--out", str(out)),
                                        cwd=ROOT, env=command_environment(fault_venue.database_url),
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                       for _ in range(AT_ONCE)]
            for process in running:
                stdout, stderr = process.communicate(timeout=120)
                assert process.returncode == 0, stderr
                assert stdout.startswith(f"backup written to {out} (") and "(0 bytes)" not in stdout, stdout
                assert "Traceback" not in stderr
    finally:
        server.stop()
    assert sorted(path.name for path in out.parent.iterdir()) == ["same.db"]
    with sqlite3.connect(f"file:{out}?mode=ro", uri=True) as backup:
        assert backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert backup.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1
    backup.close()


def test_two_servers_sharing_a_postgres_database_both_serve_and_make_the_nights_backup_once(
        own_postgres: OwnPostgres, tmp_path: Path) -> None:
    # The nightly backup runs 15 minutes after closing time: closing is set so that it comes at the
    # next whole minute at least 20 seconds away, for both servers at once.
    now = datetime.now(ZoneInfo("Africa/Lagos"))
    backup_at = (now + timedelta(seconds=80)).replace(second=0, microsecond=0)
    closing = backup_at - timedelta(minutes=15)
    backups = tmp_path / "backups"
    venue = fault_venue_in(tmp_path / "first", own_postgres.url, backups={"directory": str(backups)},
                           venue={"name": "Bright Star Cyber Café", "timezone": "Africa/Lagos", "currency": "NGN",
                                  "languages": ["en", "fr", "pcm"], "closing_time": f"{closing:%H:%M}"})
    (tmp_path / "second").mkdir()
    servers = [Server(venue), Server(dataclasses.replace(venue, directory=tmp_path / "second", port=free_port()))]
    for server in servers:
        server.start()
    try:
        # Both serve the same venue: a session started on one is read on the other.
        started = call(servers[0].venue.base_url, "POST", "/api/v1/sessions", {"seat": "A1", "minutes": 30},
                       token=venue.token, key="on-the-first")
        assert started.status == 201
        assert call(servers[1].venue.base_url, "GET", f"/api/v1/sessions/{started.body['id']}",
                    token=venue.token).status == 200

        def nights_told() -> list[str]:
            return [line for server in servers for line in log_lines(server.log_path)
                    if "nightly backup" in line or "tonight's backup" in line]

        assert wait_until(lambda: len(nights_told()) >= 2, 180, pause=1), "\n".join(nights_told())
    finally:
        for server in servers:
            server.stop()
    told = nights_told()
    assert sum("nightly backup written" in line for line in told) == 1, told
    assert sum("made by another server" in line for line in told) == 1, told
    assert [path.name for path in backups.iterdir()] == [f"compensator-{backup_at:%Y-%m-%d}.dump"]
