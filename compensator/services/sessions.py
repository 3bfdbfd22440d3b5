"""Seat session use cases: start, extend, pause, resume, move, end, and reading balances.

Nothing here keeps a running counter. Each use case appends an event or a ledger entry, and
every balance shown is derived by ``domain.ledger`` from what has been appended.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, exists, or_, select, union
from sqlalchemy.orm import Session

from compensator.domain.kinds import EntryKind, SessionEventKind, SessionMode, SessionState
from compensator.domain.ledger import Balance, EntryRecord, EventRecord, SessionFacts, balance
from compensator.domain.money import value_minor
from compensator.errors import InvalidInput, InvalidState, NotFound, SeatBusy, SessionEnded, require_id
from compensator.services import audit, parsing
from compensator.services.catalog import require_seat
from compensator.store.database import UnitOfWork
from compensator.store.models import LedgerEntry, OpenSeatSession, SeatSession, SessionEvent
from compensator.store.models import Seat as SeatRow

@dataclass(frozen=True, slots=True)
class EntryView:
    """A ledger entry as shown to people and API clients."""

    id: int
    kind: EntryKind
    minutes: int
    value_minor: int
    created_at: datetime
    reverses_id: int | None
    actor: str
    note: str | None


@dataclass(frozen=True, slots=True)
class SeatSessionView:
    """A seat session with its derived balance at ``as_of``."""

    id: int
    seat_id: str
    start_seat_id: str
    zone_id: str
    mode: SessionMode
    state: SessionState
    started_at: datetime
    ended_at: datetime | None
    customer_name: str | None
    language: str | None
    paid_minutes: int
    remaining_minutes: int
    paid_end: datetime | None
    billed_minutes: int | None
    bill_minor: int | None
    entries: tuple[EntryView, ...]
    as_of: datetime


@dataclass(frozen=True, slots=True)
class SessionRow:
    """The columns of a seat session row, read without the ORM's bookkeeping."""

    id: int
    seat_id: str
    customer_name: str | None
    language: str | None


@dataclass(frozen=True, slots=True)
class LoadedSession:
    """A session's row and its facts as plain data for the core; ``entries`` as shown to people."""

    row: SessionRow
    facts: SessionFacts
    # Who wrote each entry and its note, in the order of ``facts.entries``.
    entry_authors: tuple[tuple[str, str | None], ...]

    @property
    def entries(self) -> tuple[EntryView, ...]:
        """The session's ledger entries as shown to people, oldest first."""
        return tuple(
            EntryView(id=entry.id, kind=entry.kind, minutes=entry.minutes, value_minor=entry.value_minor,
                      created_at=entry.created_at, reverses_id=entry.reverses_id, actor=actor, note=note)
            for entry, (actor, note) in zip(self.facts.entries, self.entry_authors, strict=True)
        )


def load_sessions(db: Session, session_ids: Iterable[int] | Select[tuple[int]]) -> dict[int, LoadedSession]:
    """Load sessions with their events and entries in three statements, whatever their number.

    ``session_ids`` is a collection of ids or a query of them (then used as a subquery, which
    spares sending hundreds of ids three times). Plain column rows are read rather than ORM
    objects: closing an outage and drawing the dashboard load every open session, and hydrating
    objects would cost more than the rest.
    """
    if isinstance(session_ids, Select):
        ids: Select[tuple[int]] | list[int] = session_ids
    else:
        ids = sorted(set(session_ids))
        if not ids:
            return {}
    rows = db.execute(select(SeatSession.id, SeatSession.seat_id, SeatSession.mode, SeatSession.started_at,
                             SeatSession.customer_name, SeatSession.language).where(SeatSession.id.in_(ids))).tuples().all()
    if not rows:
        return {}
    events: dict[int, list[EventRecord]] = defaultdict(list)
    for session_id, kind, at, seat_id in db.execute(
        select(SessionEvent.seat_session_id, SessionEvent.kind, SessionEvent.at, SessionEvent.seat_id)
        .where(SessionEvent.seat_session_id.in_(ids)).order_by(SessionEvent.id)
    ).tuples():
        events[session_id].append(EventRecord(kind, at, seat_id))
    entries: dict[int, list[EntryRecord]] = defaultdict(list)
    authors: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
    for session_id, entry_id, kind, minutes, value, created_at, reverses_id, actor, note in db.execute(
        select(LedgerEntry.seat_session_id, LedgerEntry.id, LedgerEntry.kind, LedgerEntry.minutes,
               LedgerEntry.value_minor, LedgerEntry.created_at, LedgerEntry.reverses_id, LedgerEntry.actor,
               LedgerEntry.note)
        .where(LedgerEntry.seat_session_id.in_(ids)).order_by(LedgerEntry.id)
    ).tuples():
        entries[session_id].append(EntryRecord(entry_id, kind, minutes, created_at, value, reverses_id))
        authors[session_id].append((actor, note))
    return {
        session_id: LoadedSession(
            row=SessionRow(session_id, seat_id, customer_name, language),
            facts=SessionFacts(mode, started_at, seat_id, tuple(events[session_id]), tuple(entries[session_id])),
            entry_authors=tuple(authors[session_id]),
        )
        for session_id, seat_id, mode, started_at, customer_name, language in rows
    }


def open_session_ids(db: Session) -> list[int]:
    """Ids of the sessions that have not ended."""
    return list(db.scalars(select(OpenSeatSession.seat_session_id).order_by(OpenSeatSession.seat_session_id)))


def sessions_not_ended_before(start: datetime, end: datetime) -> Select[tuple[int]]:
    """A query of the ids of the sessions that held a seat at some time in ``[start, end)``.

    They started before ``end`` and are still open or ended at ``start`` or later. Both parts
    are read from indexes, so the cost follows the sessions of the period, not all history.
    """
    ended_since = select(SessionEvent.seat_session_id).where(
        SessionEvent.kind == SessionEventKind.END, SessionEvent.at >= start)
    candidates = union(select(OpenSeatSession.seat_session_id), ended_since)
    return select(SeatSession.id).where(SeatSession.id.in_(candidates), SeatSession.started_at < end)


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
    loaded = load_sessions(uow.db, _sessions_ever_on(uow, seat_id))
    occupant = next(
        (session_id for session_id, item in loaded.items() if balance(item.facts, now).seat_id == seat_id), None
    )
    if occupant is not None:
        raise SeatBusy(f"seat {seat_id} is busy with session {occupant}", field=field)


def _price(uow: UnitOfWork, seat_id: str) -> int:
    return uow.settings.zone(uow.settings.seat(seat_id).zone_id).price_minor_per_hour


def view_of(uow: UnitOfWork, loaded: LoadedSession, *, at: datetime | None = None) -> SeatSessionView:
    """The view of a loaded session at ``at`` (now by default)."""
    moment = at or uow.now()
    result: Balance = balance(loaded.facts, moment)
    bill_minor = None
    if result.billed_minutes is not None:
        bill_minor = value_minor(result.billed_minutes, _price(uow, result.seat_id))
    return SeatSessionView(
        id=loaded.row.id,
        seat_id=result.seat_id,
        start_seat_id=loaded.row.seat_id,
        zone_id=uow.settings.seat(result.seat_id).zone_id,
        mode=loaded.facts.mode,
        state=result.state,
        started_at=loaded.facts.started_at,
        ended_at=result.ended_at,
        customer_name=loaded.row.customer_name,
        language=loaded.row.language,
        paid_minutes=result.entry_minutes,
        remaining_minutes=result.remaining_minutes,
        paid_end=result.paid_end,
        billed_minutes=result.billed_minutes,
        bill_minor=bill_minor,
        entries=loaded.entries,
        as_of=moment,
    )


def _load_one(uow: UnitOfWork, session_id: object) -> LoadedSession:
    session_id = require_id(session_id, "session")
    loaded = load_sessions(uow.db, [session_id]).get(session_id)
    if loaded is None:
        raise NotFound(f"unknown session {session_id}", field="session")
    return loaded


def _current(uow: UnitOfWork, loaded: LoadedSession) -> Balance:
    result = balance(loaded.facts, uow.now())
    if result.state is SessionState.ENDED:
        raise SessionEnded(f"session {loaded.row.id} has already ended")
    return result


def _snapshot(result: Balance) -> dict[str, object]:
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
    loaded = _load_one(uow, session_id)
    after = balance(loaded.facts, uow.now())
    audit.record(uow, actor=actor, action=action, target_type="seat_session", target_id=session_id,
                 before=before, after=_snapshot(after))
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
                value_minor=value_minor(minutes, _price(uow, seat)) if charge else 0,
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
    loaded = _load_one(uow, session_id)
    minutes = parsing.minutes(minutes)
    current = _current(uow, loaded)
    if loaded.facts.mode is SessionMode.POSTPAID:
        raise InvalidState("a postpaid session is billed at the end: it cannot be extended")
    uow.db.add(
        LedgerEntry(
            seat_session_id=loaded.row.id,
            kind=EntryKind.EXTENSION,
            minutes=minutes,
            value_minor=value_minor(minutes, _price(uow, current.seat_id)),
            created_at=uow.now(),
            actor=actor,
        )
    )
    return finish_session_change(uow, loaded.row.id, "session.extend", actor, _snapshot(current))


def _append_event(uow: UnitOfWork, loaded: LoadedSession, kind: SessionEventKind, actor: str, seat_id: str | None = None) -> None:
    uow.db.add(
        SessionEvent(seat_session_id=loaded.row.id, kind=kind, at=uow.now(), seat_id=seat_id, actor=actor)
    )


def pause_session(uow: UnitOfWork, session_id: object, *, actor: str) -> SeatSessionView:
    """Stop a running session's clock until it is resumed."""
    loaded = _load_one(uow, session_id)
    current = _current(uow, loaded)
    if current.state is SessionState.PAUSED:
        raise InvalidState(f"session {loaded.row.id} is already paused")
    if current.state is SessionState.TIME_UP:
        raise InvalidState(f"session {loaded.row.id} has no paid time left to pause")
    _append_event(uow, loaded, SessionEventKind.PAUSE, actor)
    return finish_session_change(uow, loaded.row.id, "session.pause", actor, _snapshot(current))


def resume_session(uow: UnitOfWork, session_id: object, *, actor: str) -> SeatSessionView:
    """Restart a paused session's clock."""
    loaded = _load_one(uow, session_id)
    current = _current(uow, loaded)
    if current.state is not SessionState.PAUSED:
        raise InvalidState(f"session {loaded.row.id} is not paused")
    _append_event(uow, loaded, SessionEventKind.RESUME, actor)
    return finish_session_change(uow, loaded.row.id, "session.resume", actor, _snapshot(current))


def move_session(uow: UnitOfWork, session_id: object, *, seat_id: object, actor: str) -> SeatSessionView:
    """Move a session, with its time, to another free seat."""
    loaded = _load_one(uow, session_id)
    target = require_seat(uow, seat_id)
    current = _current(uow, loaded)
    if target == current.seat_id:
        raise InvalidInput(f"session {loaded.row.id} is already on seat {target}", field="seat")
    _lock_seats(uow, current.seat_id, target)
    _require_free(uow, target)
    _append_event(uow, loaded, SessionEventKind.MOVE, actor, seat_id=target)
    return finish_session_change(uow, loaded.row.id, "session.move", actor, _snapshot(current))


def end_session(uow: UnitOfWork, session_id: object, *, actor: str) -> SeatSessionView:
    """End a session: its seat is free again and a postpaid bill is final."""
    loaded = _load_one(uow, session_id)
    current = _current(uow, loaded)
    _append_event(uow, loaded, SessionEventKind.END, actor)
    uow.db.execute(delete(OpenSeatSession).where(OpenSeatSession.seat_session_id == loaded.row.id))
    return finish_session_change(uow, loaded.row.id, "session.end", actor, _snapshot(current))


def get_session(uow: UnitOfWork, session_id: object) -> SeatSessionView:
    """One session with its entries and its balance now."""
    return view_of(uow, _load_one(uow, session_id))


def list_open_sessions(uow: UnitOfWork) -> list[SeatSessionView]:
    """Every session that has not ended, with its balance now, in a fixed number of statements."""
    loaded = load_sessions(uow.db, open_session_ids(uow.db))
    return [view_of(uow, item) for item in loaded.values()]
