"""Migration 0014 (issue 22, item 8): each voucher already issued takes the price of its compensation's zone."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text

from compensator.store import migrate
from compensator.store.database import make_engine
from tests.conftest import insert_one_seat

T = "'2026-11-20 10:00:00'"


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_upgrading_gives_each_voucher_of_a_compensation_its_zones_price_and_downgrades_cleanly(database_url) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0013")
        with engine.begin() as connection:
            insert_one_seat(connection)  # zone z at 100 per hour
            connection.execute(text(f"INSERT INTO seat_sessions (id, seat_id, mode, started_at, actor) "
                                    f"VALUES (1, 'A1', 'prepaid', {T}, 'test')"))
            connection.execute(text(
                "INSERT INTO outages (id, kind, scope_kind, scope_ids, scope_key, started_at, ended_at, source, "
                f"status, actor, created_at) VALUES (1, 'power', 'venue', '[]', 'venue', {T}, {T}, 'manual', "
                f"'ended', 'test', {T})"))
            connection.execute(text(
                "INSERT INTO compensations (id, outage_id, seat_session_id, seat_id, dark_start, dark_end, "
                "lost_minutes, restart_minutes, lost_work_minutes, goodwill_minutes, extras_minutes, credit_minutes, "
                "granted_minutes, opened_stretch, form, value_minor, status, policy_fingerprint, explanation, "
                f"created_at) VALUES (1, 1, 1, 'A1', {T}, {T}, 20, 3, 2, 0, 5, 25, 25, true, 'voucher', 42, "
                f"'applied', 'p', 'e', {T})"))
            connection.execute(text(
                "INSERT INTO vouchers (id, code, minutes, expires_at, created_at, compensation_id) VALUES "
                f"(1, 'AAAAAAAAA', 25, {T}, {T}, 1), (2, 'BBBBBBBBB', 30, {T}, {T}, NULL)"))
        migrate.upgrade(engine)
        with engine.connect() as connection:
            prices = connection.execute(text("SELECT id, price_minor_per_hour FROM vouchers ORDER BY id")).all()
        assert [tuple(row) for row in prices] == [(1, 100), (2, None)]
        config = migrate.alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0013")
        assert "price_minor_per_hour" not in {column["name"] for column in inspect(engine).get_columns("vouchers")}
        migrate.upgrade(engine)
    finally:
        engine.dispose()
