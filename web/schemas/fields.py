"""The constrained values every request model is built from: ids, minutes, text, times, dates.

Each is an annotated type that pydantic both checks and writes into the JSON Schema, so the
OpenAPI document states the same bounds the server applies: ids fit a 32-bit column, text has
a maximum length and no NUL, times and dates lie in years the engine can do arithmetic on.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from compensator.errors import ID_MAX, InvalidInput
from compensator.services import parsing

# A page of a list that grows: 100 items unless asked, never more than 500.
PAGE_DEFAULT = 100
PAGE_MAX = 500
# Text with NUL cannot be stored in PostgreSQL; the pattern puts the same rule in the document.
NO_NUL = r"^[^\x00]*$"
# The years a time or a day may have, as the document states them (patterns match a prefix).
YEARS = rf"^(20\d\d|{parsing.MAX_YEAR})-"
# A whole venue day as the document states it: the years above, a month and a day of the month.
DAY_PATTERN = rf"^(20\d\d|{parsing.MAX_YEAR})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
# The error type of a message that names its field itself.
WHOLE_MESSAGE = "sentence"


class Closed(BaseModel):
    """A request body: a JSON object with only the fields declared, of exactly the declared types.

    Unknown fields are refused rather than ignored, so that a typo (``seat`` for ``seats``)
    cannot silently widen an outage to the whole venue; strict types mean ``"60"`` is not 60.
    """

    model_config = ConfigDict(extra="forbid", strict=True, use_enum_values=True)


class Query(BaseModel):
    """A query string: only the parameters declared (an unknown one is a typo, refused), values as text."""

    model_config = ConfigDict(extra="forbid")


class Shape(BaseModel):
    """A response body: a closed object, documented as such, built by the ``*_json`` functions."""

    model_config = ConfigDict(extra="forbid")


def _clean_text(value: str) -> str:
    problem = parsing.text_problem(value)
    if problem:
        raise PydanticCustomError("text", problem)
    return value


def text(max_length: int, *, min_length: int = 0) -> Any:
    """A string of at most ``max_length`` characters without NUL or unpaired surrogates."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length, pattern=NO_NUL),
                     AfterValidator(_clean_text)]


def whole_number(value: object) -> object:
    # JSON Schema counts 60.0 as an integer; so does the API, while "60" and true stay refused.
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


Id = Annotated[int, Field(ge=1, le=ID_MAX), BeforeValidator(whole_number)]
# Not blank: the server strips a seat or zone id, and an id of spaces alone names nothing (400).
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"
SeatId = Annotated[str, Field(min_length=1, max_length=parsing.MAX_NAME_LENGTH, pattern=NOT_BLANK),
                   AfterValidator(_clean_text)]
Name = text(parsing.MAX_NAME_LENGTH)
Note = text(parsing.MAX_NOTE_LENGTH)
# A reason the server requires: some text once stripped (a reason of spaces alone is none: 400).
Reason = Annotated[str, Field(min_length=1, max_length=parsing.MAX_NOTE_LENGTH, pattern=NOT_BLANK),
                   AfterValidator(_clean_text)]
Minutes = Annotated[int, Field(ge=1, le=parsing.MAX_PURCHASE_MINUTES), BeforeValidator(whole_number)]
Language = Annotated[str, Field(min_length=2, max_length=16, pattern=r"^[A-Za-z]+([-_][A-Za-z]+)*$")]
IdList = Annotated[list[SeatId], Field(min_length=1, max_length=1000)]


def _moment(value: object) -> datetime:
    if not isinstance(value, str) or len(value) > 64:
        raise PydanticCustomError("moment", "must be an ISO 8601 time such as 2026-11-22T14:18:00+01:00")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise PydanticCustomError("moment", "must be an ISO 8601 time such as 2026-11-22T14:18:00+01:00") from None
    if moment.tzinfo is None:
        raise PydanticCustomError("moment", "must include its offset, such as +01:00")
    problem = parsing.year_problem(moment)
    if problem:
        raise PydanticCustomError("moment", problem)
    return moment


Moment = Annotated[datetime, PlainValidator(_moment), WithJsonSchema(
    {"type": "string", "format": "date-time", "maxLength": 64, "pattern": YEARS,
     "description": f"ISO 8601 with offset, years {parsing.MIN_YEAR} to {parsing.MAX_YEAR}"})]


def _day(value: object) -> date:
    try:
        return parsing.venue_day(value, field="date")
    except InvalidInput as problem:
        # A whole sentence already: ``WHOLE_MESSAGE`` tells the error mapping not to prefix the field.
        raise PydanticCustomError(WHOLE_MESSAGE, problem.message) from None


Day = Annotated[date, PlainValidator(_day), WithJsonSchema(
    {"type": "string", "format": "date", "pattern": DAY_PATTERN,
     "description": f"a venue day, years {parsing.MIN_YEAR} to {parsing.MAX_YEAR}"})]


def _digits(value: object) -> object:
    # A query value is text: only ASCII digits make a number (not "+5", "5.0" or a full-width "５").
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise PydanticCustomError("whole_number", "must be a whole number")
    return value


def query_int(minimum: int, maximum: int, **field: Any) -> Any:
    """A whole number from ``minimum`` to ``maximum`` given in the query string."""
    return Annotated[int, Field(ge=minimum, le=maximum, **field), BeforeValidator(_digits)]
