"""The store's driver-level bulk reads and writes (``store.bulk``), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, insert, select

from compensator.domain.kinds import EntryKind
from compensator.store.bulk import fetch_tuples, insert_tuples, reserve_ids
from compensator.store.database import UTCDateTime, enum_column

LAGOS = timezone(timedelta(hours=1))
MOMENT = datetime(2026, 11, 22, 14, 5, 7, 123456, tzinfo=LAGOS)

metadata = MetaData()
probe = Table("bulk_probe", metadata, Column("id", Integer, primary_key=True), Column("at", UTCDateTime()),
              Column("kind", enum_column(EntryKind)), Column("flag", Boolean), Column("note", String(20)))


@pytest.fixture
def probe_table(runtime) -> Iterator[Table]:
    metadata.create_all(runtime.engine)
    yield probe
    metadata.drop_all(runtime.engine)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_rows_inserted_as_tuples_read_back_as_their_columns_types_read_them(runtime, probe_table) -> None:
    with runtime.unit_of_work() as uow:
        insert_tuples(uow.db, probe_table, ("id", "at", "kind", "flag", "note"), [
            (1, MOMENT, EntryKind.OUTAGE_CREDIT, True, "first"),
            (2, None, EntryKind.PURCHASE, False, None),
        ])
        uow.commit()
    with runtime.unit_of_work() as uow:
        rows = fetch_tuples(uow.db, select(probe_table.c.id, probe_table.c.at, probe_table.c.kind, probe_table.c.flag,
                                           probe_table.c.note).order_by(probe_table.c.id))
        # What the ORM's own path reads gives the same values.
        expected = [tuple(row) for row in uow.db.execute(select(probe_table).order_by(probe_table.c.id))]
    assert rows == [(1, MOMENT, EntryKind.OUTAGE_CREDIT, True, "first"), (2, None, EntryKind.PURCHASE, False, None)]
    assert rows == expected
    assert rows[0][1].tzinfo is UTC and rows[0][2] is EntryKind.OUTAGE_CREDIT


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_what_the_sqlalchemy_path_wrote_reads_back_the_same_through_the_driver(runtime, probe_table) -> None:
    with runtime.unit_of_work() as uow:
        uow.db.execute(insert(probe_table), [{"at": MOMENT, "kind": EntryKind.EXTENSION, "flag": True}])
        uow.commit()
    with runtime.unit_of_work() as uow:
        assert fetch_tuples(uow.db, select(probe_table.c.at, probe_table.c.kind, probe_table.c.flag)) == [
            (MOMENT, EntryKind.EXTENSION, True)]


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_reserved_ids_are_new_and_never_given_again(runtime, probe_table) -> None:
    with runtime.unit_of_work() as uow:
        uow.db.execute(insert(probe_table), [{"note": "before"}, {"note": "before"}])
        reserved = reserve_ids(uow.db, probe_table, 3)
        insert_tuples(uow.db, probe_table, ("id", "note"), [(key, "reserved") for key in reserved])
        uow.commit()
    with runtime.unit_of_work() as uow:
        # A row inserted afterwards the ordinary way gets a key of its own.
        uow.db.execute(insert(probe_table), [{"note": "after"}])
        uow.commit()
        rows = fetch_tuples(uow.db, select(probe_table.c.id, probe_table.c.note).order_by(probe_table.c.id))
    assert len(reserved) == 3 and len(set(reserved)) == 3
    assert [note for _, note in rows] == ["before", "before", "reserved", "reserved", "reserved", "after"]
    assert [key for key, note in rows if note == "reserved"] == reserved
    assert len({key for key, _ in rows}) == 6


def test_nothing_to_reserve_or_insert_issues_no_statement(runtime, probe_table) -> None:
    from bench.common import StatementCounter

    counter = StatementCounter(runtime.engine)
    with runtime.unit_of_work() as uow:
        uow.db.connection()
        with counter.counting():
            assert reserve_ids(uow.db, probe_table, 0) == []
            insert_tuples(uow.db, probe_table, ("id", "note"), [])
    assert counter.count == 0


def test_a_value_its_column_type_refuses_is_refused(runtime, probe_table) -> None:
    with runtime.unit_of_work() as uow, pytest.raises(ValueError, match="naive"):
        insert_tuples(uow.db, probe_table, ("at",), [(datetime(2026, 11, 22, 13, 5),)])
