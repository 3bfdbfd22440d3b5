"""The database's own guards on history tables: SQL that makes it refuse to change a kept row.

SQLite refuses UPDATE and DELETE through triggers, and REPLACE (which deletes the rows it
collides with without firing their DELETE triggers) through a BEFORE INSERT trigger on any
unique key of a kept row. PostgreSQL refuses UPDATE, DELETE and TRUNCATE through one
statement-level trigger per table calling ``compensator_append_only()``. The migrations use these
statements; the names of the triggers are part of the schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Inspector
from sqlalchemy.engine.interfaces import ReflectedIndex


def sqlite_update_delete_triggers(table: str) -> list[str]:
    """The statements creating SQLite's UPDATE and DELETE guards of ``table``."""
    return [f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END" for action in ("UPDATE", "DELETE")]


def sqlite_replace_trigger(inspector: Inspector, table: str) -> str:
    """The statement creating SQLite's REPLACE guard of ``table``, over its unique keys as they are now."""
    keys = [tuple(inspector.get_pk_constraint(table)["constrained_columns"])]
    keys += [tuple(constraint["column_names"]) for constraint in inspector.get_unique_constraints(table)]
    keys += [_index_columns(index) for index in inspector.get_indexes(table) if index["unique"]]
    collision = " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} WHERE " + " AND ".join(f"{column} = NEW.{column}" for column in key) + ")"
        for key in dict.fromkeys(keys)
    )
    return (f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN {collision} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def _index_columns(index: ReflectedIndex) -> tuple[str, ...]:
    # SQLite reports an index's part on an expression as a column named None; the kept tables'
    # unique indexes are on columns only, each of which the guard compares with the new row's.
    columns = tuple(column for column in index["column_names"] if column is not None)
    assert len(columns) == len(index["column_names"]), f"{index['name']} indexes an expression"
    return columns


def sqlite_drop_triggers(table: str) -> list[str]:
    """The statements dropping every SQLite guard of ``table``."""
    return [f"DROP TRIGGER IF EXISTS {table}_no_{name}" for name in ("update", "delete", "replace")]


def postgresql_trigger(table: str) -> str:
    """The statement creating PostgreSQL's guard of ``table`` (TRUNCATE triggers are statement-level only)."""
    return (f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION compensator_append_only()")



@contextmanager
def lifted(bind: Connection, execute: Callable[[str], object], table: str) -> Iterator[None]:
    """Lift every guard of ``table`` for the block (a migration filling in new columns), then put them back.

    They are put back over the table's unique keys as they are after the block, which may have
    rebuilt the table.
    """
    dialect = bind.dialect.name
    if dialect == "sqlite":
        for statement in sqlite_drop_triggers(table):
            execute(statement)
    else:
        execute(f"DROP TRIGGER {table}_append_only ON {table}")
    yield
    if dialect == "sqlite":
        for statement in sqlite_update_delete_triggers(table):
            execute(statement)
        execute(sqlite_replace_trigger(inspect(bind), table))
    else:
        execute(postgresql_trigger(table))
