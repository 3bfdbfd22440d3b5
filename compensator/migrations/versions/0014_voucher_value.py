"""A voucher keeps its value in money: the hourly price of the zone it was issued in.

``vouchers.price_minor_per_hour``: a voucher's value is its minutes at that price, and redeemed
in a zone of another price it gives that value's minutes there (``domain.repricing``). The
vouchers already issued take the price their zone has now (the ``zones`` table mirrors the
configuration), found through the seat of their compensation; one with no compensation keeps
none and gives its minutes anywhere, as before.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the issuing zone's price to the vouchers, filled in for those already issued."""
    op.add_column("vouchers", sa.Column("price_minor_per_hour", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE vouchers SET price_minor_per_hour = (SELECT zones.price_minor_per_hour FROM compensations "
        "JOIN seats ON seats.id = compensations.seat_id JOIN zones ON zones.id = seats.zone_id "
        "WHERE compensations.id = vouchers.compensation_id) WHERE compensation_id IS NOT NULL")


def downgrade() -> None:
    """Drop the issuing zone's price."""
    with op.batch_alter_table("vouchers") as batch:
        batch.drop_column("price_minor_per_hour")
