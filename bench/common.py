"""Shared helpers of the benchmarks: a venue of N seats, a statement counter and recorder, timings, medians."""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from compensator.clock import FakeClock
from compensator.config import parse_settings
from compensator.runtime import Compensator
from compensator.services.sessions import use_cases as sessions
from compensator.settings import Settings

START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def venue_config(seat_count: int) -> dict[str, Any]:
    """The configuration of a venue with ``seat_count`` seats in two zones, one with a UPS."""
    half = seat_count // 2
    return {
        "venue": {"name": "Bench Café", "timezone": "Africa/Lagos", "currency": "NGN", "languages": ["en", "fr"]},
        "zones": [
            {"id": "standard", "name": "Standard", "price_minor_per_hour": 30000, "ups_minutes": 5},
            {"id": "gaming", "name": "Gaming", "price_minor_per_hour": 60000, "ups_minutes": 0},
        ],
        "seats": [*_seat_ranges("S", half, "standard"), *_seat_ranges("G", seat_count - half, "gaming")],
    }


def venue_settings(seat_count: int) -> Settings:
    """The settings of ``venue_config(seat_count)``."""
    return parse_settings(venue_config(seat_count), environ={})


def _seat_ranges(prefix: str, count: int, zone: str) -> list[dict[str, str]]:
    """Seats ``prefix``1 to ``prefix``count in ``zone``, in ranges of at most 1,000 (the configuration's limit)."""
    return [{"id": f"{prefix}{first}-{prefix}{min(first + 999, count)}", "zone": zone}
            for first in range(1, count + 1, 1000)]


class StatementCounter:
    """Counts the SQL statements an engine executes while ``counting`` is on."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self.enabled = False
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *_args: Any) -> None:
        if self.enabled:
            self.count += 1

    @contextmanager
    def counting(self) -> Iterator[None]:
        """Count statements inside the block (the total is kept in ``count``)."""
        self.count = 0
        self.enabled = True
        try:
            yield
        finally:
            self.enabled = False


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements (with their parameters) ``engine`` executes inside the block, BEGIN left out."""
    statements: list[tuple[str, Any]] = []

    def record(_connection: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if not statement.startswith("BEGIN"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def timed(action: Callable[[], object]) -> float:
    """Seconds taken by one call of ``action``."""
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def peak_traced(action: Callable[[], object]) -> int:
    """The peak of Python's allocations (bytes, ``tracemalloc``) during one call of ``action``."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def median_ms(samples: list[float]) -> float:
    """The median of samples in seconds, in milliseconds."""
    return statistics.median(samples) * 1000


def open_venue(seat_count: int, directory: Path, *, minutes: Callable[[int], int | None],
               language: Callable[[int], str | None] = lambda index: None,
               start: datetime = START, spacing: timedelta = timedelta(0)) -> tuple[Compensator, FakeClock]:
    """A migrated venue of ``seat_count`` seats with a session on each seat ``minutes(index)`` gives minutes for.

    The sessions start at ``start``, or each ``spacing`` after the one before.
    """
    settings = venue_settings(seat_count)
    clock = FakeClock(start)
    runtime = Compensator.open(settings, clock=clock, database_url=f"sqlite:///{(directory / 'venue.db').as_posix()}")
    for index, seat in enumerate(settings.seats):
        session_minutes = minutes(index)
        if session_minutes is not None:
            with runtime.unit_of_work() as uow:
                sessions.start_session(uow, seat_id=seat.id, minutes=session_minutes, language=language(index),
                                       actor="bench")
            clock.advance(spacing)
    return runtime, clock


def add_past_sessions(runtime: Compensator, count: int) -> None:
    """Record ``count`` sessions that ended before the benchmark's day, as a venue's history.

    Written straight with SQL in one transaction (through the service layer it would take
    minutes); the rows are what ``start_session`` and ``end_session`` write.
    """
    if not count:
        return
    seat = runtime.settings.seats[0].id
    with runtime.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO seat_sessions (seat_id, mode, started_at, actor) VALUES (?, 'prepaid', ?, 'history')",
            [(seat, f"2025-{1 + index % 12:02d}-{1 + index % 28:02d} 10:00:00.000000") for index in range(count)])
        first = connection.exec_driver_sql("SELECT min(id) FROM seat_sessions WHERE actor = 'history'").scalar()
        connection.exec_driver_sql(
            "INSERT INTO session_events (seat_session_id, kind, at, actor) VALUES (?, 'end', ?, 'history')",
            [(first + index, f"2025-{1 + index % 12:02d}-{1 + index % 28:02d} 11:00:00.000000")
             for index in range(count)])
