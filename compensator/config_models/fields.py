"""The kinds of value ``config.yaml`` holds, each a pydantic type that fails with one plain message, and
``Section``, the closed mapping every section's model is.

pydantic does the checking (strict whole numbers, bounds, non-empty text); ``plainly`` replaces
its wording by ours, so a problem reads ``must be a whole number from 1 to 65535`` whatever
pydantic found wrong. A missing key and an unknown key are worded in ``problems``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from annotated_types import Interval
from pydantic import AfterValidator, BaseModel, ConfigDict, Strict, StringConstraints, ValidationError, WrapValidator
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

# The type of every problem worded here; ``problems`` passes such messages through as they are.
PROBLEM = "config"
# A bound at or above this is no real limit, so a message does not mention it.
NO_LIMIT = 10**9
DAY_MINUTES = 24 * 60

Value = TypeVar("Value")


class Section(BaseModel):
    """A mapping in ``config.yaml``: closed (an unknown key is a problem, never silently ignored) and frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def problem(message: str) -> PydanticCustomError:
    """A validation error that reads ``message`` after its key path."""
    return PydanticCustomError(PROBLEM, message)


def plainly(message: str, *, entries: bool = False, **by_type: str) -> WrapValidator:
    """Report any failure of the type it follows as ``message`` (or ``by_type[pydantic's type]``).

    With ``entries``, the problems of a list's entries (models with their own key paths) are
    reported as they are, and the list's own problem (not a list, too short) only when its entries
    have none: pydantic also finds a list of broken entries too short, having kept none of them.
    """

    def wrap(value: Any, handler: Callable[[Any], Any]) -> Any:
        try:
            return handler(value)
        except ValidationError as error:
            found = error.errors()
            inside = [item for item in found if item["loc"]]
            if entries and inside:
                raise ValidationError.from_exception_data(error.title, details(inside)) from None
            raise problem(by_type.get(found[0]["type"], message)) from None

    return WrapValidator(wrap)


def details(errors: list[ErrorDetails]) -> list[InitErrorDetails]:
    """Errors pydantic reported, to be raised again (with others, or fewer of them)."""
    again = []
    for item in errors:
        if item["type"] == PROBLEM:
            again.append(InitErrorDetails(type=problem(item["msg"]), loc=item["loc"], input=item["input"]))
        else:
            again.append(InitErrorDetails(type=item["type"], loc=item["loc"], input=item["input"],
                                          ctx=item.get("ctx", {})))
    return again


def checked(rule: Callable[[Any], bool], message: str) -> AfterValidator:
    """A further check on a value already of its type, failing with ``message``."""

    def check(value: Value) -> Value:
        if not rule(value):
            raise problem(message)
        return value

    return AfterValidator(check)


def matching(pattern: re.Pattern[str], message: str) -> AfterValidator:
    """Text that must match ``pattern``."""
    return checked(lambda value: pattern.match(value) is not None, message)


def no_repeats(message: str) -> AfterValidator:
    """A list that must not hold the same value twice."""
    return checked(lambda values: len(set(values)) == len(values), message)


def whole_number_message(minimum: int, maximum: int) -> str:
    """How a whole number's bounds read: ``from 1 to 65535``, or ``≥ 0`` when the maximum is no real limit."""
    if maximum >= NO_LIMIT:
        return f"must be a whole number ≥ {minimum}"
    return f"must be a whole number from {minimum} to {maximum}"


def whole_number(minimum: int, maximum: int) -> Any:
    """A whole number within bounds; true, false, 2.5 and "3" are not whole numbers."""
    return Annotated[int, Strict(), Interval(ge=minimum, le=maximum), plainly(whole_number_message(minimum, maximum))]


def text(maximum: int = 200, message: str = "must be non-empty text") -> Any:
    """Text that is not blank, at most ``maximum`` characters, read without its surrounding spaces."""
    return Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=maximum),
                     plainly(message, string_too_long=f"must be at most {maximum} characters")]


def seconds(minimum: float, maximum: float) -> Any:
    """A number of seconds, fractions allowed, within bounds."""
    return Annotated[float, Strict(), Interval(ge=minimum, le=maximum),
                     plainly(f"must be a number of seconds from {minimum:g} to {maximum:g}")]


def flag(message: str = "must be true or false") -> Any:
    """YAML's true or false, nothing else ("yes" and 1 are not)."""
    return Annotated[bool, Strict(), plainly(message)]


Port = whole_number(1, 65535)
