"""Ledger arithmetic: a seat session's balance derived from its entries and events.

Nothing here is stored. Remaining time, the paid end and the billed minutes are recomputed by
replaying the session's append-only ledger entries and its events (pause, resume, move, end)
in time order. A prepaid session consumes its paid time only while it is running; once the
time is up it stops consuming, so minutes bought later run from the moment they were bought.
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any

from compensator.domain.kinds import EntryKind, SessionEventKind, SessionMode, SessionState
from compensator.domain.records import record

MINUTE = timedelta(minutes=1)
ZERO = timedelta(0)
# A replay's points in order: by moment, then entries (0) before events (1) before the end (2).
_POINT_ORDER = itemgetter(0, 1)


def ceil_minutes(duration: timedelta) -> int:
    """Whole minutes in ``duration``, any started minute counting as a whole one."""
    if duration <= ZERO:
        return 0
    return -(-duration // MINUTE)


@record
class EventRecord:
    """One session event as plain data; ``seat_id`` is the destination of a move."""

    kind: SessionEventKind
    at: datetime
    seat_id: str | None = None


@record
class EntryRecord:
    """One ledger entry as plain data; reversals carry the negated minutes of what they reverse."""

    id: int
    kind: EntryKind
    minutes: int
    created_at: datetime
    value_minor: int = 0
    reverses_id: int | None = None


@record
class SessionFacts:
    """Everything the ledger knows about one seat session."""

    mode: SessionMode
    started_at: datetime
    seat_id: str
    events: tuple[EventRecord, ...] = ()
    entries: tuple[EntryRecord, ...] = ()

    @property
    def ended_at(self) -> datetime | None:
        """When the session ended, or None while it has not."""
        for event in self.events:
            if event.kind is SessionEventKind.END:
                return event.at
        return None


@record
class Interval:
    """A half-open stretch of time ``[start, end)`` spent on one seat."""

    start: datetime
    end: datetime
    seat_id: str


@record
class Balance:
    """A session's derived position at one instant."""

    at: datetime
    state: SessionState
    seat_id: str
    entry_minutes: int
    used: timedelta
    remaining: timedelta
    paid_end: datetime | None
    elapsed_active: timedelta
    ended_at: datetime | None
    billed_minutes: int | None
    time_up_at: datetime | None = None
    intervals: tuple[Interval, ...] = field(default=())
    occupancy: tuple[Interval, ...] = field(default=())
    # The replay's state after each entry or event: (moment, credit, used, consuming), the
    # first one at the start; what ``remaining_at`` looks back on.
    checkpoints: tuple[tuple[datetime, timedelta, timedelta, bool], ...] = field(default=())

    @property
    def remaining_minutes(self) -> int:
        """Remaining paid minutes, a started minute counting as whole (0 once time is up)."""
        return ceil_minutes(self.remaining)

    @property
    def shown_until(self) -> datetime | None:
        """The first later moment at which the state, seat, remaining minutes or paid end read otherwise; None if never.

        It holds while no entry or event falls after ``at``: then only a running prepaid
        session's count down moves. Its remaining minutes drop by one at each whole minute
        before its paid end (which stays put while it runs), and at the paid end its time is up.
        """
        if self.state is SessionState.RUNNING and self.remaining > ZERO:
            return self.at + self.remaining - (self.remaining_minutes - 1) * MINUTE
        return None

    def remaining_at(self, moment: datetime) -> timedelta:
        """The paid time left at an earlier ``moment``: ``balance(facts, moment).remaining`` without a replay."""
        if moment > self.at:
            raise ValueError("remaining_at looks back: the moment must not be after the balance's")
        if not self.checkpoints:
            return ZERO
        moment = max(moment, self.checkpoints[0][0])
        index = len(self.checkpoints) - 1
        while self.checkpoints[index][0] > moment:
            index -= 1
        since, credit, used, consuming = self.checkpoints[index]
        if consuming and credit > used:
            used += min(moment - since, credit - used)
        return max(credit - used, ZERO)


def balance(facts: SessionFacts, at: datetime, *, history: bool = True) -> Balance:
    """Replay a session's entries and events up to ``at`` and return its balance then.

    With ``history=False`` the replay keeps no record of how it got there: the balance's
    ``intervals``, ``occupancy`` and ``checkpoints`` are left empty (so ``remaining_at`` cannot
    look back), for a caller that shows only where hundreds of sessions stand now (the seat board).
    """
    at = max(at, facts.started_at)
    points: list[tuple[datetime, int, EntryRecord | EventRecord | None]] = [
        (entry.created_at, 0, entry) for entry in facts.entries if entry.created_at <= at]
    if facts.events:
        points.extend([(event.at, 1, event) for event in facts.events if event.at <= at])
    # Entries sort before events at the same instant so that a purchase made at the start,
    # or an extension bought as the session resumes, is available straight away.
    if len(points) > 1:
        points.sort(key=_POINT_ORDER)
    points.append((at, 2, None))

    prepaid = facts.mode is SessionMode.PREPAID
    cursor = facts.started_at
    seat_id = facts.seat_id
    running = True
    ended_at: datetime | None = None
    credit = ZERO
    used = ZERO
    elapsed_active = ZERO
    time_up_at: datetime | None = None
    # [start, end, seat] while being built; contiguous time on one seat is one interval.
    intervals: list[list[Any]] = []
    occupancy: list[list[Any]] = []
    checkpoints: list[tuple[datetime, timedelta, timedelta, bool]] = []
    if history:
        checkpoints.append((cursor, credit, used, prepaid))

    for moment, order, item in points:
        if moment > cursor:
            # Contiguous time on one seat is one interval (written out: every replay's every point).
            if history:
                if occupancy and occupancy[-1][1] == cursor and occupancy[-1][2] == seat_id:
                    occupancy[-1][1] = moment
                else:
                    occupancy.append([cursor, moment, seat_id])
            if running:
                span = moment - cursor
                elapsed_active += span
                if history:
                    if intervals and intervals[-1][1] == cursor and intervals[-1][2] == seat_id:
                        intervals[-1][1] = moment
                    else:
                        intervals.append([cursor, moment, seat_id])
                if prepaid:
                    left = credit - used
                    if left > ZERO:
                        consumed = min(span, left)
                        used += consumed
                        if used >= credit:
                            time_up_at = cursor + consumed
            cursor = moment
        if order == 0:
            assert isinstance(item, EntryRecord)
            credit += item.minutes * MINUTE
            if credit > used:
                time_up_at = None
        elif order == 1:
            assert isinstance(item, EventRecord)
            if item.kind is SessionEventKind.PAUSE:
                running = False
            elif item.kind is SessionEventKind.RESUME:
                running = True
            elif item.kind is SessionEventKind.MOVE and item.seat_id is not None:
                seat_id = item.seat_id
            elif item.kind is SessionEventKind.END:
                ended_at = item.at
                if history:
                    checkpoints.append((cursor, credit, used, False))
                break
        else:
            break
        if history:
            checkpoints.append((cursor, credit, used, prepaid and running))

    total_minutes = credit // MINUTE
    remaining = max(credit - used, ZERO) if prepaid else ZERO
    if ended_at is not None:
        state = SessionState.ENDED
    elif not running:
        state = SessionState.PAUSED
    elif prepaid and remaining <= ZERO:
        state = SessionState.TIME_UP
    else:
        state = SessionState.RUNNING

    paid_end: datetime | None = None
    if prepaid:
        if state is SessionState.RUNNING:
            paid_end = at + remaining
        elif state is SessionState.TIME_UP:
            paid_end = time_up_at
        elif state is SessionState.ENDED:
            assert ended_at is not None, "a session is ended only at its end"
            paid_end = ended_at + remaining if remaining > ZERO else (time_up_at or ended_at)

    billed: int | None = None
    if not prepaid:
        billed = max(ceil_minutes(elapsed_active) - total_minutes, 0)

    return Balance(
        at=at,
        state=state,
        seat_id=seat_id,
        entry_minutes=total_minutes,
        used=used,
        remaining=remaining,
        paid_end=paid_end,
        elapsed_active=elapsed_active,
        ended_at=ended_at,
        billed_minutes=billed,
        time_up_at=time_up_at if prepaid else None,
        intervals=tuple([Interval(*interval) for interval in intervals]),
        occupancy=tuple([Interval(*interval) for interval in occupancy]),
        checkpoints=tuple(checkpoints) if prepaid else (),
    )
