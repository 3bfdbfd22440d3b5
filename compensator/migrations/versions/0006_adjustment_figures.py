"""Each adjustment keeps its own figures and fingerprint: a correction never rewrites a compensation.

Until now a correction overwrote the compensation's figures and explanation and kept only the new
credit in its adjustment. From here the compensation keeps its first figures and explanation, and
every adjustment holds the recomputed figures in the same columns. Adjustments written before
this version get the figures their compensation holds now (the newest they had, exact for the
last adjustment of each compensation).

The table is append-only: its guards are lifted for the fill-in and put back as they were.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from compensator.store import guards

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLE = "compensation_adjustments"
# The figure columns the adjustments gain (credit_minutes they had already), with their types.
COLUMNS: dict[str, sa.types.TypeEngine] = {
    "dark_start": sa.DateTime(timezone=False),
    "dark_end": sa.DateTime(timezone=False),
    "lost_minutes": sa.Integer(),
    "restart_minutes": sa.Integer(),
    "lost_work_minutes": sa.Integer(),
    "goodwill_minutes": sa.Integer(),
    "extras_minutes": sa.Integer(),
    "opened_stretch": sa.Boolean(),
    "form": sa.String(32),
    "value_minor": sa.Integer(),
    "policy_fingerprint": sa.String(64),
}


def upgrade() -> None:
    """Add the figure columns to the adjustments, filled from their compensations."""
    with guards.lifted(op.get_bind(), op.execute, TABLE):
        with op.batch_alter_table(TABLE) as batch:
            for name, column_type in COLUMNS.items():
                batch.add_column(sa.Column(name, column_type, nullable=True))
        op.execute(
            f"UPDATE {TABLE} SET " + ", ".join(
                f"{name} = (SELECT compensations.{name} FROM compensations "
                f"WHERE compensations.id = {TABLE}.compensation_id)" for name in COLUMNS)
        )
        with op.batch_alter_table(TABLE) as batch:
            for name, column_type in COLUMNS.items():
                batch.alter_column(name, existing_type=column_type, nullable=False)


def downgrade() -> None:
    """Drop the adjustments' figure columns."""
    with guards.lifted(op.get_bind(), op.execute, TABLE), op.batch_alter_table(TABLE) as batch:
        for name in COLUMNS:
            batch.drop_column(name)
