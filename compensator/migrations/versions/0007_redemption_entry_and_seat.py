"""A voucher's redemption names its ledger entry and the seat: a voucher may now top up a running session.

Until now a redemption always started a session, so the session was enough to find its entry and
its seat. From here a voucher can also be added to a session that is already running (possibly
moved since it started), so the redemption keeps the entry it appended and the seat the customer
sat at. Redemptions written before this version started their session: they get that session's
voucher entry and its first seat, exactly.

Redemptions are history, so the fill-in runs with the table's guards lifted and puts them back after.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from compensator.store import guards

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLE = "voucher_redemptions"


def upgrade() -> None:
    """Add the entry and the seat to every redemption, filled from the session it started."""
    with guards.lifted(op.get_bind(), op.execute, TABLE):
        with op.batch_alter_table(TABLE) as batch:
            batch.add_column(sa.Column("ledger_entry_id", sa.Integer, nullable=True))
            batch.add_column(sa.Column("seat_id", sa.String(32), nullable=True))
        op.execute(
            f"UPDATE {TABLE} SET "
            f"ledger_entry_id = (SELECT MIN(ledger_entries.id) FROM ledger_entries "
            f"WHERE ledger_entries.seat_session_id = {TABLE}.seat_session_id "
            f"AND ledger_entries.kind = 'voucher_redemption'), "
            f"seat_id = (SELECT seat_sessions.seat_id FROM seat_sessions "
            f"WHERE seat_sessions.id = {TABLE}.seat_session_id)"
        )
        with op.batch_alter_table(TABLE) as batch:
            batch.alter_column("ledger_entry_id", existing_type=sa.Integer, nullable=False)
            batch.alter_column("seat_id", existing_type=sa.String(32), nullable=False)
            batch.create_foreign_key("fk_voucher_redemptions_ledger_entry", "ledger_entries",
                                     ["ledger_entry_id"], ["id"])
            batch.create_foreign_key("fk_voucher_redemptions_seat", "seats", ["seat_id"], ["id"])


def downgrade() -> None:
    """Drop the redemptions' entry and seat."""
    with guards.lifted(op.get_bind(), op.execute, TABLE), op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint("fk_voucher_redemptions_seat", type_="foreignkey")
        batch.drop_constraint("fk_voucher_redemptions_ledger_entry", type_="foreignkey")
        batch.drop_column("seat_id")
        batch.drop_column("ledger_entry_id")
