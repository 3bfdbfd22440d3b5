"""Whether the database can be used now: a lost database or a full disk told apart from a bug.

A database that went away (PostgreSQL stopped, its network cut, a SQLite file that cannot be
read) and a disk that is full are faults of the machine, not of the program: a request meets
them as a 503 or a 507 with ``Retry-After``, the scheduler's jobs skip their run, and the log
says so once when it begins and once when it ends, never a traceback per request.
``DatabaseHealth`` is that state, shared by the web layer, the scheduler and every unit of work
of one runtime; ``problem_of`` reads it from an exception.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import threading
import time
from enum import StrEnum

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

# SQLite's primary result codes (the low byte of an extended one) that mean the file cannot be
# used now: busy or locked past the timeout, an I/O error, a file that cannot be opened.
SQLITE_UNAVAILABLE = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN}
SQLITE_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
# PostgreSQL's SQLSTATE classes of a lost server: connection exceptions, operator intervention
# (a shutdown), system errors; and the one state of a full disk.
POSTGRES_UNAVAILABLE_CLASSES = ("08", "57", "58")
POSTGRES_DISK_FULL = "53100"
# What a client is told to wait before it tries again.
RETRY_AFTER_SECONDS = 5


class DatabaseProblem(StrEnum):
    """Why the database cannot be used now."""

    UNAVAILABLE = "unavailable"
    DISK_FULL = "disk_full"


class DatabaseUnusable(Exception):
    """The database cannot be used at start-up, said in one line (the command exits with status 2)."""


def _sqlite_code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def problem_of(error: BaseException) -> DatabaseProblem | None:
    """The fault of the machine ``error`` reports, or None for anything else (a bug stays a bug)."""
    invalidated = isinstance(error, DBAPIError) and error.connection_invalidated
    cause: BaseException = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
        return DatabaseProblem.DISK_FULL
    if isinstance(cause, sqlite3.Error):
        code = _sqlite_code(cause)
        if code == sqlite3.SQLITE_FULL or "disk is full" in str(cause):
            return DatabaseProblem.DISK_FULL
        if code in SQLITE_UNAVAILABLE or "unable to open database" in str(cause):
            return DatabaseProblem.UNAVAILABLE
        return DatabaseProblem.UNAVAILABLE if invalidated else None
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate == POSTGRES_DISK_FULL:
        return DatabaseProblem.DISK_FULL
    if type(cause).__module__.startswith("psycopg"):
        lost = sqlstate is None or sqlstate.startswith(POSTGRES_UNAVAILABLE_CLASSES)
        if lost and type(cause).__name__ in ("OperationalError", "InterfaceError"):
            return DatabaseProblem.UNAVAILABLE
    return DatabaseProblem.UNAVAILABLE if invalidated else None


def first_line(error: BaseException) -> str:
    """The driver's own words for ``error``, on one line and without SQLAlchemy's appendix."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__


def unusable_message(database_url: str, error: BaseException) -> str | None:
    """The one line that says why the database cannot be used at start-up, or None if ``error`` is a bug."""
    where = make_url(database_url).render_as_string(hide_password=True)
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    if isinstance(cause, sqlite3.Error) and _sqlite_code(cause) in SQLITE_DAMAGED:
        return (f"the database {where} is damaged ({first_line(error)}): restore the latest backup "
                "with compensator restore --force")
    problem = problem_of(error)
    if problem is DatabaseProblem.DISK_FULL:
        return f"the disk of the database {where} is full ({first_line(error)}): free some space and start again"
    if problem is DatabaseProblem.UNAVAILABLE or isinstance(cause, sqlite3.DatabaseError):
        return f"the database {where} cannot be reached ({first_line(error)}): start it, or check database.url"
    return None


class DatabaseHealth:
    """The database's state as the last use of it found it, with each change logged once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._problem: DatabaseProblem | None = None
        # Monotonic seconds: when the current problem began, and when the last one ended.
        self._since = 0.0
        self._back_at: float | None = None

    @property
    def problem(self) -> DatabaseProblem | None:
        """What is wrong now, or None."""
        return self._problem

    def failed(self, error: BaseException) -> DatabaseProblem | None:
        """Note what ``error`` says of the database; the problem, or None if it is not the database's."""
        problem = problem_of(error)
        if problem is None:
            return None
        with self._lock:
            if self._problem is problem:
                return problem
            self._problem, self._since = problem, time.monotonic()
        if problem is DatabaseProblem.DISK_FULL:
            log.error("disk full: nothing can be saved until space is freed (%s)", first_line(error))
        else:
            log.error("database unavailable: %s; requests are answered 503 until it is back", first_line(error))
        return problem

    def worked(self, *, wrote: bool) -> None:
        """Note a use of the database that worked: a read ends a lost database, only a write a full disk."""
        if self._problem is None or (self._problem is DatabaseProblem.DISK_FULL and not wrote):
            return
        with self._lock:
            problem, self._problem = self._problem, None
            if problem is None:
                return
            seconds, self._back_at = time.monotonic() - self._since, time.monotonic()
        words = "disk has room again" if problem is DatabaseProblem.DISK_FULL else "database back"
        log.warning("%s after %.0f s", words, seconds)

    def settled_for(self, seconds: float) -> bool:
        """Whether the database works now and has for at least ``seconds`` since it was last lost."""
        if self._problem is not None:
            return False
        return self._back_at is None or time.monotonic() - self._back_at >= seconds
