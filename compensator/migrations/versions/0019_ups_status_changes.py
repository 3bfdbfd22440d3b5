"""The equipment record: every change of each UPS's status, with its battery's figures (issue 24, item 4).

``ups_status_changes``: one row each time a UPS's status flags change (``OL``, ``OB``, ``LB``,
``RB``, ``FSD``...) as the poller reads them from NUT's ``upsd`` or the ``upsmon`` webhook
reports them, and when the battery's charge moves by ten points or more under the same flags
(``compensator.domain.equipment``), with ``battery.charge``, ``battery.runtime`` and ``ups.load``
where the UPS gives them. History: guarded against UPDATE, DELETE (and REPLACE, TRUNCATE) as the
tables of revisions 0005 and 0018.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from compensator.store import guards

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

TABLE = "ups_status_changes"


def upgrade() -> None:
    """Create the table of UPS status changes and its guards."""
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ups_name", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("status", sa.String(64), nullable=False),
        sa.Column("battery_charge", sa.Integer(), nullable=True),
        sa.Column("battery_runtime", sa.Integer(), nullable=True),
        sa.Column("ups_load", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
    )
    op.create_index("ix_ups_status_changes_ups_at", TABLE, ["ups_name", "at"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in guards.sqlite_update_delete_triggers(TABLE):
            op.execute(statement)
        op.execute(guards.sqlite_replace_trigger(sa.inspect(bind), TABLE))
    else:
        op.execute(guards.postgresql_trigger(TABLE))


def downgrade() -> None:
    """Drop the table (its triggers go with it); no other table refers to it."""
    op.drop_table(TABLE)
