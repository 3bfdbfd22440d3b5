"""The busy day the report benchmark reads: built once through the services, then kept in a cached SQLite file.

The day has ``waves`` waves 40 minutes apart over every seat of the venue (20 waves over 500
seats: 10,000 sessions, 20 outages, 7,500 compensations). In each wave every seat starts a
session (one in ten postpaid, one in eight prepaid for so short a time that it runs out during
the outage, and gets a voucher); one in twenty (prepaid) buys 30 minutes more; a quarter end after five
minutes and five postpaid sessions move to the seats they freed; an outage (venue-wide power,
every fifth a network failure) runs from minute 10 to 25 and is compensated when it ends; one
notice in ten is delivered; two outages are corrected; every session still running ends at
minute 38. Building it takes minutes, so the file is kept under the temporary directory, keyed
by ``VERSION`` (change it when the day changes) and its size, and reused by later runs.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event

from bench.common import venue_settings
from compensator.clock import FakeClock
from compensator.runtime import Compensator
from compensator.services.handover import notices
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions

VERSION = "report-day-1"
DAY = date(2026, 11, 23)
# 07:00 UTC is 08:00 in Lagos, where the bench venue is; the day's report is read at 23:30.
FIRST_WAVE = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
READ_AT = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)
WAVE_MINUTES = 40
ACTOR = "bench"


def cached_day(seat_count: int, waves: int) -> Path:
    """The path of the cached database of the day of ``waves`` waves over ``seat_count`` seats, built if missing."""
    directory = Path(tempfile.gettempdir()) / f"compensator-bench-{VERSION}"
    directory.mkdir(exist_ok=True)
    path = directory / f"day-{seat_count}-seats-{waves}-waves.db"
    if not path.exists():
        building = directory / f"building-{os.getpid()}.db"
        began = time.perf_counter()
        print(f"  building the day of {waves} waves over {seat_count} seats through the services "
              f"(once; kept in {path})", file=sys.stderr, flush=True)
        build_day(seat_count, waves, building)
        for suffix in ("-wal", "-shm"):
            Path(f"{building}{suffix}").unlink(missing_ok=True)
        building.rename(path)
        print(f"  built in {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    return path


def open_day(path: Path) -> Compensator:
    """A runtime on the cached day, its clock at the time the report is read."""
    seat_count = int(path.name.split("-")[1])
    return Compensator.open(venue_settings(seat_count), clock=FakeClock(READ_AT),
                            database_url=f"sqlite:///{path.as_posix()}")


def build_day(seat_count: int, waves: int, path: Path) -> None:
    """Live the day through the services into a new database at ``path``."""
    clock = FakeClock(FIRST_WAVE)
    runtime = Compensator.open(venue_settings(seat_count), clock=clock, database_url=f"sqlite:///{path.as_posix()}")
    # The day is a fixture, not a record to keep through a power loss: without a sync at every
    # commit it builds several times faster. Pooled connections are dropped so new ones get it.
    event.listen(runtime.engine, "connect", _no_sync)
    runtime.engine.dispose()
    seats = [seat.id for seat in runtime.settings.seats]

    def do(action, *args, **kwargs):
        with runtime.unit_of_work() as uow:
            return action(uow, *args, actor=ACTOR, **kwargs)

    try:
        for wave in range(waves):
            began = FIRST_WAVE + timedelta(minutes=WAVE_MINUTES * wave)
            clock.set(began)
            started = [do(sessions.start_session, seat_id=seat, **_session_kind(index))
                       for index, seat in enumerate(seats)]
            clock.set(began + timedelta(minutes=2))
            for index in range(5, seat_count, 20):
                do(sessions.extend_session, started[index].id, minutes=30)
            clock.set(began + timedelta(minutes=5))
            running = dict(enumerate(started))
            for index in range(3, seat_count, 4):
                do(sessions.end_session, running.pop(index).id)
            clock.set(began + timedelta(minutes=6))
            for index in range(0, seat_count - 3, 100):
                do(sessions.move_session, running[index].id, seat_id=seats[index + 3])
            clock.set(began + timedelta(minutes=10))
            outage = do(outages.start_outage, kind="network" if wave % 5 == 4 else "power")
            clock.set(began + timedelta(minutes=25))
            ended = do(outages.end_outage, outage.id)
            clock.set(began + timedelta(minutes=27))
            if wave in (3, 7):
                # One correction shrinks an outage (minutes waived), the other lengthens it (top-ups).
                shift = timedelta(minutes=-2 if wave == 3 else 1)
                ended = do(outages.correct_outage, outage.id, ended_at=began + timedelta(minutes=25) + shift,
                           reason="the generator log says otherwise")
            for number, compensation in enumerate(ended.compensations):
                if number % 10 == 0 and compensation.notice_id is not None:
                    do(notices.deliver_notice, compensation.notice_id, how="printed" if number % 20 else "shown",
                       feedback=("happy", "neutral", "unhappy")[number % 3])
            clock.set(began + timedelta(minutes=38))
            for session in running.values():
                do(sessions.end_session, session.id)
            print(f"    wave {wave + 1}/{waves}", file=sys.stderr, flush=True)
    finally:
        runtime.close()


def _no_sync(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


def _session_kind(index: int) -> dict[str, object]:
    language = "fr" if index % 3 == 0 else None
    if index % 10 == 0:
        return {"postpaid": True, "language": language}
    # A session of 20 minutes runs out during the outage (minutes 10 to 25): it gets a voucher.
    return {"minutes": 20 if index % 8 == 1 else 60, "language": language}
