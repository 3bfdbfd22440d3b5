"""Rows read as the driver gives them (``store.bulk``'s ``plain_rows``) convert to the values SQLAlchemy's types give, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from compensator.domain.kinds import SessionEventKind
from compensator.services import sessions
from compensator.store.models import LedgerEntry, SeatSession, SessionEvent
from compensator.store.bulk import enum_reader, plain_rows, utc_reader
from tests.known_day import at_local, do

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def test_plain_rows_with_their_readers_are_the_rows_the_orm_reads(uow, clock) -> None:
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
        utc, kind = utc_reader(unit.db), enum_reader(SessionEventKind)
        read = [(session_id, kind(stored_kind), utc(at), seat_id)
                for session_id, stored_kind, at, seat_id in plain_rows(unit.db, statement)]
    assert read == expected
    assert [row[1] for row in read] == [SessionEventKind.MOVE, SessionEventKind.END]
    assert all(row[2].utcoffset().total_seconds() == 0 for row in read)


def test_plain_rows_see_what_the_unit_of_work_has_not_written_yet(uow, clock) -> None:
    at_local(clock, 14, 0)
    started = do(uow, sessions.start_session, seat_id="G1", minutes=60)
    with uow() as unit:
        entry = unit.db.scalars(select(LedgerEntry).where(LedgerEntry.seat_session_id == started.id)).one()
        unit.db.add(LedgerEntry(seat_session_id=started.id, kind=entry.kind, minutes=30, value_minor=1,
                                created_at=entry.created_at, actor="test", idempotency_key="plain-pending"))
        counted = plain_rows(unit.db, select(LedgerEntry.id).where(LedgerEntry.seat_session_id == started.id))
        unit.db.rollback()
    assert len(counted) == 2


def test_a_null_time_and_a_null_enum_stay_none(uow) -> None:
    with uow() as unit:
        assert utc_reader(unit.db)(None) is None
        assert enum_reader(SessionEventKind)(None) is None
        with pytest.raises(KeyError):
            enum_reader(SessionEventKind)("not a kind")
        assert plain_rows(unit.db, select(SeatSession.id).where(SeatSession.id == -1)) == []
