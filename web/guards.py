"""Checks every request passes before any view runs: ids that fit their column, text fit to store.

``<int:...>`` in a route names a row id: the bounded converter makes an id beyond a 32-bit
column (or zero) match no route, so it is a 404 like any unknown id, never a database
overflow. Query values, form fields and path parts with a NUL or an unpaired surrogate, or of
absurd length, are refused with a 400 before a view can pass them to the database.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.routing import IntegerConverter, ValidationError

from compensator.errors import InvalidInput
from compensator.services.parsing import text_problem
from web.schemas.fields import ID_MAX

# No query value, form field or path part of this site is longer (notes are 500 characters).
MAX_VALUE_LENGTH = 10_000


class IdConverter(IntegerConverter):
    """A row id: 1 to 2^31 - 1, written with at most ten digits."""

    regex = r"\d{1,10}"

    def to_python(self, value: str) -> int:
        """The id, or no match when it cannot be a row's."""
        number = int(value)
        if not 1 <= number <= ID_MAX:
            raise ValidationError()
        return number


def check_values() -> None:
    """Refuse a request whose query, form or path carries text that cannot be stored."""
    values = [*request.args.items(multi=True), *(request.view_args or {}).items()]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += request.form.items(multi=True)
    for name, value in values:
        if not isinstance(value, str):
            continue
        problem = text_problem(name) or text_problem(value)
        if problem is None and len(value) > MAX_VALUE_LENGTH:
            problem = f"must be at most {MAX_VALUE_LENGTH} characters"
        if problem:
            raise InvalidInput(f"{name} {problem}", field=name)


def init_app(app: Flask) -> None:
    """Bound every ``<int:...>`` of ``app`` and check each request's values; call before any blueprint."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(check_values)
