"""Outages that record themselves from heartbeats and from the server's own gaps.

- ``seat_heartbeats.beating_since``: the first heartbeat after a silence, the end of a
  heartbeat outage.
- ``heartbeat_silences``: which seats fell silent together and the suspected outage they
  raised, so that one silence raises one outage.
- ``server_runs`` replaces ``server_heartbeats``: one row per run of the server (started, last
  alive, updated in place) instead of one row a minute forever. The old rows become runs: a
  step of more than two minutes between them (the old job wrote one a minute) starts a new run.
- A suspected outage that already has its end no longer holds its kind and scope open: after
  a server gap, Power cut must open a new outage, not return yesterday's suspicion.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

OLD_OPEN = "status IN ('suspected', 'ongoing')"
NEW_OPEN = "status = 'ongoing' OR (status = 'suspected' AND ended_at IS NULL)"
RUN_BREAK = timedelta(minutes=2)


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=False)


def _runs_of(moments: list) -> list[tuple]:
    """Consecutive alive moments grouped into runs of (first, last)."""
    runs: list[list] = []
    for moment in moments:
        if runs and moment - runs[-1][1] <= RUN_BREAK:
            runs[-1][1] = moment
        else:
            runs.append([moment, moment])
    return [tuple(run) for run in runs]


def _open_index(where: str) -> None:
    op.drop_index("uq_outages_open_scope", "outages")
    op.create_index("uq_outages_open_scope", "outages", ["kind", "scope_key"], unique=True,
                    sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def upgrade() -> None:
    """Add the silences and the runs, turn the per-minute alive rows into runs, narrow the open-scope index."""
    with op.batch_alter_table("seat_heartbeats") as batch:
        batch.add_column(sa.Column("beating_since", _timestamp(), nullable=True))
    op.create_table(
        "heartbeat_silences",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("outage_id", sa.Integer, sa.ForeignKey("outages.id"), nullable=False),
        sa.Column("last_seen", sa.JSON, nullable=False),
        sa.Column("started_at", _timestamp(), nullable=False),
        sa.Column("ended_at", _timestamp(), nullable=True),
    )
    op.create_index("ix_heartbeat_silences_ended_at", "heartbeat_silences", ["ended_at"])
    runs = op.create_table(
        "server_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", _timestamp(), nullable=False),
        sa.Column("last_alive_at", _timestamp(), nullable=False),
        sa.Column("follows_run_id", sa.Integer, sa.ForeignKey("server_runs.id"), nullable=True, unique=True),
        sa.Column("gap_outage_id", sa.Integer, sa.ForeignKey("outages.id"), nullable=True),
    )
    op.create_index("ix_server_runs_last_alive_at", "server_runs", ["last_alive_at"])
    old = sa.table("server_heartbeats", sa.column("at", _timestamp()))
    moments = list(op.get_bind().execute(sa.select(old.c.at).order_by(old.c.at)).scalars())
    if moments:
        op.bulk_insert(runs, [{"started_at": first, "last_alive_at": last} for first, last in _runs_of(moments)])
    op.drop_index("ix_server_heartbeats_at", "server_heartbeats")
    op.drop_table("server_heartbeats")
    _open_index(NEW_OPEN)


def downgrade() -> None:
    """Back to one alive row per minute (each run's first and last), without silences."""
    _open_index(OLD_OPEN)
    old = op.create_table(
        "server_heartbeats",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", _timestamp(), nullable=False),
    )
    op.create_index("ix_server_heartbeats_at", "server_heartbeats", ["at"])
    runs = sa.table("server_runs", sa.column("started_at", _timestamp()), sa.column("last_alive_at", _timestamp()))
    rows = op.get_bind().execute(sa.select(runs.c.started_at, runs.c.last_alive_at)).all()
    moments = sorted({moment for row in rows for moment in row})
    if moments:
        op.bulk_insert(old, [{"at": moment} for moment in moments])
    op.drop_index("ix_server_runs_last_alive_at", "server_runs")
    op.drop_table("server_runs")
    op.drop_index("ix_heartbeat_silences_ended_at", "heartbeat_silences")
    op.drop_table("heartbeat_silences")
    with op.batch_alter_table("seat_heartbeats") as batch:
        batch.drop_column("beating_since")
