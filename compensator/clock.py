"""The one source of business time.

Every timestamp the engine records comes from a ``Clock`` passed in by the caller, never from
``datetime.now()`` scattered around, so that tests and the ``simulate`` command can drive time.
All clocks return timezone-aware UTC datetimes.

The server's clock is a ``SteadyClock``: business time never runs backwards and never leaps when
someone (or NTP) sets the PC's clock. It notices each step of the wall clock and remembers it,
so that the step is recorded once, with its size.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

# NTP slews the wall clock and the monotonic clock alike, so they drift apart only by steps; a
# difference this small is reading jitter, not a step.
STEP_TOLERANCE = timedelta(seconds=2)


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


@dataclass(frozen=True, slots=True)
class ClockStep:
    """The PC's clock was set: at business time ``at`` it moved by ``size`` (negative: set back).

    ``difference`` is how far the PC's clock then was from business time (positive: the PC's clock
    is ahead of the time Compensator counts)."""

    at: datetime
    size: timedelta
    wall: datetime
    difference: timedelta


class SteadyClock:
    """Business time: the wall clock read once at start, moved on by the monotonic clock since.

    A step of the wall clock (the PC's clock set back an hour, or forward a day) does not move
    business time: sessions, bills, credits and the scheduler keep counting the time that really
    passed. The step is noticed at the next reading, logged once with its size and kept in
    ``pending`` until the scheduler records it in the audit log. Business time follows
    ``CLOCK_BOOTTIME``, which counts the time the PC slept too (a sleeping counter is not running,
    which the server-gap source tells apart), and is never set.
    """

    def __init__(self, *, wall: Callable[[], datetime] | None = None,
                 monotonic: Callable[[], float] | None = None, boot_id: str | None = None) -> None:
        self._wall = wall or _wall_now
        self._monotonic = monotonic or _boot_seconds
        # Which boot of the PC the monotonic clock counts from ("" when unknown).
        self.boot_id = _read_boot_id() if boot_id is None else boot_id
        self._lock = threading.Lock()
        self._anchor = self._wall()
        self._anchor_seconds = self._monotonic()
        self._difference = timedelta()  # the wall clock less business time, as last seen
        self.steps: list[ClockStep] = []
        self._recorded = 0

    def now(self) -> datetime:
        """Business time now; a step of the wall clock since the last reading is noted, not followed."""
        return self.reading()[0]

    def reading(self) -> tuple[datetime, float, timedelta]:
        """Business time now, the monotonic reading it comes from, and how far the PC's clock is from it."""
        seconds = self._monotonic()
        business = self._anchor + timedelta(seconds=seconds - self._anchor_seconds)
        wall = self._wall()
        difference = wall - business
        if abs(difference - self._difference) > STEP_TOLERANCE:
            with self._lock:
                # Read again under the lock: a reading taken before another thread saw the step (and
                # recorded it) would otherwise be taken for a step back, then the next for the step again.
                seconds = self._monotonic()
                business = self._anchor + timedelta(seconds=seconds - self._anchor_seconds)
                wall = self._wall()
                difference = wall - business
                if abs(difference - self._difference) > STEP_TOLERANCE:
                    step = ClockStep(business, difference - self._difference, wall, difference)
                    self._difference = difference
                    self.steps.append(step)
                    _warn("the PC's clock was set %s by %s at %s; business time keeps counting real time "
                                "(the PC's clock is now %s business time)", "back" if step.size < timedelta() else
                                "forward", describe(abs(step.size)), business.isoformat(), _ahead(difference))
        return business, seconds, self._difference

    def resume(self, business: datetime, previous_difference: timedelta) -> ClockStep | None:
        """Go on from ``business`` (where the last run left off plus the time that really passed), the
        PC's clock then ``previous_difference`` from business time; a change of it is a step made while
        the server was stopped."""
        with self._lock:
            self._anchor, self._anchor_seconds = business, self._monotonic()
            wall = self._wall()
            self._difference = wall - business
            size = self._difference - previous_difference
            if abs(size) <= STEP_TOLERANCE:
                return None
            step = ClockStep(business, size, wall, self._difference)
            self.steps.append(step)
        _warn("the PC's clock was set %s by %s while the server was stopped; business time goes on from %s "
                    "(the PC's clock is now %s business time)", "back" if size < timedelta() else "forward",
                    describe(abs(size)), business.isoformat(), _ahead(self._difference))
        return step

    def hold_at_least(self, floor: datetime) -> ClockStep | None:
        """Never start before ``floor`` (the last time recorded): a PC's clock behind it is a step."""
        business = self.now()
        if business >= floor:
            return None
        with self._lock:
            self._anchor += floor - business
            wall = self._wall()
            self._difference = wall - floor
            step = ClockStep(floor, business - floor, wall, self._difference)
            self.steps.append(step)
        _warn("the PC's clock is %s behind the last time recorded (%s); business time goes on from there",
                    describe(floor - business), floor.isoformat())
        return step

    @property
    def difference(self) -> timedelta:
        """How far the PC's clock is from business time (positive: ahead), as last read."""
        return self._difference

    @property
    def last_step(self) -> ClockStep | None:
        """The latest step noticed, if any."""
        with self._lock:
            return self.steps[-1] if self.steps else None

    def pending(self) -> list[ClockStep]:
        """The steps noticed but not yet recorded (``recorded`` marks them)."""
        with self._lock:
            return self.steps[self._recorded:]

    def recorded(self, count: int) -> None:
        """Mark the first ``count`` pending steps as recorded in the audit log."""
        with self._lock:
            self._recorded = min(len(self.steps), self._recorded + count)


def describe(size: timedelta) -> str:
    """A duration in words for a log line: "1 h 0 min", "1 d 0 h 0 min", "45 s"."""
    seconds = round(abs(size).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h {minutes} min"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s"
    return f"{seconds} s"


def _ahead(difference: timedelta) -> str:
    if abs(difference) <= STEP_TOLERANCE:
        return "right with"
    return f"{describe(difference)} {'ahead of' if difference > timedelta() else 'behind'}"


def _warn(message: str, *args: object) -> None:
    # Imported here: the commands that never start a clock (--help, check-config) load no logging.
    import logging

    logging.getLogger(__name__).warning(message, *args)


def _wall_now() -> datetime:
    return datetime.now(UTC)


def _boot_seconds() -> float:
    return time.clock_gettime(time.CLOCK_BOOTTIME)


def _read_boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return ""


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
