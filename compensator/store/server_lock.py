"""One server per SQLite file: an operating-system lock on a file beside the database.

Two ``compensator run`` on one SQLite file (a double start, two counters sharing a folder) would
both run the scheduler and the nightly backup. The first server holds an exclusive lock on
``<database>.lock`` for as long as it runs, and a second is refused in one line naming the
first one's process. The operating system drops the lock when the process ends, however it
ends, so a server killed by a power cut never leaves a stale lock behind. PostgreSQL is shared
by design: several counters may serve one venue, and their scheduled jobs are made to run once.
"""

from __future__ import annotations

import os
from pathlib import Path

from compensator.store.database import sqlite_file
from compensator.store.health import DatabaseUnusable

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows locks with msvcrt instead
    fcntl = None  # type: ignore[assignment]


class ServerLock:
    """The lock held while the server runs; ``release`` gives it up."""

    def __init__(self, path: Path, descriptor: int) -> None:
        self.path = path
        self._descriptor: int | None = descriptor

    def release(self) -> None:
        """Give up the lock (closing the file is enough; the file itself stays for the next server)."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None


def lock_path(database: Path) -> Path:
    """The lock file of a SQLite database: its name with ``.lock`` added, in its folder."""
    return database.with_name(database.name + ".lock")


def _try_lock(descriptor: int) -> bool:
    if fcntl is not None:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    import msvcrt  # pragma: no cover - Windows

    try:  # pragma: no cover - Windows
        msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
    except OSError:  # pragma: no cover - Windows
        return False
    return True  # pragma: no cover - Windows


def hold_server_lock(database_url: str) -> ServerLock | None:
    """Take the database's server lock, or refuse in one line if another server holds it; None off SQLite."""
    database = sqlite_file(database_url)
    if database is None:
        return None
    path = lock_path(database.resolve())
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    if not _try_lock(descriptor):
        holder = os.read(descriptor, 32).decode("ascii", "replace").strip() or "unknown"
        os.close(descriptor)
        raise DatabaseUnusable(f"another Compensator server (process {holder}) already runs on {database}: "
                               "stop it first, or give this server a database of its own")
    os.ftruncate(descriptor, 0)
    os.write(descriptor, f"{os.getpid()}\n".encode("ascii"))
    return ServerLock(path, descriptor)
