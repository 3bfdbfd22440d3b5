"""Rows read through the driver (``store.bulk.fetch_tuples``) are the rows SQLAlchemy's types give, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import and_, select

from compensator.domain.kinds import SessionEventKind
from compensator.services.sessions import use_cases as sessions
from compensator.store.bulk import fetch_tuples
from compensator.store.models import LedgerEntry, SeatSession, SessionEvent
from tests.support.known_day import at_local, do

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def test_fetched_tuples_are_the_rows_the_orm_reads(uow, clock) -> None:
    at_local(clock, 14, 0)
    started = do(uow, sessions.start_session, seat_id="G1", minutes=60)
    at_local(clock, 14, 10)
    do(uow, sessions.move_session, started.id, seat_id="G2")
    at_local(clock, 14, 20)
    do(uow, sessions.end_session, started.id)
    statement = (select(SessionEvent.seat_session_id, SessionEvent.kind, SessionEvent.at, SessionEvent.seat_id)
                 .order_by(SessionEvent.id))
    with uow() as unit:
        expected = [tuple(row) for row in unit.db.execute(statement)]
        read = fetch_tuples(unit.db, statement)
    assert read == expected
    assert [row[1] for row in read] == [SessionEventKind.MOVE, SessionEventKind.END]
    assert all(row[2].utcoffset().total_seconds() == 0 for row in read)


def test_fetched_tuples_see_what_the_unit_of_work_has_not_written_yet(uow, clock) -> None:
    at_local(clock, 14, 0)
    started = do(uow, sessions.start_session, seat_id="G1", minutes=60)
    with uow() as unit:
        entry = unit.db.scalars(select(LedgerEntry).where(LedgerEntry.seat_session_id == started.id)).one()
        unit.db.add(LedgerEntry(seat_session_id=started.id, kind=entry.kind, minutes=30, value_minor=1,
                                created_at=entry.created_at, actor="test", idempotency_key="plain-pending"))
        counted = fetch_tuples(unit.db, select(LedgerEntry.id).where(LedgerEntry.seat_session_id == started.id))
        unit.db.rollback()
    assert len(counted) == 2


def test_a_null_time_and_a_null_enum_stay_none(uow, clock) -> None:
    at_local(clock, 14, 0)
    started = do(uow, sessions.start_session, seat_id="G1", minutes=60)
    with uow() as unit:
        # A session without any event, joined to its events: the event's kind and time are NULL.
        assert fetch_tuples(unit.db, select(SeatSession.id, SessionEvent.kind, SessionEvent.at).outerjoin(
            SessionEvent, and_(SessionEvent.seat_session_id == SeatSession.id))) == [(started.id, None, None)]
        assert fetch_tuples(unit.db, select(SeatSession.id).where(SeatSession.id == -1)) == []
