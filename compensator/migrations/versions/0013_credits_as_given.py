"""Credits as they were given: carried-over minutes, a manager's reason, and letters for top-ups.

- ``carried_minutes`` (compensations and their adjustments): the minutes of a leaver's voucher
  that they had already received as compensation (earlier credits, a redeemed voucher) and had
  not used; they are restitution already counted, not new credit. Rows so far carry none.
- ``compensations.decision_reason``: why a manager reduced or refused a credit awaiting approval.
- ``notices.adjustment_id``: a correction that tops up a credit whose letter was already handed
  over makes a new short letter, a notice of that adjustment. A compensation keeps one first
  notice (``adjustment_id`` null) and one notice per such adjustment, so the unique key of the
  notices becomes (compensation, adjustment) instead of the compensation alone.

Dropping a column of the adjustments (a downgrade) lifts that history table's guards meanwhile.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from compensator.store import guards

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The name PostgreSQL gave the notices' UNIQUE (compensation_id) of revision 0001; SQLite's is
# unnamed and is named by this convention while the table is rebuilt.
UNIQUE_NAMES = {"uq": "%(table_name)s_%(column_0_name)s_key"}


def upgrade() -> None:
    """Add the carried-over minutes, the decision's reason and the notices of adjustments."""
    op.add_column("compensations", sa.Column("carried_minutes", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("compensations", sa.Column("decision_reason", sa.Text(), nullable=True))
    op.add_column("compensation_adjustments",
                  sa.Column("carried_minutes", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("notices", naming_convention=UNIQUE_NAMES) as batch:
        batch.drop_constraint("notices_compensation_id_key", type_="unique")
        batch.add_column(sa.Column("adjustment_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_notices_adjustment", "compensation_adjustments", ["adjustment_id"], ["id"])
        batch.create_unique_constraint("uq_notices_compensation_adjustment", ["compensation_id", "adjustment_id"])
        batch.create_index("ix_notices_compensation", ["compensation_id"])


def downgrade() -> None:
    """Drop the notices of adjustments, the decision's reason and the carried-over minutes."""
    with op.batch_alter_table("notices", naming_convention=UNIQUE_NAMES) as batch:
        batch.drop_index("ix_notices_compensation")
        batch.drop_constraint("uq_notices_compensation_adjustment", type_="unique")
        batch.drop_constraint("fk_notices_adjustment", type_="foreignkey")
        batch.drop_column("adjustment_id")
        batch.create_unique_constraint("notices_compensation_id_key", ["compensation_id"])
    with guards.lifted(op.get_bind(), op.execute, "compensation_adjustments"), \
            op.batch_alter_table("compensation_adjustments") as batch:
        batch.drop_column("carried_minutes")
    with op.batch_alter_table("compensations") as batch:
        batch.drop_column("decision_reason")
        batch.drop_column("carried_minutes")
