"""The database goes away under a running server, for real: a PostgreSQL of the test's own is stopped and
started again while a keyed load runs and a person watches the dashboard.

What the users see is asserted: the API answers 503 ``database_unavailable`` with ``Retry-After``,
the dashboard's board says so, the server itself still answers its health check, the log says
once that the database was lost and once that it is back (no traceback), nothing acknowledged
is lost or doubled, and the time the database was away raises no suspected outage although it
is longer than the server-gap threshold. Start-up on a database that is down or damaged prints
one plain line and exits with status 2.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from tests.support.crash_server import ROOT, Server, command_environment, compensator_command
from tests.support.faults import (
    Counter,
    OwnPostgres,
    SessionLoad,
    call,
    check_acknowledged,
    check_fault_logged,
    wait_until,
)
from tests.system.conftest import fault_venue_in

# Longer than the server-gap threshold of one minute configured below, and than two alive ticks.
LOST_FOR_SECONDS = 75


def test_a_lost_database_is_answered_503_logged_once_and_raises_no_outage(own_postgres: OwnPostgres,
                                                                          tmp_path: Path) -> None:
    venue = fault_venue_in(tmp_path / "venue", own_postgres.url, server_gap={"threshold_minutes": 1})
    server = Server(venue)
    server.start()
    load = SessionLoad(venue, ("A1", "A2", "G1"))
    try:
        counter = Counter(venue.base_url)
        counter.login()
        assert counter.board().body["database"] is None
        load.start()
        assert wait_until(lambda: load.acknowledged_count() >= 3, 60)

        own_postgres.stop()
        seats = lambda: call(venue.base_url, "GET", "/api/v1/seats", token=venue.token)  # noqa: E731
        assert wait_until(lambda: seats().status == 503, 20)
        lost = seats()
        assert lost.body["error"]["code"] == "database_unavailable"
        assert int(lost.headers["Retry-After"]) > 0
        board = counter.board()
        assert (board.status, board.body["error"]["code"]) == (503, "database_unavailable")
        assert "database cannot be reached" in board.body["error"]["message"]
        status, page = counter.page("/")
        assert status == 503 and "Database unavailable" in page
        # The server itself is up: a monitor is told so.
        assert call(venue.base_url, "GET", "/api/v1/health").status == 200
        time.sleep(LOST_FOR_SECONDS)
        acknowledged_while_lost = load.acknowledged_count()

        own_postgres.start()
        assert wait_until(lambda: seats().status == 200, 30)
        assert counter.board().body["database"] is None
        assert wait_until(lambda: load.acknowledged_count() >= acknowledged_while_lost + 3, 60)
        # Two alive ticks after the return: the time away must not have been taken for a power cut.
        time.sleep(35)
        load.stop()
        check_acknowledged(load)
        outages = call(venue.base_url, "GET", "/api/v1/outages", token=venue.token).body["outages"]
        assert [outage for outage in outages if outage["source"] == "server_gap"] == []
    finally:
        load.abandon()
        server.stop()
    assert load.statuses[503] > 0
    assert load.statuses[500] == 0, load.statuses
    check_fault_logged(server.log_path, "database unavailable", "database back after")


def run_once(config: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    """``compensator run`` on the configuration, expected to end by itself."""
    return subprocess.run(compensator_command("run", "--config", str(config), "--port", "0"), cwd=ROOT,
                          env=command_environment(database_url), capture_output=True, text=True, timeout=120,
                          check=False)


def test_start_up_on_a_database_that_is_down_or_damaged_says_so_in_one_line(own_postgres: OwnPostgres,
                                                                             tmp_path: Path) -> None:
    venue = fault_venue_in(tmp_path / "venue", own_postgres.url)
    own_postgres.stop()
    down = run_once(venue.config_path, venue.database_url)
    assert down.returncode == 2
    assert len(down.stderr.strip().splitlines()) == 1, down.stderr
    assert "cannot be reached" in down.stderr and "Traceback" not in down.stderr

    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"this is not a database, it was overwritten " * 200)
    url = f"sqlite:///{damaged.as_posix()}"
    broken = run_once(venue.config_path, url)
    assert broken.returncode == 2
    assert len(broken.stderr.strip().splitlines()) == 1, broken.stderr
    assert "is damaged" in broken.stderr and "compensator restore" in broken.stderr
