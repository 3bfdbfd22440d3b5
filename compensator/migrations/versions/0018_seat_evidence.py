"""What seats measured of their own power, and what each compensation's dark start rests on (issue 24).

- ``dark_basis`` (compensations and their adjustments): ``ups_rating``, ``no_ups``, ``network``,
  ``seat_report``, ``heartbeats`` or ``ups_battery`` (SPEC section 3, rule 1 amended). The rows so
  far were all worked out without evidence: ``network`` for an internet failure, ``no_ups`` where
  the seat's zone has no UPS, ``ups_rating`` otherwise.
- ``seat_heartbeats.booted_at``: when the seat's PC booted, from its agent's uptime.
- ``seat_power_reports`` and ``seat_dark_evidence``: a seat agent's reports that its PC went down,
  and the evidence the policy uses per seat, outage and basis (one row each, ever). Both are history:
  guarded against UPDATE, DELETE (and REPLACE, TRUNCATE) as the tables of revision 0005.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from compensator.store import guards

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

NEW_TABLES = ("seat_power_reports", "seat_dark_evidence")
BASIS = ("CASE WHEN (SELECT kind FROM outages WHERE outages.id = {outage}) = 'network' THEN 'network' "
         "WHEN (SELECT zones.ups_minutes FROM seats JOIN zones ON zones.id = seats.zone_id "
         "WHERE seats.id = {seat}) = 0 THEN 'no_ups' ELSE 'ups_rating' END")


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=False)


def upgrade() -> None:
    """Add the dark basis (filled in for the rows so far), the boot moment and the two evidence tables."""
    op.add_column("compensations", sa.Column("dark_basis", sa.String(32), nullable=False,
                                             server_default="ups_rating"))
    op.add_column("compensation_adjustments", sa.Column("dark_basis", sa.String(32), nullable=False,
                                                        server_default="ups_rating"))
    op.execute("UPDATE compensations SET dark_basis = "
               + BASIS.format(outage="compensations.outage_id", seat="compensations.seat_id"))
    with guards.lifted(op.get_bind(), op.execute, "compensation_adjustments"):
        own = "FROM compensations WHERE compensations.id = compensation_adjustments.compensation_id"
        op.execute("UPDATE compensation_adjustments SET dark_basis = " + BASIS.format(
            outage=f"(SELECT outage_id {own})", seat=f"(SELECT seat_id {own})"))
    with op.batch_alter_table("seat_heartbeats") as batch:
        batch.add_column(sa.Column("booted_at", _timestamp(), nullable=True))
    op.create_table(
        "seat_power_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("seat_id", sa.String(32), sa.ForeignKey("seats.id"), nullable=False),
        sa.Column("down_after", _timestamp(), nullable=False),
        sa.Column("down_before", _timestamp(), nullable=False),
        sa.Column("booted_at", _timestamp(), nullable=True),
        sa.Column("received_at", _timestamp(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.UniqueConstraint("seat_id", "down_after", name="uq_seat_power_reports_seat_moment"),
    )
    op.create_table(
        "seat_dark_evidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("seat_id", sa.String(32), sa.ForeignKey("seats.id"), nullable=False),
        sa.Column("outage_id", sa.Integer(), sa.ForeignKey("outages.id"), nullable=False),
        sa.Column("basis", sa.String(32), nullable=False),
        sa.Column("dark_from", _timestamp(), nullable=True),
        sa.Column("held_seconds", sa.Integer(), nullable=False),
        sa.Column("rated_minutes", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("seat_power_reports.id"), nullable=True),
        sa.Column("at", _timestamp(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.UniqueConstraint("seat_id", "outage_id", "basis", name="uq_seat_dark_evidence_seat_outage"),
    )
    op.create_index("ix_seat_dark_evidence_outage", "seat_dark_evidence", ["outage_id"])
    bind = op.get_bind()
    for table in NEW_TABLES:
        if bind.dialect.name == "sqlite":
            for statement in guards.sqlite_update_delete_triggers(table):
                op.execute(statement)
            op.execute(guards.sqlite_replace_trigger(sa.inspect(bind), table))
        else:
            op.execute(guards.postgresql_trigger(table))


def downgrade() -> None:
    """Drop the evidence tables, the boot moment and the dark basis.

    The columns are dropped in place (SQLite 3.35 and later need no copy of the table): copying
    ``compensations`` would drop a table that the ledger, vouchers and notices refer to, which
    SQLite's foreign keys refuse once there are credits.
    """
    op.drop_table("seat_dark_evidence")
    op.drop_table("seat_power_reports")
    op.drop_column("seat_heartbeats", "booted_at")
    with guards.lifted(op.get_bind(), op.execute, "compensation_adjustments"):
        op.drop_column("compensation_adjustments", "dark_basis")
    op.drop_column("compensations", "dark_basis")
