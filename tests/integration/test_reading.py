"""Read-only units of work: on SQLite they read beside a writer instead of queueing for its lock, and they never write."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, select, update

from compensator.runtime import Compensator
from compensator.services.counter.board import seat_board
from compensator.services.sessions import use_cases as sessions
from compensator.store.database import WriteInReadOnlyUnitOfWork, make_engine, make_session_factory
from compensator.store.models import Seat, SeatSession

# Only a broken read path waits this long: the test then fails on its ordering, never on time.
WRITER_HOLDS_AT_MOST_SECONDS = 30


def _begins(runtime: Compensator) -> Iterator[list[str]]:
    issued: list[str] = []

    def record(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("BEGIN"):
            issued.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", record)
    yield issued
    event.remove(runtime.engine, "before_cursor_execute", record)


@pytest.fixture
def begins(runtime: Compensator) -> Iterator[list[str]]:
    """The BEGIN statements the runtime's engine issues during the test."""
    yield from _begins(runtime)


def test_a_read_completes_while_another_connection_holds_the_sqlite_write_lock(runtime: Compensator) -> None:
    holding = threading.Event()
    release = threading.Event()
    writer_finished = threading.Event()

    def writer() -> None:
        with runtime.unit_of_work() as uow, uow.commit_held():
            sessions.start_session(uow, seat_id="A1", minutes=60, actor="writer")
            # Flushed, not committed: the transaction keeps the write lock while it waits here.
            holding.set()
            release.wait(WRITER_HOLDS_AT_MOST_SECONDS)
        writer_finished.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(WRITER_HOLDS_AT_MOST_SECONDS)
        with runtime.reading() as uow:
            tiles = seat_board(uow)
        finished_first = not writer_finished.is_set()
    finally:
        release.set()
        thread.join()
    assert finished_first
    # The read saw the last committed state: the writer's session was not yet there.
    assert all(tile.session_id is None for tile in tiles)


def test_a_read_only_unit_of_work_refuses_to_flush_changes(runtime: Compensator) -> None:
    with runtime.reading() as uow:
        seat = uow.db.get(Seat, "A1")
        assert seat is not None
        seat.label = "changed"
        with pytest.raises(WriteInReadOnlyUnitOfWork):
            uow.db.flush()
    with runtime.reading() as uow:
        assert uow.db.get(Seat, "A1").label != "changed"


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_read_only_unit_of_work_refuses_statements_that_write_and_cannot_commit(runtime: Compensator) -> None:
    with runtime.reading() as uow:
        with pytest.raises(WriteInReadOnlyUnitOfWork):
            uow.db.execute(update(Seat).values(label="changed"))
        with pytest.raises(WriteInReadOnlyUnitOfWork):
            sessions.start_session(uow, seat_id="A1", minutes=60, actor="reader")
        with pytest.raises(WriteInReadOnlyUnitOfWork):
            uow.commit()
    with runtime.reading() as uow:
        assert uow.db.scalars(select(SeatSession)).all() == []
        assert "changed" not in uow.db.scalars(select(Seat.label)).all()


def test_on_sqlite_only_writers_take_the_write_lock_at_begin(runtime: Compensator, begins: list[str]) -> None:
    with runtime.reading() as uow:
        seat_board(uow)
    with runtime.unit_of_work() as uow:
        sessions.start_session(uow, seat_id="A1", minutes=60, actor="writer")
    assert begins == ["BEGIN", "BEGIN IMMEDIATE"]


def test_the_benchmarks_switch_makes_reads_take_the_write_lock_as_before(runtime: Compensator,
                                                                         tmp_path: Path) -> None:
    engine = make_engine(runtime.engine.url.render_as_string(), reads_take_write_lock=True)
    locking = Compensator(runtime.settings, runtime.clock, engine, make_session_factory(engine))
    try:
        for issued in _begins(locking):
            with locking.reading() as uow:
                seat_board(uow)
            assert issued == ["BEGIN IMMEDIATE"]
    finally:
        locking.close()
