"""Each run's alive record keeps the monotonic reading and the PC's clock beside business time.

``server_runs.boot_id`` names the boot of the PC (Linux's ``/proc/sys/kernel/random/boot_id``),
``alive_boot_seconds`` the PC's monotonic clock (``CLOCK_BOOTTIME``) at ``last_alive_at``, and
``clock_difference_seconds`` how far the PC's wall clock then was from business time. A server
started again on the same boot knows from them how long it really was stopped, whatever was
done to the PC's clock meanwhile. Runs recorded before this version have none.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the boot, the monotonic reading and the clock difference of each run's alive record."""
    with op.batch_alter_table("server_runs") as batch:
        batch.add_column(sa.Column("boot_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("alive_boot_seconds", sa.Float(), nullable=True))
        batch.add_column(sa.Column("clock_difference_seconds", sa.Float(), nullable=True))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("server_runs") as batch:
        batch.drop_column("clock_difference_seconds")
        batch.drop_column("alive_boot_seconds")
        batch.drop_column("boot_id")
