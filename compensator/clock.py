"""The one source of business time.

Every timestamp the engine records comes from a ``Clock`` passed in by the caller, never from
``datetime.now()`` scattered around, so that tests and the ``simulate`` command can drive time.
All clocks return timezone-aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current UTC time."""

    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        ...


class SystemClock:
    """The real wall clock of the machine."""

    def now(self) -> datetime:
        """Return the machine's current time in UTC."""
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to, for tests and simulations."""

    def __init__(self, start: datetime) -> None:
        self._now = as_utc(start)

    def now(self) -> datetime:
        """Return the time the clock was last set or advanced to."""
        return self._now

    def advance(self, delta: timedelta | None = None, *, minutes: int = 0, seconds: int = 0) -> datetime:
        """Move the clock forward and return the new time; moving backwards is refused."""
        step = (delta or timedelta()) + timedelta(minutes=minutes, seconds=seconds)
        if step < timedelta():
            raise ValueError("a clock never runs backwards")
        self._now += step
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to ``moment``, which must not be earlier than the current time."""
        moment = as_utc(moment)
        if moment < self._now:
            raise ValueError("a clock never runs backwards")
        self._now = moment


def as_utc(moment: datetime) -> datetime:
    """Return ``moment`` as an aware UTC datetime; naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} has no time zone")
    return moment.astimezone(UTC)
