"""Seat and server heartbeats, and the archive of daily reports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the heartbeat and report archive tables."""
    op.create_table(
        "seat_heartbeats",
        sa.Column("seat_id", sa.String(32), sa.ForeignKey("seats.id"), primary_key=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_table(
        "server_heartbeats",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_index("ix_server_heartbeats_at", "server_heartbeats", ["at"])
    op.create_table(
        "daily_reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("venue_date", sa.Date, nullable=False, unique=True),
        sa.Column("generated_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("directory", sa.String(1000), nullable=False),
    )


def downgrade() -> None:
    """Drop the tables of this revision."""
    op.drop_table("daily_reports")
    op.drop_index("ix_server_heartbeats_at", "server_heartbeats")
    op.drop_table("server_heartbeats")
    op.drop_table("seat_heartbeats")
