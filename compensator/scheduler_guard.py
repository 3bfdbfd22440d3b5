"""The scheduler through a lost database or a full disk: jobs skip their run, a probe notices the return.

A job that meets a database that went away or a disk that is full skips that run: the fault is
noted once in the runtime's ``DatabaseHealth`` (one log line when it begins, one when it ends),
never a traceback every few seconds, and the job runs again at its next time. While something is
wrong a probe looks every two seconds: a lost database is back when a read works; a full SQLite
disk has room again once space is free there and the write-ahead log could be copied and cut to
nothing (``wal_checkpoint(TRUNCATE)``), so that the space freed is not eaten by the log.
"""

from __future__ import annotations

import functools
import logging
import shutil
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy import text

from compensator.runtime import Compensator
from compensator.store.database import WAL_KEPT_BYTES, checkpoint, sqlite_file, wal_file
from compensator.store.health import DatabaseProblem

log = logging.getLogger(__name__)

PROBE_JOB = "probe-database"
PROBE_EVERY_SECONDS = 2
# Free space a full disk must have again before the log is cut and writes are let through.
FREE_BYTES_NEEDED = 1024 * 1024

Parameters = ParamSpec("Parameters")
Result = TypeVar("Result")


def skipping_when_database_down(runtime: Compensator,
                                job: Callable[Parameters, Result]) -> Callable[Parameters, Result | None]:
    """``job``, skipping its run (None) when the database is lost or its disk full; a bug still raises."""

    @functools.wraps(job)
    def run(*args: Parameters.args, **kwargs: Parameters.kwargs) -> Result | None:
        if runtime.health.problem is DatabaseProblem.UNAVAILABLE:
            # The probe says when it is back; until then the job would only fail again.
            return None
        try:
            return job(*args, **kwargs)
        except Exception as error:
            if runtime.health.failed(error) is None:
                raise
            return None

    return run


def probe_database(runtime: Compensator) -> DatabaseProblem | None:
    """While the database is lost or its disk full, try it; what is still wrong after."""
    problem = runtime.health.problem
    if problem is DatabaseProblem.UNAVAILABLE:
        try:
            with runtime.reading() as uow:
                uow.db.execute(text("SELECT 1"))
        except Exception as error:
            if runtime.health.failed(error) is None:
                raise
    elif problem is DatabaseProblem.DISK_FULL:
        cut_log_when_space_returns(runtime)
    return runtime.health.problem


def cut_log_when_space_returns(runtime: Compensator) -> bool:
    """On a SQLite disk with room again, copy the log into the database and cut it; whether that was done."""
    database = sqlite_file(runtime.engine.url)
    if database is None:
        # PostgreSQL's disk is its own: a write that works again says it has room.
        return False
    if shutil.disk_usage(database.resolve().parent).free < FREE_BYTES_NEEDED:
        return False
    try:
        checkpoint(runtime.engine, truncate=True)
    except Exception as error:
        if runtime.health.failed(error) is None:
            raise
        return False
    runtime.health.worked(wrote=True)
    return True


def checkpoint_database_log(runtime: Compensator) -> tuple[int, int] | None:
    """Copy SQLite's write-ahead log into the database file, off every use case's path (``store.database``).

    A log grown past ``WAL_KEPT_BYTES`` (a burst of writes, a disk that was full) is cut to
    nothing as well, so that it gives its space back.
    """
    log_file = wal_file(runtime.engine)
    grown = log_file is not None and log_file.exists() and log_file.stat().st_size > WAL_KEPT_BYTES
    return checkpoint(runtime.engine, truncate=grown)
