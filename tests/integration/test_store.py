"""The store: migrations match the models, SQLite pragmas, UTC times, and the database URL override."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, func, insert, inspect, select, text, type_coerce
from sqlalchemy.exc import IntegrityError

from compensator.store import migrate, models, operations
from compensator.store.database import READ_ONLY_OPTION, WAL_BACKSTOP_PAGES, Base, UTCDateTime, checkpoint, make_engine
from tests.conftest import insert_one_seat

# Importing both registers every table of the schema on the one base.
SCHEMA_MODULES = (models, operations)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
# SQLite's reflection cannot read an index on an expression (lower(name)): it is checked by name below.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index uq_attendants_name_lower")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_the_migrations_build_exactly_the_schema_of_the_models(runtime) -> None:
    with runtime.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        indexes = {index["name"]: index for index in inspect(connection).get_indexes("attendants")}
    assert differences == []
    assert migrate.current_revision(runtime.engine) == migrate.head_revision()
    if runtime.engine.dialect.name == "postgresql":
        assert indexes["uq_attendants_name_lower"]["unique"]
        assert indexes["uq_attendants_name_lower"]["expressions"] == ["lower(name::text)"]
    else:
        with runtime.engine.connect() as connection:
            sql = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'uq_attendants_name_lower'"))
            assert sql.scalar_one() == "CREATE UNIQUE INDEX uq_attendants_name_lower ON attendants (lower(name))"


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_upgrading_renames_the_later_of_two_names_equal_but_for_case_then_refuses_another(database_url) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0016")
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO attendants (id, name, role, pin_hash, created_at, session_version) VALUES "
                "(1, 'ada', 'attendant', 'x', '2026-11-20 10:00:00', 1), "
                "(2, 'Bola', 'manager', 'x', '2026-11-20 10:00:00', 1), "
                "(3, 'Ada', 'manager', 'x', '2026-11-21 10:00:00', 4)"))
        migrate.upgrade(engine)
        with engine.connect() as connection:
            people = connection.execute(text("SELECT id, name, session_version FROM attendants ORDER BY id")).all()
            renames = connection.execute(text("SELECT actor, action, target_id, before, after FROM audit_log")).all()
        assert [tuple(row) for row in people] == [(1, "ada", 1), (2, "Bola", 1), (3, "Ada-3", 5)]
        ((actor, action, target, before, after),) = renames
        assert (actor, action, target) == ("migration:0017", "attendant.rename", "3")
        assert (json.loads(before) if isinstance(before, str) else before) == {"name": "Ada"}
        assert (json.loads(after) if isinstance(after, str) else after)["name"] == "Ada-3"
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text("INSERT INTO attendants (name, role, pin_hash, created_at, session_version) "
                                    "VALUES ('BOLA', 'attendant', 'x', '2026-11-22 10:00:00', 1)"))
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{(tmp_path / 'wal.db').as_posix()}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == WAL_BACKSTOP_PAGES
    engine.dispose()


def test_a_checkpoint_copies_the_log_into_the_file_without_waiting_for_a_reader(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{(tmp_path / 'log.db').as_posix()}")
    table = Table("rows", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer))
    table.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(table), [{"n": index} for index in range(2000)])
    pages, copied = checkpoint(engine)
    assert pages > 0 and copied == pages
    # A reader's snapshot keeps what it reads in the log: the checkpoint copies what it can and returns.
    with engine.connect().execution_options(**{READ_ONLY_OPTION: True}) as reader:
        assert reader.execute(select(table.c.n).where(table.c.id == 1)).scalar() == 0
        with engine.begin() as connection:
            connection.execute(insert(table), [{"n": index} for index in range(2000)])
        pages, copied = checkpoint(engine)
        assert copied < pages
        reader.rollback()
    pages, copied = checkpoint(engine)
    assert copied == pages
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(table)).scalar() == 4000
    engine.dispose()


def test_a_database_without_a_log_has_nothing_to_checkpoint() -> None:
    engine = make_engine("sqlite://")
    assert checkpoint(engine) is None
    engine.dispose()


def test_upgrading_twice_changes_nothing(runtime) -> None:
    migrate.upgrade(runtime.engine)
    assert migrate.current_revision(runtime.engine) == migrate.head_revision()


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_times_are_stored_as_utc_and_read_back_aware_and_equal(runtime) -> None:
    metadata = MetaData()
    table = Table("time_probe", metadata, Column("id", Integer, primary_key=True), Column("at", UTCDateTime()),
                  Column("plain", DateTime()))
    lagos = timezone(timedelta(hours=1))
    moment = datetime(2026, 11, 22, 14, 5, 7, 123456, tzinfo=lagos)
    metadata.create_all(runtime.engine)
    try:
        with runtime.engine.begin() as connection:
            connection.execute(insert(table), [{"at": moment, "plain": datetime(2026, 11, 22, 13, 5, 7, 123456)},
                                               {"at": None, "plain": None}])
            rows = connection.execute(select(table.c.at, table.c.plain).order_by(table.c.id)).all()
            # What SQLAlchemy's own DateTime wrote is read back by UTCDateTime as the same instant.
            mixed = connection.execute(select(type_coerce(table.c.plain, UTCDateTime()))).scalars().all()
            earlier = connection.execute(select(table.c.id).where(table.c.at < moment + timedelta(seconds=1))).all()
        assert rows[0].at == moment and rows[0].at.tzinfo is UTC
        assert rows[1].at is None
        assert mixed[0] == moment
        assert len(earlier) == 1
        with pytest.raises(Exception, match="naive"), runtime.engine.begin() as connection:
            connection.execute(insert(table), [{"at": datetime(2026, 11, 22, 13, 5)}])
    finally:
        metadata.drop_all(runtime.engine)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_upgrading_an_existing_database_lists_its_sessions_that_have_not_ended(database_url) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0002")
        with engine.begin() as connection:
            insert_one_seat(connection)
            for session_id in (1, 2, 3):
                connection.execute(text(
                    "INSERT INTO seat_sessions (id, seat_id, mode, started_at, actor) "
                    "VALUES (:id, 'A1', 'prepaid', '2026-11-20 10:00:00', 'test')"), {"id": session_id})
            connection.execute(text(
                "INSERT INTO session_events (seat_session_id, kind, at, actor) "
                "VALUES (2, 'pause', '2026-11-20 10:05:00', 'test'), (2, 'end', '2026-11-20 10:30:00', 'test')"))
        migrate.upgrade(engine)
        with engine.connect() as connection:
            open_ids = connection.execute(text("SELECT seat_session_id FROM open_seat_sessions ORDER BY 1")).scalars()
            assert list(open_ids) == [1, 3]
    finally:
        engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_upgrading_gives_each_earlier_redemption_its_entry_and_seat_and_keeps_the_table_append_only(
        database_url) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0006")
        with engine.begin() as connection:
            insert_one_seat(connection)
            connection.execute(text("INSERT INTO seat_sessions (id, seat_id, mode, started_at, actor) "
                                    "VALUES (7, 'A1', 'prepaid', '2026-11-20 10:00:00', 'test')"))
            connection.execute(text(
                "INSERT INTO ledger_entries (id, seat_session_id, kind, minutes, value_minor, created_at, actor) "
                "VALUES (40, 7, 'voucher_redemption', 25, 0, '2026-11-20 10:00:00', 'test'), "
                "(41, 7, 'extension', 30, 50, '2026-11-20 10:20:00', 'test')"))
            connection.execute(text("INSERT INTO vouchers (id, code, minutes, expires_at, created_at) "
                                    "VALUES (3, 'ABCDEFGHJ', 25, '2026-12-20 10:00:00', '2026-11-19 10:00:00')"))
            connection.execute(text("INSERT INTO voucher_redemptions (voucher_id, seat_session_id, at, actor) "
                                    "VALUES (3, 7, '2026-11-20 10:00:00', 'test')"))
        migrate.upgrade(engine)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT ledger_entry_id, seat_id FROM voucher_redemptions")).all()
        assert [tuple(row) for row in rows] == [(40, "A1")]
        with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
            connection.execute(text("UPDATE voucher_redemptions SET seat_id = 'A1'"))
    finally:
        engine.dispose()
