"""The ``venue:``, ``zones:`` and ``seats:`` sections of ``config.yaml`` (SPEC appendix A) as pydantic models.

Each entry checks itself; the rules across entries (ids used twice, a seat's zone that no zone
declares) are ``document``'s, since they need the whole file.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from compensator.config_models.fields import (
    DAY_MINUTES,
    Section,
    matching,
    no_repeats,
    plainly,
    problem,
    text,
    whole_number,
)
from compensator.settings import SeatSettings, VenueSettings, ZoneSettings
from compensator.timeofday import ClockStyle

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
RANGE_PATTERN = re.compile(r"^([A-Za-z]*)(\d+)-([A-Za-z]*)(\d+)$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}([_-][A-Za-z]{2,4})?$")
CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")
CLOCK_PATTERN = re.compile(r"^(\d{1,2}):(\d{2})$")
MAX_SEATS_IN_RANGE = 1000
# The largest gaming centres known hold about 1,800 seats; far more is a typing mistake, and a
# million seats take minutes and gigabytes to start.
MAX_SEATS = 5000
MAX_PRICE_MINOR_PER_HOUR = 10**9


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise problem(f"unknown time zone {name!r} (use a name like Africa/Lagos)") from None
    return name


def _closing_time(value: object) -> time:
    # PyYAML reads an unquoted 22:00 as the base-60 number 1320; it is unambiguous, so accept it.
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < DAY_MINUTES:
        return time(value // 60, value % 60)
    if isinstance(value, str) and (match := CLOCK_PATTERN.match(value.strip())):
        hours, minutes = int(match.group(1)), int(match.group(2))
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
    raise problem('must be a time of day like "22:00"')


Language = Annotated[str, StringConstraints(strict=True, pattern=LANGUAGE_PATTERN.pattern),
                     plainly("must be a language code such as en, fr or pcm")]
Languages = Annotated[tuple[Language, ...], Field(min_length=1),
                      plainly("must be a non-empty list of language codes", entries=True),
                      no_repeats("lists a language twice")]
TimeZone = Annotated[text(), AfterValidator(_time_zone)]
Currency = Annotated[text(), matching(CURRENCY_PATTERN, "must be a three-letter ISO code such as NGN")]
ClosingTime = Annotated[time, PlainValidator(_closing_time)]
Clock = Annotated[ClockStyle, plainly('must be "24h" or "12h"')]


class VenueModel(Section):
    """``venue:``: the venue's name, time zone, currency, notice languages, closing time and clock style."""

    name: text()
    timezone: TimeZone
    currency: Currency
    languages: Languages = ("en",)
    closing_time: ClosingTime = time(22, 0)
    clock: Clock = ClockStyle.TWENTY_FOUR_HOUR

    def to_settings(self) -> VenueSettings:
        """The venue's settings."""
        return VenueSettings(self.name, self.timezone, self.currency, self.languages, self.closing_time, self.clock)


ZoneId = Annotated[text(32), matching(ID_PATTERN, "must be 1 to 32 letters, digits, dashes or underscores")]


class ZoneModel(Section):
    """An entry of ``zones:``: seats on one circuit and price."""

    id: ZoneId
    # Named after its id when the file gives no name.
    name: text(100) | None = None
    price_minor_per_hour: whole_number(0, MAX_PRICE_MINOR_PER_HOUR)
    ups_minutes: whole_number(0, DAY_MINUTES) = 0

    def to_settings(self) -> ZoneSettings:
        """The zone's settings."""
        return ZoneSettings(self.id, self.name or self.id, self.price_minor_per_hour, self.ups_minutes)


def expand_seat_ids(text: str) -> list[str] | str:
    """The seat ids a single id or a range like ``A1-A12`` stands for, or a problem in words."""
    match = RANGE_PATTERN.match(text)
    if match is None:
        return [text] if ID_PATTERN.match(text) else "must be a seat id or a range like A1-A12"
    prefix, first, end_prefix, last = match.groups()
    if end_prefix not in ("", prefix):
        if ID_PATTERN.match(text):
            return [text]
        return "a range keeps one prefix on both ends, like A1-A12"
    start, stop = int(first), int(last)
    if stop < start:
        return f"the range {text} runs backwards"
    if stop - start + 1 > MAX_SEATS_IN_RANGE:
        return f"a range holds at most {MAX_SEATS_IN_RANGE} seats"
    width = len(first) if first.startswith("0") and len(first) > 1 else 0
    return [f"{prefix}{number:0{width}d}" for number in range(start, stop + 1)]


def _seat_ids(value: object) -> tuple[str, ...]:
    # YAML reads a seat called 12 as a number; it is still that seat's id.
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise problem("is required (a seat id or a range like A1-A12)")
    expanded = expand_seat_ids(value.strip())
    if isinstance(expanded, str):
        raise problem(expanded)
    return tuple(expanded)


SeatIds = Annotated[tuple[str, ...], PlainValidator(_seat_ids)]
SeatZone = text(message="is required")
LABEL_PROBLEM = "a label is text and only for a single seat"
Label = text(message=LABEL_PROBLEM)


class SeatModel(Section):
    """An entry of ``seats:``: one seat, or a range of seats such as ``A1-A12``, in a zone."""

    # A default only so that a missing id gets the message that says what an id looks like.
    id: SeatIds = Field(default=None, validate_default=True)
    zone: SeatZone
    label: Label | None = None

    @field_validator("label")
    @classmethod
    def _label_only_for_a_single_seat(cls, label: str | None, info: ValidationInfo) -> str | None:
        if label is not None and len(info.data.get("id", ())) > 1:
            raise problem(LABEL_PROBLEM)
        return label

    def to_settings(self) -> tuple[SeatSettings, ...]:
        """The settings of each seat the entry stands for."""
        return tuple(SeatSettings(seat_id, self.label or seat_id, self.zone) for seat_id in self.id)
