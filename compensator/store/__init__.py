"""The store: SQLAlchemy models, engines, the unit of work and the Alembic migrations."""
