"""Reading many rows as the driver gives them, with cheap converters for the values that need one.

SQLAlchemy converts every value of every row it returns (a UTC timestamp, an enum) through
a function of its type, and the ORM wraps each row on top. For the few reads that bring back
tens of thousands of rows, such as a busy day's report, that costs several times the query
itself. ``plain_rows`` runs a Core statement on the unit of work's own connection (so in its
transaction) and reads the driver's tuples unconverted; ``utc_reader`` and ``enum_reader``
then convert the columns that need it, each distinct value once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Executable
from sqlalchemy.orm import Session

from compensator.store.database import UTCDateTime

E = TypeVar("E", bound=StrEnum)


def plain_rows(db: Session, statement: Executable) -> list[tuple[Any, ...]]:
    """The rows of ``statement`` as the driver returns them: text and numbers, nothing converted.

    Like ``Session.execute``, it first writes what the session has pending (unless autoflush is
    off), so that the rows include what this unit of work has added.
    """
    if db.autoflush:
        db.flush()
    result = db.connection().execute(statement)
    try:
        return result.cursor.fetchall()  # type: ignore[attr-defined]
    finally:
        result.close()


def utc_reader(db: Session) -> Callable[[Any], datetime | None]:
    """A converter of a driver's timestamp to the aware UTC datetime ``UTCDateTime`` would give.

    Each distinct value is converted once: a day's rows repeat the same instants many times.
    """
    convert = UTCDateTime().result_processor(db.connection().dialect, None)
    seen: dict[Any, datetime | None] = {None: None}

    def read(value: Any) -> datetime | None:
        found = seen.get(value)
        if found is None and value is not None:
            found = seen[value] = convert(value) if convert is not None else value
        return found

    return read


def enum_reader(kind: type[E]) -> Callable[[Any], E]:
    """A converter of a stored enum value to its member (None stays None; an unknown value raises KeyError)."""
    members: dict[Any, Any] = {member.value: member for member in kind}
    members[None] = None
    return members.__getitem__
