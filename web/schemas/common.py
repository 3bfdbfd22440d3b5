"""Shapes shared by every area of the API: the empty body, the error, the health answer, times."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from web.schemas.fields import Closed, Shape

# A time in an answer: ISO 8601 in the venue's time zone, with its offset.
Time = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class Empty(Closed):
    """A body with no fields: ``{}``, or no body at all."""


class ErrorDetail(Shape):
    """What went wrong: a stable code, a sentence for a person, and the field concerned (or null)."""

    code: str
    message: str
    field: str | None


class Error(Shape):
    """Every refusal of the API."""

    error: ErrorDetail


class Health(Shape):
    """The server answers."""

    status: Literal["ok"]
