"""The history tables are append-only in the database itself, on SQLite and on PostgreSQL.

Every statement here is raw SQL through the engine, as a script or a database shell would send
it: the ORM's own refusal is tested with the sessions. A refused statement must be refused by the
append-only guards (the exact message), and the rows must be as they were.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DatabaseError

from compensator.domain.kinds import SessionEventKind
from compensator.services.handover import notices
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions.vouchers import redeem_voucher
from compensator.store import migrate
from compensator.store.models import APPEND_ONLY_TABLES, AuditRecord, SessionEvent
from tests.conftest import insert_one_seat, power_cut_over

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
ACTOR = "attendant:ada"

# Each statement aims at the kept row ``:id`` and would change it if it were carried out.
REFUSED_EVERYWHERE = (
    "UPDATE {table} SET id = id + 1000 WHERE id = :id",
    "DELETE FROM {table} WHERE id = :id",
    "INSERT INTO {table} SELECT * FROM {table} WHERE id = :id ON CONFLICT (id) DO UPDATE SET id = {table}.id + 1000",
)
REFUSED_ON = {
    "sqlite": (
        "REPLACE INTO {table} SELECT * FROM {table} WHERE id = :id",
        "INSERT OR REPLACE INTO {table} SELECT * FROM {table} WHERE id = :id",
        "UPDATE OR REPLACE {table} SET id = id + 1000 WHERE id = :id",
    ),
    # A plain TRUNCATE of a table that others reference is refused by the foreign key check
    # before any trigger runs; CASCADE is the form that would really empty the table.
    "postgresql": ("TRUNCATE {table} CASCADE",),
}


@pytest.fixture
def history(runtime, uow, clock) -> None:
    """Every history table holds rows, all written through the services."""
    outage, session_ids = power_cut_over(uow, clock, {"A1": 60, "G1": 30}, after_minutes=20, lasting_minutes=30)
    clock.advance(minutes=15)
    with uow() as unit:
        corrected = outages.correct_outage(unit, outage.id, ended_at=outage.started_at + timedelta(minutes=40),
                                           reason="generator log", actor=ACTOR)
    voucher_code = next(code for compensation in corrected.compensations for code in compensation.voucher_codes)
    with uow() as unit:
        redeem_voucher(unit, voucher_code, seat_id="A3", actor=ACTOR)
    with uow() as unit:
        notice = notices.list_notices(unit, status="pending")[0]
        notices.deliver_notice(unit, notice.id, how="printed", feedback="happy", actor=ACTOR)
    with uow() as unit:
        sessions.end_session(unit, session_ids["A1"], actor=ACTOR)
    assert {table: count_rows(runtime.engine, table) > 0 for table in APPEND_ONLY_TABLES} == dict.fromkeys(
        APPEND_ONLY_TABLES, True)


def count_rows(engine: Engine, table: str) -> int:
    """How many rows ``table`` holds."""
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def rows(engine: Engine, table: str) -> list[tuple[object, ...]]:
    """Every row of ``table``, in id order."""
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))]


def outcome(engine: Engine, statement: str, **parameters: object) -> str:
    """The first line of the database's refusal of ``statement``, or "carried out" (and committed)."""
    try:
        with engine.begin() as connection:
            connection.execute(text(statement), parameters)
    except DatabaseError as error:
        return str(error.orig).splitlines()[0]
    return "carried out"


def columns_without_id(engine: Engine, table: str) -> str:
    """The column list of ``table`` without its id, for copying a row under a new id."""
    return ", ".join(column["name"] for column in inspect(engine).get_columns(table) if column["name"] != "id")


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_a_kept_history_row_cannot_be_updated_deleted_replaced_or_truncated(runtime, history, table) -> None:
    engine = runtime.engine
    statements = REFUSED_EVERYWHERE + REFUSED_ON[engine.dialect.name]
    before = rows(engine, table)
    kept_id = before[0][0]
    outcomes = {statement: outcome(engine, statement.format(table=table), id=kept_id) for statement in statements}
    assert outcomes == dict.fromkeys(statements, f"{table} is append-only")
    assert rows(engine, table) == before


@pytest.mark.parametrize(("table", "column"), [("ledger_entries", "idempotency_key"),
                                               ("ledger_entries", "reverses_id"),
                                               ("voucher_redemptions", "voucher_id")])
def test_a_new_row_that_collides_on_another_unique_column_cannot_replace_the_kept_one(runtime, history, table,
                                                                                       column) -> None:
    engine = runtime.engine
    if column == "reverses_id":
        # No service reverses an entry yet; the reversal is written the way a correction would be.
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO ledger_entries (seat_session_id, kind, minutes, value_minor, created_at, reverses_id, "
                "actor, note) SELECT seat_session_id, 'reversal', -minutes, -value_minor, created_at, id, :actor, "
                "'reversed by hand' FROM ledger_entries WHERE kind = 'purchase' ORDER BY id LIMIT 1"), {"actor": ACTOR})
    columns = columns_without_id(engine, table)
    # A copy of the row under a new id: it collides with the kept row on ``column`` only.
    copy = f"INTO {table} ({columns}) SELECT {columns} FROM {table} WHERE {column} IS NOT NULL ORDER BY id LIMIT 1"
    statements = [f"INSERT {copy} ON CONFLICT ({column}) DO UPDATE SET {column} = excluded.{column}"]
    if engine.dialect.name == "sqlite":
        statements += [f"REPLACE {copy}", f"INSERT OR REPLACE {copy}"]
    before = rows(engine, table)
    outcomes = {statement: outcome(engine, statement) for statement in statements}
    assert outcomes == dict.fromkeys(statements, f"{table} is append-only")
    assert rows(engine, table) == before


def test_history_tables_still_take_new_rows_one_at_a_time_and_many_at_once(runtime, uow, clock, history) -> None:
    engine = runtime.engine
    before = count_rows(engine, "audit_log")
    audit_row = {"at": "2026-11-22 15:00:00", "actor": ACTOR, "action": "test.raw", "target_type": "test"}
    insert = ("INSERT INTO audit_log (at, actor, action, target_type, target_id) "
              "VALUES (:at, :actor, :action, :target_type, :target_id)")
    with engine.begin() as connection:
        connection.execute(text(insert), {**audit_row, "target_id": "single"})
        connection.execute(text(insert), [{**audit_row, "target_id": str(number)} for number in range(3)])
        new_id = connection.execute(text("SELECT max(id) FROM audit_log")).scalar_one() + 1000
        connection.execute(text("INSERT INTO audit_log (id, at, actor, action, target_type, target_id) "
                                "VALUES (:id, :at, :actor, :action, :target_type, 'explicit id')"),
                           {**audit_row, "id": new_id})
    session_id = rows(engine, "seat_sessions")[0][0]
    with uow() as unit:
        # Several rows of one table in one flush go out as one multi-row INSERT.
        unit.db.add_all([AuditRecord(at=clock.now(), actor=ACTOR, action="test.orm", target_type="test",
                                     target_id=str(number)) for number in range(3)])
        unit.db.add_all([SessionEvent(seat_session_id=session_id, kind=kind, at=clock.now(), actor=ACTOR)
                         for kind in (SessionEventKind.PAUSE, SessionEventKind.RESUME)])
        unit.commit()
    assert count_rows(engine, "audit_log") == before + 8
    with engine.connect() as connection:
        assert connection.execute(text("SELECT target_id FROM audit_log WHERE id = :id"), {"id": new_id}).scalar_one() \
            == "explicit id"


def test_upgrading_an_existing_database_guards_the_rows_it_already_holds(bare_engine) -> None:
    migrate.upgrade(bare_engine, "0004")
    with bare_engine.begin() as connection:
        insert_one_seat(connection)
        connection.execute(text("INSERT INTO seat_sessions (id, seat_id, mode, started_at, actor) "
                                "VALUES (1, 'A1', 'prepaid', '2026-11-20 10:00:00', 'test')"))
        connection.execute(text("INSERT INTO ledger_entries (id, seat_session_id, kind, minutes, value_minor, "
                                "created_at, actor) "
                                "VALUES (1, 1, 'purchase', 60, 30000, '2026-11-20 10:00:00', 'test')"))
    upsert = ("INSERT INTO ledger_entries SELECT * FROM ledger_entries WHERE id = 1 "
              "ON CONFLICT (id) DO UPDATE SET minutes = 600")
    # Before the upgrade, an upsert on a kept id is already refused: its update part fires the
    # update guard of revision 0001.
    with pytest.raises(DatabaseError, match="ledger_entries is append-only"), bare_engine.begin() as connection:
        connection.execute(text(upsert))
    before = rows(bare_engine, "ledger_entries")

    migrate.upgrade(bare_engine)

    assert migrate.current_revision(bare_engine) == migrate.head_revision()
    statement = {"sqlite": "REPLACE INTO ledger_entries SELECT * FROM ledger_entries WHERE id = 1",
                 "postgresql": "TRUNCATE ledger_entries CASCADE"}[bare_engine.dialect.name]
    with pytest.raises(DatabaseError, match="ledger_entries is append-only"), bare_engine.begin() as connection:
        connection.execute(text(statement))
    assert rows(bare_engine, "ledger_entries") == before


def guards(engine: Engine) -> list[tuple[object, ...]]:
    """The definition of every trigger and trigger function in the database."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return [tuple(row) for row in connection.execute(text(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"))]
        triggers = connection.execute(text(
            "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE NOT tgisinternal ORDER BY 1, 2"))
        functions = connection.execute(text(
            "SELECT proname, pg_get_functiondef(oid) FROM pg_proc WHERE proname LIKE 'compensator%' ORDER BY 1"))
        return [tuple(row) for row in triggers] + [tuple(row) for row in functions]


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database behind ``engine`` back to ``revision``."""
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_downgrading_puts_back_exactly_the_guards_of_the_previous_revision(bare_engine) -> None:
    migrate.upgrade(bare_engine, "0004")
    previous = guards(bare_engine)
    migrate.upgrade(bare_engine)
    upgraded = guards(bare_engine)
    downgrade(bare_engine, "0004")
    assert guards(bare_engine) == previous
    migrate.upgrade(bare_engine)
    assert guards(bare_engine) == upgraded != previous


def test_upgrading_gives_old_adjustments_the_figures_of_their_compensation_and_keeps_them_guarded(
        bare_engine) -> None:
    migrate.upgrade(bare_engine, "0005")
    at = "'2026-11-20 10:00:00'"
    with bare_engine.begin() as connection:
        for statement in (
            "INSERT INTO zones (id, name, price_minor_per_hour, ups_minutes, retired) VALUES ('z', 'Z', 600, 0, false)",
            "INSERT INTO seats (id, label, zone_id, retired) VALUES ('G1', 'G1', 'z', false)",
            f"INSERT INTO seat_sessions (id, seat_id, mode, started_at, actor) VALUES (1, 'G1', 'prepaid', {at}, 't')",
            "INSERT INTO outages (id, kind, scope_kind, scope_ids, scope_key, started_at, ended_at, source, status, "
            f"actor, created_at) VALUES (1, 'power', 'venue', '[]', 'venue', {at}, {at}, 'manual', 'ended', 't', {at})",
            "INSERT INTO outage_revisions (id, outage_id, action, at, actor, started_at, ended_at, status) "
            f"VALUES (1, 1, 'correct', {at}, 't', {at}, {at}, 'ended')",
            "INSERT INTO compensations (id, outage_id, seat_session_id, seat_id, dark_start, dark_end, lost_minutes, "
            "restart_minutes, lost_work_minutes, goodwill_minutes, extras_minutes, credit_minutes, granted_minutes, "
            "opened_stretch, form, value_minor, status, policy_fingerprint, explanation, created_at) VALUES "
            f"(1, 1, 1, 'G1', {at}, {at}, 50, 3, 10, 0, 13, 65, 65, true, 'time', 650, 'applied', 'f1', 'e', {at})",
            "INSERT INTO compensation_adjustments (id, compensation_id, revision_id, at, previous_credit_minutes, "
            f"credit_minutes, topup_minutes, waived_minutes, explanation) VALUES (1, 1, 1, {at}, 60, 65, 5, 0, 'x')",
        ):
            connection.execute(text(statement))
    migrate.upgrade(bare_engine)
    with bare_engine.connect() as connection:
        adjustment = connection.execute(text(
            "SELECT lost_minutes, restart_minutes, lost_work_minutes, extras_minutes, credit_minutes, opened_stretch, "
            "form, value_minor, policy_fingerprint, topup_minutes FROM compensation_adjustments")).one()
    assert tuple(adjustment) == (50, 3, 10, 13, 65, True, "time", 650, "f1", 5)
    for statement in ("UPDATE compensation_adjustments SET topup_minutes = 50",
                      "DELETE FROM compensation_adjustments"):
        with pytest.raises(DatabaseError, match="compensation_adjustments is append-only"), \
                bare_engine.begin() as connection:
            connection.execute(text(statement))
