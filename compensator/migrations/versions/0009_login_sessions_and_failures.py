"""Login sessions that end, and failed logins kept in the database.

Each attendant gets a session version: a cookie carries the version it was issued under and is
refused once the version moves on, which logging out, disabling the person and changing their
PIN all do. Failed logins are rows (name, address, when), so that the throttle survives a
restart and is shared by every counter on one database.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the attendants' session version and the table of failed logins."""
    with op.batch_alter_table("attendants") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer, nullable=False, server_default="1"))
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name_key", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_index("ix_login_failures_address_at", "login_failures", ["address", "at"])
    op.create_index("ix_login_failures_name_address", "login_failures", ["name_key", "address"])


def downgrade() -> None:
    """Drop the failed logins and the session version."""
    op.drop_index("ix_login_failures_name_address", table_name="login_failures")
    op.drop_index("ix_login_failures_address_at", table_name="login_failures")
    op.drop_table("login_failures")
    with op.batch_alter_table("attendants") as batch:
        batch.drop_column("session_version")
