"""Flapping mains: the time on battery that adds up across short returns, and each outage's flaps.

- ``ups_states.battery_seconds`` and ``ups_states.flaps``: before a UPS's outage opens, the
  time on battery of its spells already over and the short returns of mains between them
  (issue 23, item 5), so that a restarted server carries on adding them up.
- ``outages.flaps``: how many times mains came back for less than the UPS's ``merge_seconds``
  and went off again within the outage. Outages so far count none.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the time on battery and the flaps."""
    op.add_column("ups_states", sa.Column("battery_seconds", sa.Float(), nullable=False, server_default="0"))
    op.add_column("ups_states", sa.Column("flaps", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("outages", sa.Column("flaps", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    """Drop the flaps and the time on battery.

    In place (SQLite 3.35 and later drop a column without copying the table): copying ``outages``
    would drop a table that compensations refer to, which SQLite's foreign keys refuse.
    """
    op.drop_column("outages", "flaps")
    op.drop_column("ups_states", "flaps")
    op.drop_column("ups_states", "battery_seconds")
