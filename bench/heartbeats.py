"""The heartbeat detection job over 100, 500 and 2000 seats, each with a running session that beats.

Each size gets a venue where every seat runs a session and has just sent a heartbeat. Measured:
the job's steady run (nobody silent: what it does every 5 s almost always), its median time
and statements, and the run that finds 60 % of the seats silent and raises the suspected
outage (statements). The floor is plain ``sqlite3`` reading what the job must read at least
(every seat's heartbeat and every open session's rows) from the same file, timed in the same run.
"""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import timedelta
from pathlib import Path

from bench.common import StatementCounter, median_ms, open_venue, timed
from compensator.services.sources import detection
from compensator.services.sources.heartbeats import record_seat_heartbeat

SIZES = (100, 500, 2000)
REPETITIONS = 15
FLOOR_QUERIES = (
    "SELECT seat_id, last_seen_at, beating_since FROM seat_heartbeats",
    "SELECT s.id, s.seat_id, s.mode, s.started_at FROM seat_sessions s JOIN open_seat_sessions o "
    "ON o.seat_session_id = s.id",
    "SELECT e.* FROM session_events e JOIN open_seat_sessions o ON o.seat_session_id = e.seat_session_id",
    "SELECT l.* FROM ledger_entries l JOIN open_seat_sessions o ON o.seat_session_id = l.seat_session_id",
)


def floor_ms(path: Path) -> float:
    """The median time of plain sqlite3 reading every heartbeat and every open session's rows."""
    connection = sqlite3.connect(path)
    try:
        def read() -> None:
            for query in FLOOR_QUERIES:
                connection.execute(query).fetchall()

        read()
        return median_ms([timed(read) for _ in range(REPETITIONS)])
    finally:
        connection.close()


def measure(seat_count: int, directory: Path) -> tuple[float, int, int, float]:
    """Steady median ms and statements, statements of the raising run, and the floor's median ms."""
    runtime, clock = open_venue(seat_count, directory, minutes=lambda index: 240)
    try:
        seats = [seat.id for seat in runtime.settings.seats]
        for seat in seats:
            with runtime.unit_of_work() as uow:
                record_seat_heartbeat(uow, seat_id=seat)
        counter = StatementCounter(runtime.engine)

        def job() -> detection.DetectionRun:
            with runtime.unit_of_work() as uow:
                return detection.detect(uow)

        job()
        with counter.counting():
            job()
        steady_statements = counter.count
        steady_ms = median_ms([timed(job) for _ in range(REPETITIONS)])
        clock.advance(seconds=runtime.settings.heartbeats.silent_after_seconds + 1)
        for seat in seats[: seat_count * 2 // 5]:
            with runtime.unit_of_work() as uow:
                record_seat_heartbeat(uow, seat_id=seat)
        clock.advance(timedelta(seconds=1))
        with counter.counting():
            raised = job().raised
        assert raised is not None, "60 % of the seats silent must raise a suspected outage"
        return steady_ms, steady_statements, counter.count, floor_ms(directory / "venue.db")
    finally:
        runtime.close()


def main() -> None:
    """Run the benchmark and print one line per size."""
    print("heartbeat detection job over N seats, each running a session (SQLite file)")
    steady_counts, raise_counts = {}, {}
    for size in SIZES:
        with tempfile.TemporaryDirectory(prefix="compensator-bench-") as name:
            steady_ms, steady_counts[size], raise_counts[size], floor = measure(size, Path(name))
        print(f"  N={size:4d}: steady run median {steady_ms:7.2f} ms, {steady_counts[size]} statements; "
              f"raising run {raise_counts[size]} statements; plain sqlite3 floor {floor:6.2f} ms, "
              f"ratio {steady_ms / floor:5.1f}")
    flat = len(set(steady_counts.values())) == 1 and len(set(raise_counts.values())) == 1
    print(f"  statement count {'does not grow' if flat else 'GROWS'} with N: steady {steady_counts}, "
          f"raising {raise_counts}")


if __name__ == "__main__":
    main()
