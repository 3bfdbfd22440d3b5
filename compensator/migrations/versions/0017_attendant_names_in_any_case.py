"""Attendant names are unique whatever their case: "Ada" and "ada" cannot both exist.

A unique index on ``lower(name)`` (an expression index, which SQLite and PostgreSQL both have)
backs the check the service makes. Two people whose names differed only in case before this
version would stop the index from being built: the later one of each such pair (the higher id)
is renamed ``NAME-ID`` (cut to 64 characters), their open logins are ended (the cookie names the
person), and the audit log records the rename, so a manager can see who to tell and can give
them a name of their own.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

INDEX = "uq_attendants_name_lower"
NAME_LENGTH = 64


def upgrade() -> None:
    """Rename the later of names equal but for their case, then make lower(name) unique."""
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, name FROM attendants ORDER BY id")).all()
    taken = {name.lower() for _, name in rows}
    seen: set[str] = set()
    # A migration runs outside the app and its clock: the rename is dated by the database's own clock, in UTC.
    now = ("timezone('utc', now())" if connection.dialect.name == "postgresql"
           else "strftime('%Y-%m-%d %H:%M:%f', 'now')")
    for attendant_id, name in rows:
        if name.lower() not in seen:
            seen.add(name.lower())
            continue
        suffix, extra = f"-{attendant_id}", 0
        renamed = name[:NAME_LENGTH - len(suffix)] + suffix
        while renamed.lower() in taken:
            extra += 1
            renamed = name[:NAME_LENGTH - len(suffix) - len(f"-{extra}")] + f"{suffix}-{extra}"
        taken.add(renamed.lower())
        seen.add(renamed.lower())
        connection.execute(sa.text("UPDATE attendants SET name = :name, session_version = session_version + 1 "
                                   "WHERE id = :id"), {"name": renamed, "id": attendant_id})
        connection.execute(sa.text(
            "INSERT INTO audit_log (at, actor, action, target_type, target_id, before, after) "
            f"VALUES ({now}, 'migration:0017', 'attendant.rename', 'attendant', :id, :before, :after)").bindparams(
                sa.bindparam("before", type_=sa.JSON), sa.bindparam("after", type_=sa.JSON)),
            {"id": str(attendant_id), "before": {"name": name},
             "after": {"name": renamed, "why": "the same name as another person in another case"}})
    op.create_index(INDEX, "attendants", [sa.text("lower(name)")], unique=True)


def downgrade() -> None:
    """Drop the index: names differing only in case are allowed again (renamed people keep their new names)."""
    op.drop_index(INDEX, table_name="attendants")
