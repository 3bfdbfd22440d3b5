"""What each UPS was last seen doing: the state of its debounce, flap merge and lost contact.

One row per UPS name, overwritten at each reading, so that a restarted server (or another
counter on the same PostgreSQL) carries on an outage's debounce or merge where it was.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the UPS state table."""
    op.create_table(
        "ups_states",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("mains", sa.String(16), nullable=True),
        sa.Column("mains_since", sa.DateTime(timezone=False), nullable=True),
        sa.Column("answering", sa.Boolean, nullable=False),
        sa.Column("silent_since", sa.DateTime(timezone=False), nullable=True),
        sa.Column("off_since", sa.DateTime(timezone=False), nullable=True),
        sa.Column("on_since", sa.DateTime(timezone=False), nullable=True),
        sa.Column("in_outage", sa.Boolean, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=False), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=False), nullable=True),
    )


def downgrade() -> None:
    """Drop the UPS state table."""
    op.drop_table("ups_states")
