"""The first schema: seats, sessions, ledger, people, audit log, outages, compensations, notices.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = (
    "ledger_entries",
    "session_events",
    "audit_log",
    "outage_revisions",
    "compensation_adjustments",
    "voucher_redemptions",
    "notice_deliveries",
)
OPEN_STATUSES = "status IN ('suspected', 'ongoing')"


def timestamp() -> sa.DateTime:
    """Naive UTC timestamps, as written by ``UTCDateTime``."""
    return sa.DateTime(timezone=False)


def kind(length: int = 32) -> sa.String:
    """Enumerations are stored as their string values."""
    return sa.String(length)


def upgrade() -> None:
    """Create the foundation tables and the append-only triggers."""
    op.create_table(
        "zones",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("price_minor_per_hour", sa.Integer, nullable=False),
        sa.Column("ups_minutes", sa.Integer, nullable=False),
        sa.Column("retired", sa.Boolean, nullable=False),
    )
    op.create_table(
        "seats",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("zone_id", sa.String(32), sa.ForeignKey("zones.id"), nullable=False),
        sa.Column("retired", sa.Boolean, nullable=False),
    )
    op.create_table(
        "attendants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("role", kind(), nullable=False),
        sa.Column("pin_hash", sa.String(255), nullable=False),
        sa.Column("created_at", timestamp(), nullable=False),
        sa.Column("disabled_at", timestamp(), nullable=True),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", timestamp(), nullable=False),
        sa.Column("revoked_at", timestamp(), nullable=True),
    )
    op.create_table(
        "seat_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seat_id", sa.String(32), sa.ForeignKey("seats.id"), nullable=False),
        sa.Column("mode", kind(), nullable=False),
        sa.Column("started_at", timestamp(), nullable=False),
        sa.Column("customer_name", sa.String(100), nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("actor", sa.String(100), nullable=False),
    )
    op.create_index("ix_seat_sessions_started_at", "seat_sessions", ["started_at"])
    op.create_table(
        "session_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seat_session_id", sa.Integer, sa.ForeignKey("seat_sessions.id"), nullable=False),
        sa.Column("kind", kind(), nullable=False),
        sa.Column("at", timestamp(), nullable=False),
        sa.Column("seat_id", sa.String(32), sa.ForeignKey("seats.id"), nullable=True),
        sa.Column("actor", sa.String(100), nullable=False),
    )
    op.create_index("ix_session_events_session", "session_events", ["seat_session_id"])
    op.create_index("ix_session_events_kind_seat", "session_events", ["kind", "seat_session_id"])
    op.create_table(
        "outages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", kind(), nullable=False),
        sa.Column("scope_kind", kind(), nullable=False),
        sa.Column("scope_ids", sa.JSON, nullable=False),
        sa.Column("scope_key", sa.String(2000), nullable=False),
        sa.Column("started_at", timestamp(), nullable=False),
        sa.Column("ended_at", timestamp(), nullable=True),
        sa.Column("source", kind(), nullable=False),
        sa.Column("status", kind(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("created_at", timestamp(), nullable=False),
    )
    op.create_index("ix_outages_started_at", "outages", ["started_at"])
    op.create_index("uq_outages_open_scope", "outages", ["kind", "scope_key"], unique=True,
                    sqlite_where=sa.text(OPEN_STATUSES), postgresql_where=sa.text(OPEN_STATUSES))
    op.create_table(
        "outage_revisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("outage_id", sa.Integer, sa.ForeignKey("outages.id"), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("at", timestamp(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("started_at", timestamp(), nullable=False),
        sa.Column("ended_at", timestamp(), nullable=True),
        sa.Column("status", kind(), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
    )
    op.create_index("ix_outage_revisions_outage", "outage_revisions", ["outage_id"])
    op.create_table(
        "compensations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("outage_id", sa.Integer, sa.ForeignKey("outages.id"), nullable=False),
        sa.Column("seat_session_id", sa.Integer, sa.ForeignKey("seat_sessions.id"), nullable=False),
        sa.Column("seat_id", sa.String(32), sa.ForeignKey("seats.id"), nullable=False),
        sa.Column("dark_start", timestamp(), nullable=False),
        sa.Column("dark_end", timestamp(), nullable=False),
        sa.Column("lost_minutes", sa.Integer, nullable=False),
        sa.Column("restart_minutes", sa.Integer, nullable=False),
        sa.Column("lost_work_minutes", sa.Integer, nullable=False),
        sa.Column("goodwill_minutes", sa.Integer, nullable=False),
        sa.Column("extras_minutes", sa.Integer, nullable=False),
        sa.Column("credit_minutes", sa.Integer, nullable=False),
        sa.Column("granted_minutes", sa.Integer, nullable=False),
        sa.Column("opened_stretch", sa.Boolean, nullable=False),
        sa.Column("form", kind(), nullable=False),
        sa.Column("value_minor", sa.Integer, nullable=False),
        sa.Column("status", kind(), nullable=False),
        sa.Column("policy_fingerprint", sa.String(64), nullable=False),
        sa.Column("explanation", sa.Text, nullable=False),
        sa.Column("created_at", timestamp(), nullable=False),
        sa.Column("applied_at", timestamp(), nullable=True),
        sa.Column("approved_by", sa.String(100), nullable=True),
        sa.UniqueConstraint("outage_id", "seat_session_id", name="uq_compensations_outage_session"),
    )
    op.create_index("ix_compensations_session", "compensations", ["seat_session_id"])
    op.create_index("ix_compensations_created_at", "compensations", ["created_at"])
    op.create_table(
        "compensation_adjustments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("compensation_id", sa.Integer, sa.ForeignKey("compensations.id"), nullable=False),
        sa.Column("revision_id", sa.Integer, sa.ForeignKey("outage_revisions.id"), nullable=False),
        sa.Column("at", timestamp(), nullable=False),
        sa.Column("previous_credit_minutes", sa.Integer, nullable=False),
        sa.Column("credit_minutes", sa.Integer, nullable=False),
        sa.Column("topup_minutes", sa.Integer, nullable=False),
        sa.Column("waived_minutes", sa.Integer, nullable=False),
        sa.Column("explanation", sa.Text, nullable=False),
    )
    op.create_index("ix_compensation_adjustments_compensation", "compensation_adjustments", ["compensation_id"])
    op.create_table(
        "vouchers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("expires_at", timestamp(), nullable=False),
        sa.Column("created_at", timestamp(), nullable=False),
        sa.Column("compensation_id", sa.Integer, sa.ForeignKey("compensations.id"), nullable=True),
        sa.Column("idempotency_key", sa.String(100), nullable=True, unique=True),
    )
    op.create_table(
        "voucher_redemptions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("voucher_id", sa.Integer, sa.ForeignKey("vouchers.id"), nullable=False, unique=True),
        sa.Column("seat_session_id", sa.Integer, sa.ForeignKey("seat_sessions.id"), nullable=False),
        sa.Column("at", timestamp(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
    )
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("compensation_id", sa.Integer, sa.ForeignKey("compensations.id"), nullable=False, unique=True),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", timestamp(), nullable=False),
    )
    op.create_table(
        "notice_deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("notice_id", sa.Integer, sa.ForeignKey("notices.id"), nullable=False),
        sa.Column("how", kind(), nullable=False),
        sa.Column("feedback", kind(), nullable=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", timestamp(), nullable=False),
    )
    op.create_index("ix_notice_deliveries_notice", "notice_deliveries", ["notice_id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("resource_type", sa.String(32), nullable=False),
        sa.Column("resource_id", sa.Integer, nullable=False),
        sa.Column("created_at", timestamp(), nullable=False),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seat_session_id", sa.Integer, sa.ForeignKey("seat_sessions.id"), nullable=False),
        sa.Column("kind", kind(), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("value_minor", sa.Integer, nullable=False),
        sa.Column("created_at", timestamp(), nullable=False),
        sa.Column("reverses_id", sa.Integer, sa.ForeignKey("ledger_entries.id"), nullable=True, unique=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("compensation_id", sa.Integer, sa.ForeignKey("compensations.id"), nullable=True),
        sa.Column("idempotency_key", sa.String(100), nullable=True, unique=True),
        sa.CheckConstraint("minutes <> 0", name="ck_ledger_entries_minutes_nonzero"),
    )
    op.create_index("ix_ledger_entries_session", "ledger_entries", ["seat_session_id"])
    op.create_index("ix_ledger_entries_created_at", "ledger_entries", ["created_at"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", timestamp(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target_type", sa.String(32), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("before", sa.JSON, nullable=True),
        sa.Column("after", sa.JSON, nullable=True),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    create_append_only_triggers(APPEND_ONLY_TABLES)


def create_append_only_triggers(tables: tuple[str, ...]) -> None:
    """Make the database itself refuse UPDATE and DELETE on history tables."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in tables:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
    elif dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION compensator_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql"
        )
        for table in tables:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION compensator_append_only()"
            )


def downgrade() -> None:
    """Drop everything this revision created."""
    for table in ("idempotency_keys", "notice_deliveries", "notices", "voucher_redemptions", "vouchers",
                  "ledger_entries", "compensation_adjustments", "compensations", "outage_revisions",
                  "outages", "audit_log", "session_events", "seat_sessions", "api_tokens", "attendants",
                  "seats", "zones"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS compensator_append_only()")
