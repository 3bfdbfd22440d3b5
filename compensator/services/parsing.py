"""Input parsing shared by every use case: minutes, names, language codes, choices, times, notes, id lists.

Each function takes what a caller passed (a JSON value, a form field already converted) and
returns the clean value or raises ``InvalidInput`` naming the field, so that the API, the
dashboard, the CLI and the scenario replayer refuse bad input with the same words.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from compensator.clock import as_utc
from compensator.domain.kinds import OutageKind, OutageSource
from compensator.errors import InvalidInput, TimeOutOfRange

# One purchase or extension is at most a day: anything larger is a typo, not a sale.
MAX_PURCHASE_MINUTES = 24 * 60
MAX_NAME_LENGTH = 100
MAX_NOTE_LENGTH = 500
# Back-dating is for a cut noticed late or a server that was down overnight, not for history.
MAX_BACKDATE = timedelta(days=7)
# Times and days outside these years are typos; refusing them first keeps the arithmetic on
# them (time zones, day bounds) from overflowing at year 1 or 9999.
MIN_YEAR = 2000
MAX_YEAR = 2100
DAY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")

Choice = TypeVar("Choice", bound=StrEnum)


def text_problem(value: str) -> str | None:
    """What makes ``value`` unfit to store (a NUL, an unpaired surrogate), or None."""
    if "\x00" in value:
        return "must not contain a NUL character"
    if any("\ud800" <= character <= "\udfff" for character in value):
        return "must not contain an unpaired surrogate"
    return None


def year_problem(moment: date) -> str | None:
    """Why ``moment`` (a date or a time) is outside the years the venue can mean, or None."""
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        return f"must be in the years {MIN_YEAR} to {MAX_YEAR}"
    return None


def venue_day(value: object, *, field: str = "date") -> date:
    """A day written like 2026-11-22, in the years ``MIN_YEAR`` to ``MAX_YEAR``: every date a person types."""
    text = value.strip() if isinstance(value, str) else ""
    day = None
    if DAY_PATTERN.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            day = None
    if day is None:
        raise InvalidInput(f"{field} must be a day like 2026-11-22", field=field)
    problem = year_problem(day)
    if problem:
        raise InvalidInput(f"{field} {problem}", field=field)
    return day


def _text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field=field)
    problem = text_problem(value)
    if problem:
        raise InvalidInput(f"{field} {problem}", field=field)
    return value


def minutes(value: object, *, field: str = "minutes", maximum: int = MAX_PURCHASE_MINUTES) -> int:
    """Return ``value`` if it is a whole number of minutes from 1 to ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("minutes must be a whole number", field=field)
    if value < 1:
        raise InvalidInput("minutes must be at least 1", field=field)
    if value > maximum:
        raise InvalidInput(f"minutes must be at most {maximum}", field=field)
    return value


def name(value: object, *, field: str, maximum: int = MAX_NAME_LENGTH) -> str | None:
    """A short text on one line (runs of spaces folded), or None when empty."""
    if value is None:
        return None
    value = " ".join(_text(value, field).split())
    if len(value) > maximum:
        raise InvalidInput(f"{field} must be at most {maximum} characters", field=field)
    return value or None


def language(value: object) -> str | None:
    """A language code such as ``en``, ``fr`` or ``pt-BR``, or None."""
    code = name(value, field="language", maximum=16)
    if code is None:
        return None
    if not code.replace("-", "").replace("_", "").isalpha() or not 2 <= len(code) <= 16:
        raise InvalidInput("language must be a language code such as en or fr", field="language")
    return code


def note(value: object, field: str = "note") -> str | None:
    """A free text of at most ``MAX_NOTE_LENGTH`` characters, or None when empty."""
    if value is None:
        return None
    value = _text(value, field).strip()
    if len(value) > MAX_NOTE_LENGTH:
        raise InvalidInput(f"{field} must be at most {MAX_NOTE_LENGTH} characters", field=field)
    return value or None


def choice(kind: type[Choice], value: object, *, field: str, message: str) -> Choice:
    """The member of ``kind`` whose value is the text ``value``, else ``InvalidInput`` saying ``message``."""
    if isinstance(value, str):
        try:
            return kind(value)
        except ValueError:
            pass  # Refused below, like a value that is not text at all.
    raise InvalidInput(message, field=field)


def outage_kind(value: object) -> OutageKind:
    """``power`` or ``network``."""
    return choice(OutageKind, value, field="kind", message="kind must be power or network")


def outage_source(value: object) -> OutageSource:
    """Where an outage was reported from."""
    return choice(OutageSource, value, field="source",
                  message="source must be one of " + ", ".join(item.value for item in OutageSource))


def id_list(value: object, field: str) -> list[str]:
    """A non-empty list of ids, sorted and without repeats."""
    if not isinstance(value, list | tuple) or not value:
        raise InvalidInput(f"{field} must be a non-empty list", field=field)
    if any(not isinstance(item, str) or not item.strip() or text_problem(item) for item in value):
        raise InvalidInput(f"{field} must be a list of ids", field=field)
    return sorted({item.strip() for item in value})


def past_moment(value: object, field: str, now: datetime) -> datetime:
    """An aware time, as UTC, not in the future and at most ``MAX_BACKDATE`` before ``now``."""
    if not isinstance(value, datetime):
        raise InvalidInput(f"{field} must be a date and time with its offset", field=field)
    problem = year_problem(value)
    if problem:
        raise InvalidInput(f"{field} {problem}", field=field)
    try:
        moment = as_utc(value)
    except ValueError:
        raise InvalidInput(f"{field} must include a time zone offset", field=field) from None
    # Well formed, but refused by the clock as it stands now: a conflict with the current state (409), not bad input.
    if moment > now:
        raise TimeOutOfRange(f"{field} cannot be in the future", field=field)
    if moment < now - MAX_BACKDATE:
        raise TimeOutOfRange(f"{field} cannot be more than {MAX_BACKDATE.days} days ago", field=field)
    return moment
