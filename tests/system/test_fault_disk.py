"""The disk fills under a running server, for real: its SQLite database on a small tmpfs, filled to the
last byte by another file while a keyed load runs, then freed again.

What the users see is asserted: writes are answered 507 ``disk_full`` with ``Retry-After`` while
reads go on, the dashboard's board warns, the log says so once and once again when there is
room, with no traceback; once space is freed the write-ahead log is cut back so that it does not
eat the space again, writes go on, and nothing acknowledged is lost or doubled.
"""

from __future__ import annotations

import errno
import sqlite3
import time
from pathlib import Path

from compensator.store.database import WAL_KEPT_BYTES
from tests.support.crash_server import Server
from tests.support.faults import Counter, SessionLoad, call, check_acknowledged, check_fault_logged, wait_until
from tests.system.conftest import fault_venue_in

FULL_FOR_SECONDS = 5
WRITING_AFTER_SECONDS = 30


def fill(path: Path) -> None:
    """Write ``path`` until the disk has no byte left."""
    chunk = b"\0" * (256 * 1024)
    with path.open("wb", buffering=0) as filler:
        try:
            while True:
                filler.write(chunk)
        except OSError as error:
            assert error.errno == errno.ENOSPC
    # What a last partial chunk left free is taken too.
    with path.open("ab", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 512)
        except OSError as error:
            assert error.errno == errno.ENOSPC


def test_a_full_disk_is_answered_507_warned_on_the_dashboard_and_survived(small_disk: Path, tmp_path: Path) -> None:
    database = small_disk / "compensator.db"
    venue = fault_venue_in(tmp_path / "venue", f"sqlite:///{database.as_posix()}")
    server = Server(venue)
    server.start()
    load = SessionLoad(venue, ("A1", "A2", "G1"), pause=0.05)
    try:
        counter = Counter(venue.base_url)
        counter.login()
        load.start()
        assert wait_until(lambda: load.acknowledged_count() >= 3, 60)

        filler = small_disk / "filler"
        fill(filler)
        assert wait_until(lambda: load.statuses[507] > 0, 30), load.statuses
        refused = call(venue.base_url, "POST", "/api/v1/sessions", {"seat": "A9", "minutes": 30}, token=venue.token,
                       key="disk-full-start")
        assert (refused.status, refused.body["error"]["code"]) == (507, "disk_full")
        assert int(refused.headers["Retry-After"]) > 0
        assert "disk of the counter PC is full" in refused.body["error"]["message"]
        # Reads go on, and the dashboard warns while nothing can be saved.
        assert call(venue.base_url, "GET", "/api/v1/seats", token=venue.token).status == 200
        board = counter.board()
        assert board.status == 200 and board.body["database"]["code"] == "disk_full", board.body
        status, page = counter.page("/")
        assert status == 200 and "Disk full" in page
        time.sleep(FULL_FOR_SECONDS)
        acknowledged_while_full = load.acknowledged_count()

        filler.unlink()
        assert wait_until(lambda: counter.board().body["database"] is None, 30)
        assert wait_until(lambda: load.acknowledged_count() >= acknowledged_while_full + 3, 60)
        full_answers = load.statuses[507]
        # The log is watched while the load goes on: it stays a few megabytes, whatever the load writes.
        wal = database.with_name(database.name + "-wal")
        largest = 0
        for _ in range(WRITING_AFTER_SECONDS):
            largest = max(largest, wal.stat().st_size if wal.exists() else 0)
            time.sleep(1)
        assert largest <= 2 * WAL_KEPT_BYTES, largest
        # The space freed stays free: the log was cut back and does not fill the disk again.
        assert load.statuses[507] == full_answers, load.statuses
        retried = call(venue.base_url, "POST", "/api/v1/sessions", {"seat": "A9", "minutes": 30}, token=venue.token,
                       key="disk-full-start")
        assert retried.status == 201
        load.stop()
        check_acknowledged(load)
    finally:
        load.abandon()
        server.stop()
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()
    assert load.statuses[500] == 0, load.statuses
    check_fault_logged(server.log_path, "disk full", "disk has room again")
