"""An archived report keeps what it was built from, so that it can be served while that stands.

``daily_reports.stamp`` holds the report's ``DayStamp`` (``compensator.report.stamp``)
and the size of each archived file; reports archived before this version have none and are
built afresh when asked for.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the stamp of each archived report, none for those archived so far."""
    with op.batch_alter_table("daily_reports") as batch:
        batch.add_column(sa.Column("stamp", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop the archived reports' stamps."""
    with op.batch_alter_table("daily_reports") as batch:
        batch.drop_column("stamp")
