"""Bulk reads and writes at the driver level, on the unit of work's own connection.

Closing an outage over a whole venue reads thousands of rows and writes one compensation, one
credit or voucher and one notice per session. Through the ORM or SQLAlchemy's row objects
most of that time goes into per-row bookkeeping, not into the database, so here rows go to and
from the DBAPI driver as plain tuples:

- ``fetch_tuples`` (and ``stream_tuples``, a chunk at a time) runs a Core ``SELECT`` (compiled and
  bound by SQLAlchemy, its cache included), takes the driver's rows as they come and converts
  only the columns whose type needs it (times, enums, flags), as that type itself reads them,
  each distinct value of a column once:
  a close's or a busy day's report's thousands of rows repeat the same instants and kinds;
- ``insert_tuples`` writes prepared tuples in one ``executemany``, each value bound as its
  column's type binds it;
- ``reserve_ids`` hands out primary keys for rows about to be inserted, so that their children
  can reference them without reading them back.

Everything runs inside the caller's transaction: nothing here commits.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Select, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

Converter = Callable[[Any], Any]


def fetch_tuples(db: Session, statement: Select[Any],
                 parameters: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """The rows ``statement`` selects (its bound parameters given by ``parameters``), as tuples of
    the values its columns' types read back.

    Like ``Session.execute``, it first writes what the session has pending (unless autoflush is
    off), so that the rows include what this unit of work has added. A statement built once and
    run many times with ``parameters`` spares building it (and its cache key) at every run,
    which costs several times what running it does.
    """
    if db.autoflush:
        db.flush()
    connection = db.connection()
    result = connection.execute(statement, dict(parameters) if parameters else None)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    converters = _result_converters(tuple(column.type for column in statement.selected_columns), connection.dialect)
    return _converted(rows, converters)


def stream_tuples(db: Session, statement: Select[Any], parameters: Mapping[str, Any] | None = None,
                  chunk: int = 10_000) -> Iterator[tuple[Any, ...]]:
    """The rows ``statement`` selects, as ``fetch_tuples`` gives them, read ``chunk`` rows at a time.

    One statement still, but the rows are never all in memory at once: for a reader that sums
    a month's hundreds of thousands of rows as they come.
    """
    if db.autoflush:
        db.flush()
    connection = db.connection()
    result = connection.execute(statement, dict(parameters) if parameters else None)
    converters = _result_converters(tuple(column.type for column in statement.selected_columns), connection.dialect)
    try:
        while rows := result.cursor.fetchmany(chunk):
            yield from _converted(rows, converters)
    finally:
        result.close()


def insert_tuples(db: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` (values in the order of ``columns``) into ``table`` in one ``executemany``.

    Pending ORM changes are flushed first, so that the rows may reference what they add.
    """
    if not rows:
        return
    db.flush()
    connection = db.connection()
    sql, converters = _prepared_insert(table, tuple(columns), connection.dialect)
    connection.exec_driver_sql(sql, _converted(rows, converters))


def reserve_ids(db: Session, table: Table, count: int) -> list[int]:
    """``count`` new primary keys of ``table`` (its integer ``id``), for rows this transaction inserts.

    PostgreSQL draws them from the column's sequence, so concurrent transactions never get the
    same. On SQLite a writing unit of work holds the database's write lock from its first
    statement (``BEGIN IMMEDIATE``): nobody else inserts meanwhile, and the keys that follow the
    largest one are those SQLite itself would give.
    """
    if count <= 0:
        return []
    db.flush()
    connection = db.connection()
    if connection.dialect.name == "postgresql":
        drawn = connection.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", (table.name, count))
        # In ascending order, as the rows would have been numbered one by one.
        return sorted(int(value) for value in drawn.scalars())
    largest = connection.exec_driver_sql(f"SELECT max(id) FROM {_quoted(connection.dialect, table.name)}").scalar()
    first = int(largest or 0) + 1
    return list(range(first, first + count))


def _converted(rows: Sequence[Sequence[Any]],
               converters: tuple[tuple[int, Converter], ...]) -> list[tuple[Any, ...]]:
    """``rows`` with the value at each converter's position converted.

    Column by column: the rows of one close repeat the same few values (its instant, the dark
    span, the kinds), so each distinct value of a column is converted once.
    """
    if not converters or not rows:
        return [tuple(row) for row in rows]
    columns = list(zip(*rows, strict=True))
    for index, convert in converters:
        column = columns[index]
        try:
            distinct = {value: convert(value) for value in set(column)}
        except TypeError:
            # An unhashable value (a JSON document): each is converted on its own.
            columns[index] = tuple(map(convert, column))
        else:
            columns[index] = tuple(map(distinct.__getitem__, column))
    return list(zip(*columns, strict=True))


def _quoted(dialect: Dialect, name: str) -> str:
    return dialect.identifier_preparer.quote(name)


@functools.lru_cache(maxsize=64)
def _prepared_insert(table: Table, columns: tuple[str, ...],
                     dialect: Dialect) -> tuple[str, tuple[tuple[int, Converter], ...]]:
    """The INSERT of ``columns`` into ``table`` in the driver's parameter style, and the binding of each value."""
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(_quoted(dialect, name) for name in columns)
    sql = f"INSERT INTO {_quoted(dialect, table.name)} ({names}) VALUES ({', '.join([marker] * len(columns))})"
    converters = tuple(
        (index, convert) for index, name in enumerate(columns)
        if (convert := table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None)
    return sql, converters


@functools.lru_cache(maxsize=256)
def _result_converters(types: tuple[TypeEngine[Any], ...], dialect: Dialect) -> tuple[tuple[int, Converter], ...]:
    """How the value of each selected column that needs it is read back, by its position."""
    return tuple(
        (index, convert) for index, column_type in enumerate(types)
        if (convert := column_type.dialect_impl(dialect).result_processor(dialect, None)) is not None)
