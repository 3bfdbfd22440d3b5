"""Alembic environment: runs migrations on the connection handed over by ``store.migrate``."""

from __future__ import annotations

from alembic import context

from compensator.store import database, models, operations

# The venue's history and the server's bookkeeping register their tables on one base.
SCHEMA_MODULES = (models, operations)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=database.Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
