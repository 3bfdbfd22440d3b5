"""The sessions that have not ended, kept apart so that finding them does not read all history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the open sessions table, fill it from the END events, index END events by time."""
    op.create_table(
        "open_seat_sessions",
        sa.Column("seat_session_id", sa.Integer, sa.ForeignKey("seat_sessions.id"), primary_key=True),
    )
    op.execute(
        "INSERT INTO open_seat_sessions (seat_session_id) SELECT id FROM seat_sessions WHERE NOT EXISTS "
        "(SELECT 1 FROM session_events WHERE session_events.seat_session_id = seat_sessions.id "
        "AND session_events.kind = 'end')"
    )
    op.create_index("ix_session_events_kind_at", "session_events", ["kind", "at"])


def downgrade() -> None:
    """Drop what ``upgrade`` created."""
    op.drop_index("ix_session_events_kind_at", table_name="session_events")
    op.drop_table("open_seat_sessions")
