"""The history tables also refuse a REPLACE on SQLite and a TRUNCATE on PostgreSQL.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from compensator.store import guards
from compensator.store.models import APPEND_ONLY_TABLES

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add a REPLACE guard to every history table on SQLite; on PostgreSQL also refuse TRUNCATE."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        inspector = sa.inspect(op.get_bind())
        for table in APPEND_ONLY_TABLES:
            # REPLACE deletes the rows it collides with without firing their DELETE triggers
            # (unless recursive_triggers is on, which is a setting of the connection, not of the
            # database), so the insert is refused before it can collide: on the id or on any
            # other unique column, such as a ledger entry's idempotency key.
            op.execute(guards.sqlite_replace_trigger(inspector, table))
    elif dialect == "postgresql":
        for table in APPEND_ONLY_TABLES:
            # TRUNCATE triggers can only be statement-level, and one statement-level trigger
            # also refuses UPDATE and DELETE, and any INSERT ... ON CONFLICT DO UPDATE.
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(guards.postgresql_trigger(table))


def downgrade() -> None:
    """Put back the guards of revision 0001: row-level on PostgreSQL, none against REPLACE on SQLite."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER {table}_no_replace")
    elif dialect == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION compensator_append_only()"
            )
