"""Seat session use cases: start, extend, pause, resume, move and end a session.

Nothing here keeps a running counter. Each use case appends an event or a ledger entry, and
every balance shown is derived by ``domain.ledger`` from what has been appended (read through
``session_views``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import delete, exists, or_, select

from compensator.domain.kinds import EntryKind, SessionEventKind, SessionMode, SessionState
from compensator.domain.ledger import Balance, balance
from compensator.domain.money import value_minor
from compensator.domain.repricing import MoveDifference, move_difference
from compensator.errors import InvalidInput, InvalidState, SeatBusy, SessionEnded
from compensator.services import audit, parsing
from compensator.services.catalog import require_seat
from compensator.services.outages import use_cases as outages
from compensator.services.outages.power import require_power
from compensator.services.sessions.views import (
    LoadedSession,
    SeatSessionView,
    load_session,
    load_sessions,
    seat_price,
    view_of,
)
from compensator.store.database import UnitOfWork
from compensator.store.models import LedgerEntry, OpenSeatSession, SeatSession, SessionEvent
from compensator.store.models import Seat as SeatRow


def _lock_seats(uow: UnitOfWork, *seat_ids: str) -> None:
    # On PostgreSQL two counters starting sessions on one seat queue on its row; SQLite
    # already holds the database's write lock since BEGIN IMMEDIATE.
    uow.db.execute(select(SeatRow.id).where(SeatRow.id.in_(seat_ids)).with_for_update()).all()


def _sessions_ever_on(uow: UnitOfWork, seat_id: str) -> list[int]:
    """Open sessions that started on the seat or were moved to it: the only ones that can be on it."""
    moved_here = exists().where(
        SessionEvent.seat_session_id == OpenSeatSession.seat_session_id,
        SessionEvent.kind == SessionEventKind.MOVE,
        SessionEvent.seat_id == seat_id,
    )
    return list(uow.db.scalars(
        select(OpenSeatSession.seat_session_id)
        .join(SeatSession, SeatSession.id == OpenSeatSession.seat_session_id)
        .where(or_(SeatSession.seat_id == seat_id, moved_here))
    ))


def _require_free(uow: UnitOfWork, seat_id: str, field: str = "seat") -> None:
    now = uow.now()
    loaded = load_sessions(uow.db, _sessions_ever_on(uow, seat_id), authors=False)
    occupant = next(
        (session_id for session_id, item in loaded.items() if balance(item.facts, now).seat_id == seat_id), None
    )
    if occupant is not None:
        raise SeatBusy(f"seat {seat_id} is busy with session {occupant}", field=field)


def _current(uow: UnitOfWork, loaded: LoadedSession) -> Balance:
    result = balance(loaded.facts, uow.now())
    # An END is final whatever time it bears: one recorded "later" than now (a clock that was
    # ahead) still ended the session, which is never ended a second time.
    if result.state is SessionState.ENDED or any(event.kind is SessionEventKind.END for event in loaded.facts.events):
        raise SessionEnded(f"session {loaded.row.id} has already ended")
    return result


def snapshot(result: Balance) -> dict[str, object]:
    """What the audit log keeps of a session's balance before and after a change."""
    return {
        "state": result.state.value,
        "seat": result.seat_id,
        "paid_minutes": result.entry_minutes,
        "remaining_minutes": result.remaining_minutes,
    }


def finish_session_change(uow: UnitOfWork, session_id: int, action: str, actor: str,
                          before: dict[str, object] | None) -> SeatSessionView:
    """Audit a change to a session, commit it, and return the session as it now is."""
    uow.db.flush()
    loaded = load_session(uow, session_id)
    after = balance(loaded.facts, uow.now())
    audit.record(uow, actor=actor, action=action, target_type="seat_session", target_id=session_id,
                 before=before, after=snapshot(after))
    view = view_of(uow, loaded)
    uow.commit()
    return view


def begin_session(
    uow: UnitOfWork,
    *,
    seat_id: object,
    minutes: object = None,
    postpaid: object = False,
    customer_name: object = None,
    language: object = None,
    actor: str,
    entry_kind: EntryKind = EntryKind.PURCHASE,
    note: str | None = None,
    charge: bool = True,
) -> int:
    """Insert a new session and its first entry (not committed); return its id.

    ``charge`` is False for minutes the customer does not pay for again (a voucher).
    """
    seat = require_seat(uow, seat_id)
    if not isinstance(postpaid, bool):
        raise InvalidInput("postpaid must be true or false", field="postpaid")
    if postpaid and minutes is not None:
        raise InvalidInput("a postpaid session has no minutes: give one or the other", field="minutes")
    if not postpaid:
        if minutes is None:
            raise InvalidInput("minutes are required for a prepaid session", field="minutes")
        minutes = parsing.minutes(minutes)
    name = parsing.name(customer_name, field="customer_name")
    language_code = parsing.language(language)
    _lock_seats(uow, seat)
    _require_free(uow, seat)
    require_power(uow, seat, "start a session")
    now = uow.now()
    row = SeatSession(
        seat_id=seat,
        mode=SessionMode.POSTPAID if postpaid else SessionMode.PREPAID,
        started_at=now,
        customer_name=name,
        language=language_code,
        actor=actor,
    )
    uow.db.add(row)
    uow.db.flush()
    uow.db.add(OpenSeatSession(seat_session_id=row.id))
    if not postpaid:
        assert isinstance(minutes, int)
        uow.db.add(
            LedgerEntry(
                seat_session_id=row.id,
                kind=entry_kind,
                minutes=minutes,
                value_minor=value_minor(minutes, seat_price(uow, seat)) if charge else 0,
                created_at=now,
                actor=actor,
                note=note,
            )
        )
    return row.id


def start_session(
    uow: UnitOfWork,
    *,
    seat_id: object,
    minutes: object = None,
    postpaid: object = False,
    customer_name: object = None,
    language: object = None,
    actor: str,
) -> SeatSessionView:
    """Start a prepaid session of ``minutes`` or a postpaid one on a free seat."""
    session_id = begin_session(uow, seat_id=seat_id, minutes=minutes, postpaid=postpaid,
                               customer_name=customer_name, language=language, actor=actor)
    return finish_session_change(uow, session_id, "session.start", actor, None)


def extend_session(uow: UnitOfWork, session_id: object, *, minutes: object, actor: str) -> SeatSessionView:
    """Sell more minutes to a prepaid session that has not ended."""
    loaded = load_session(uow, session_id)
    minutes = parsing.minutes(minutes)
    current = _current(uow, loaded)
    if loaded.facts.mode is SessionMode.POSTPAID:
        raise InvalidState("a postpaid session is billed at the end: it cannot be extended")
    uow.db.add(
        LedgerEntry(
            seat_session_id=loaded.row.id,
            kind=EntryKind.EXTENSION,
            minutes=minutes,
            value_minor=value_minor(minutes, seat_price(uow, current.seat_id)),
            created_at=uow.now(),
            actor=actor,
        )
    )
    return finish_session_change(uow, loaded.row.id, "session.extend", actor, snapshot(current))


def _append_event(uow: UnitOfWork, loaded: LoadedSession, kind: SessionEventKind, actor: str,
                  seat_id: str | None = None, at: datetime | None = None) -> None:
    uow.db.add(
        SessionEvent(seat_session_id=loaded.row.id, kind=kind, at=at or uow.now(), seat_id=seat_id, actor=actor)
    )


def pause_session(uow: UnitOfWork, session_id: object, *, actor: str) -> SeatSessionView:
    """Stop a running session's clock until it is resumed."""
    loaded = load_session(uow, session_id)
    current = _current(uow, loaded)
    if current.state is SessionState.PAUSED:
        raise InvalidState(f"session {loaded.row.id} is already paused")
    if current.state is SessionState.TIME_UP:
        raise InvalidState(f"session {loaded.row.id} has no paid time left to pause")
    _append_event(uow, loaded, SessionEventKind.PAUSE, actor)
    return finish_session_change(uow, loaded.row.id, "session.pause", actor, snapshot(current))


def resume_session(uow: UnitOfWork, session_id: object, *, actor: str) -> SeatSessionView:
    """Restart a paused session's clock."""
    loaded = load_session(uow, session_id)
    current = _current(uow, loaded)
    if current.state is not SessionState.PAUSED:
        raise InvalidState(f"session {loaded.row.id} is not paused")
    require_power(uow, current.seat_id, "resume a session")
    _append_event(uow, loaded, SessionEventKind.RESUME, actor)
    return finish_session_change(uow, loaded.row.id, "session.resume", actor, snapshot(current))


def move_session(uow: UnitOfWork, session_id: object, *, seat_id: object, actor: str) -> SeatSessionView:
    """Move a session, with its time, to another free seat; paid time left is re-priced at the new seat's price."""
    loaded = load_session(uow, session_id)
    target = require_seat(uow, seat_id)
    current = _current(uow, loaded)
    if target == current.seat_id:
        raise InvalidState(f"session {loaded.row.id} is already on seat {target}", field="seat")
    _lock_seats(uow, current.seat_id, target)
    _require_free(uow, target)
    require_power(uow, target, "move a session")
    _append_event(uow, loaded, SessionEventKind.MOVE, actor, seat_id=target)
    difference = _reprice(uow, loaded, current, target, actor)
    view = finish_session_change(uow, loaded.row.id, "session.move", actor, snapshot(current))
    return replace(view, moved=difference)


def _reprice(uow: UnitOfWork, loaded: LoadedSession, current: Balance, target: str,
             actor: str) -> MoveDifference | None:
    """A prepaid session's paid time left, re-priced at the new seat's price: the pair of ``price_change`` entries.

    None when nothing is re-priced: a postpaid session (billed at each seat's price at the end),
    no paid time left, or a seat at the same price.
    """
    old_price, new_price = seat_price(uow, current.seat_id), seat_price(uow, target)
    if loaded.facts.mode is SessionMode.POSTPAID or current.remaining_minutes == 0 or old_price == new_price:
        return None
    difference = move_difference(current.remaining, old_price, new_price)
    now, left = uow.now(), difference.minutes_left
    note = f"moved from seat {current.seat_id} to {target}: {left} min left re-priced"
    uow.db.add_all([
        LedgerEntry(seat_session_id=loaded.row.id, kind=EntryKind.PRICE_CHANGE, minutes=-left,
                    value_minor=-difference.left_value_minor, created_at=now, actor=actor, note=note),
        LedgerEntry(seat_session_id=loaded.row.id, kind=EntryKind.PRICE_CHANGE, minutes=left,
                    value_minor=difference.left_value_minor + difference.difference_minor, created_at=now,
                    actor=actor, note=note),
    ])
    return difference


def end_session(uow: UnitOfWork, session_id: object, *, actor: str) -> SeatSessionView:
    """End a session: its seat is free again and a postpaid bill is final."""
    loaded = load_session(uow, session_id)
    current = _current(uow, loaded)
    # A leaver's compensation is made at the very instant the session ends.
    ended_at = uow.now()
    _append_event(uow, loaded, SessionEventKind.END, actor, at=ended_at)
    uow.db.execute(delete(OpenSeatSession).where(OpenSeatSession.seat_session_id == loaded.row.id))
    uow.db.flush()
    owed = outages.compensate_leaver(uow, loaded.row.id, current.seat_id, actor=actor, at=ended_at)
    view = finish_session_change(uow, loaded.row.id, "session.end", actor, snapshot(current))
    return replace(view, owed_on_leaving=owed) if owed else view
