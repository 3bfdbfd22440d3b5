"""Idempotency keys keep the first answer itself, per actor, so any mutation can be replayed.

The old table held a resource id for the two mutations that used it and was written in a
second transaction; a key now lives in the same transaction as its effect, with the status and
body of the answer. Keys from before this version are dropped: they covered retries of the last
few minutes before the upgrade, and nothing else reads them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Replace ``idempotency_keys`` with ``idempotency_records``."""
    op.drop_table("idempotency_keys")
    op.create_table(
        "idempotency_records",
        sa.Column("actor", sa.String(100), primary_key=True),
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer, nullable=True),
        sa.Column("body", sa.JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
    )
    op.create_index("ix_idempotency_records_created_at", "idempotency_records", ["created_at"])


def downgrade() -> None:
    """Bring back the old table, empty."""
    op.drop_index("ix_idempotency_records_created_at", "idempotency_records")
    op.drop_table("idempotency_records")
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("resource_type", sa.String(32), nullable=False),
        sa.Column("resource_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
    )
