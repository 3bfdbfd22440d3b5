"""Each attendant keeps the language of the pages they chose (English or French).

Attendants added before this version have chosen none: they get the browser's language, or the
venue's default, until they pick one with the switch in the navigation.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the attendants' chosen language, none for everyone so far."""
    with op.batch_alter_table("attendants") as batch:
        batch.add_column(sa.Column("language", sa.String(32), nullable=True))


def downgrade() -> None:
    """Drop the attendants' chosen language."""
    with op.batch_alter_table("attendants") as batch:
        batch.drop_column("language")
