"""Reading seat sessions: loading them with their events and entries, and their balances as views.

Nothing here writes. Sessions are loaded as plain column rows in a fixed number of statements
whatever their number, and every balance shown is derived by ``domain.ledger`` from what has
been appended; the use cases that append are in ``sessions``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, select, union
from sqlalchemy.orm import Session

from compensator.domain.bill import CreditSource, SessionBill, amount_due_minor, session_bill
from compensator.domain.kinds import CompensationForm, EntryKind, SessionEventKind, SessionMode, SessionState
from compensator.domain.ledger import Balance, EntryRecord, EventRecord, SessionFacts, balance
from compensator.domain.records import record
from compensator.domain.repricing import MoveDifference
from compensator.domain.venue_day import minutes_past, next_closing
from compensator.errors import InvalidState, NotFound, require_id
from compensator.store.bulk import fetch_tuples
from compensator.store.database import UnitOfWork
from compensator.store.models import (
    Compensation,
    LedgerEntry,
    OpenSeatSession,
    Outage,
    SeatSession,
    SessionEvent,
)

OUTAGE_CREDIT_KINDS = (EntryKind.OUTAGE_CREDIT, EntryKind.OUTAGE_TOPUP)


@record
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


@record
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
    # The final bill, once the session has ended (None while it runs: ``bill_minor`` is the bill so far).
    bill: SessionBill | None = None
    # What a customer who left while their seat was dark is owed, worked out as they left.
    owed_on_leaving: tuple[LeavingCredit, ...] = ()
    # Paid minutes of a running session that fall after the venue's closing time: they cannot be used.
    past_closing_minutes: int = 0
    # What a move to a seat of another price came to (the move's answer only).
    moved: MoveDifference | None = None


@record
class LeavingCredit:
    """A credit given to a customer as they left while their seat was dark: ready at the counter, or waiting."""

    compensation_id: int
    outage_id: int
    credit_minutes: int
    carried_minutes: int
    form: CompensationForm
    awaiting_approval: bool
    notice_id: int | None
    voucher_codes: tuple[str, ...]


@record
class SessionRow:
    """The columns of a seat session row, read without the ORM's bookkeeping."""

    id: int
    seat_id: str
    customer_name: str | None
    language: str | None


@record
class LoadedSession:
    """A session's row and its facts as plain data for the core; ``entries`` as shown to people."""

    row: SessionRow
    facts: SessionFacts
    # Who wrote each entry and its note, in the order of ``facts.entries``; None when not read.
    entry_authors: tuple[tuple[str, str | None], ...] | None

    @property
    def entries(self) -> tuple[EntryView, ...]:
        """The session's ledger entries as shown to people, oldest first."""
        if self.entry_authors is None:
            raise ValueError(f"session {self.row.id} was loaded without who wrote its entries")
        return tuple(
            EntryView(id=entry.id, kind=entry.kind, minutes=entry.minutes, value_minor=entry.value_minor,
                      created_at=entry.created_at, reverses_id=entry.reverses_id, actor=actor, note=note)
            for entry, (actor, note) in zip(self.facts.entries, self.entry_authors, strict=True)
        )


# A ledger entry's columns for the arithmetic, then who wrote it and its note.
ENTRY_COLUMNS = (LedgerEntry.seat_session_id, LedgerEntry.id, LedgerEntry.kind, LedgerEntry.minutes,
                 LedgerEntry.value_minor, LedgerEntry.created_at, LedgerEntry.reverses_id)
AUTHOR_COLUMNS = (LedgerEntry.actor, LedgerEntry.note)


class SessionLoader:
    """The three statements that load sessions with their events and entries, built once.

    A loader stands for one query of session ids, used as a subquery (which spares sending
    hundreds of ids three times), or for a list of ids bound as ``session_ids`` (``ids=None``).
    Loaders are named module constants: building the statements costs more than running them.
    Who wrote each entry, and its note, are read only ``with_authors``: only the entries shown
    to people (``LoadedSession.entries``) need them, not the arithmetic.
    """

    def __init__(self, ids: Select[tuple[int]] | None = None, *, with_authors: bool = False) -> None:
        selected: Select[tuple[int]] | BindParameter[Any] = (
            bindparam("session_ids", expanding=True) if ids is None else ids)
        self.with_authors = with_authors
        self.sessions = select(SeatSession.id, SeatSession.seat_id, SeatSession.mode, SeatSession.started_at,
                               SeatSession.customer_name, SeatSession.language).where(SeatSession.id.in_(selected))
        self.events = (select(SessionEvent.seat_session_id, SessionEvent.kind, SessionEvent.at, SessionEvent.seat_id)
                       .where(SessionEvent.seat_session_id.in_(selected)).order_by(SessionEvent.id))
        self.entries = (select(*ENTRY_COLUMNS, *(AUTHOR_COLUMNS if with_authors else ()))
                        .where(LedgerEntry.seat_session_id.in_(selected)).order_by(LedgerEntry.id))

    def load(self, db: Session, parameters: Mapping[str, object] | None = None) -> dict[int, LoadedSession]:
        """The sessions selected, with the query's bound ``parameters``, in three statements whatever their number.

        The driver's rows are read as plain tuples (``store.bulk``) rather than ORM objects or
        SQLAlchemy rows: closing an outage and drawing the dashboard load every open session,
        and hydrating objects would cost more than the rest.
        """
        bound = dict(parameters or {})
        rows = fetch_tuples(db, self.sessions, bound)
        if not rows:
            return {}
        events: dict[int, list[EventRecord]] = defaultdict(list)
        for session_id, kind, at, seat_id in fetch_tuples(db, self.events, bound):
            events[session_id].append(EventRecord(kind, at, seat_id))
        entries: dict[int, list[EntryRecord]] = defaultdict(list)
        written: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
        authors = self.with_authors
        for row in fetch_tuples(db, self.entries, bound):
            session_id, entry_id, kind, minutes, value, created_at, reverses_id = row[:7]
            entries[session_id].append(EntryRecord(entry_id, kind, minutes, created_at, value, reverses_id))
            if authors:
                written[session_id].append((row[7], row[8]))
        # ``get`` rather than indexing: most open sessions have no event, and the defaultdicts need
        # not grow an empty list for each.
        return {
            session_id: LoadedSession(
                row=SessionRow(session_id, seat_id, customer_name, language),
                facts=SessionFacts(mode, started_at, seat_id, tuple(events.get(session_id, ())),
                                   tuple(entries.get(session_id, ()))),
                entry_authors=tuple(written.get(session_id, ())) if authors else None,
            )
            for session_id, seat_id, mode, started_at, customer_name, language in rows
        }


# Lists of ids, loaded with or without who wrote each entry.
LISTED_SESSIONS = SessionLoader(with_authors=True)
LISTED_SESSIONS_ARITHMETIC = SessionLoader()
# The open sessions' ids: the seat board and the heartbeat job load them at every run.
OPEN_SESSION_IDS = select(OpenSeatSession.seat_session_id)
OPEN_SESSIONS = SessionLoader(OPEN_SESSION_IDS)


def load_sessions(db: Session, session_ids: Iterable[int], *, authors: bool = True) -> dict[int, LoadedSession]:
    """Load the sessions of ``session_ids`` with their events and entries, in three statements whatever their number."""
    ids = sorted(set(session_ids))
    if not ids:
        return {}
    loader = LISTED_SESSIONS if authors else LISTED_SESSIONS_ARITHMETIC
    return loader.load(db, {"session_ids": ids})


def open_session_ids(db: Session) -> list[int]:
    """Ids of the sessions that have not ended."""
    return list(db.scalars(select(OpenSeatSession.seat_session_id).order_by(OpenSeatSession.seat_session_id)))


def sessions_not_ended_before(start: datetime | BindParameter[datetime],
                              end: datetime | BindParameter[datetime]) -> Select[tuple[int]]:
    """A query of the ids of the sessions that held a seat at some time in ``[start, end)``.

    They started before ``end`` and are still open or ended at ``start`` or later. Both parts
    are read from indexes, so the cost follows the sessions of the period, not all history.
    ``start`` and ``end`` may be bound parameters, for a query built once and run many times.
    """
    ended_since = select(SessionEvent.seat_session_id).where(
        SessionEvent.kind == SessionEventKind.END, SessionEvent.at >= start)
    candidates = union(select(OpenSeatSession.seat_session_id), ended_since)
    return select(SeatSession.id).where(SeatSession.id.in_(candidates), SeatSession.started_at < end)


def seat_price(uow: UnitOfWork, seat_id: str) -> int:
    """The price per hour of the zone a seat is in."""
    return uow.settings.zone(uow.settings.seat(seat_id).zone_id).price_minor_per_hour


def view_of(uow: UnitOfWork, loaded: LoadedSession, *, at: datetime | None = None) -> SeatSessionView:
    """The view of a loaded session at ``at`` (now by default)."""
    moment = at or uow.now()
    result: Balance = balance(loaded.facts, moment)
    price = seat_price(uow, result.seat_id)
    bill_minor = None
    if result.billed_minutes is not None:
        bill_minor = amount_due_minor(result, lambda seat_id: seat_price(uow, seat_id))
    bill = None
    if result.state is SessionState.ENDED:
        bill = session_bill(loaded.facts, result, price, credit_sources(uow.db, loaded),
                            lambda seat_id: seat_price(uow, seat_id))
    past_closing = 0
    if result.state is SessionState.RUNNING and result.paid_end is not None:
        venue = uow.settings.venue
        past_closing = minutes_past(result.paid_end, next_closing(moment, venue.tz, venue.closing_time))
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
        bill=bill,
        past_closing_minutes=past_closing,
    )


def credit_sources(db: Session, loaded: LoadedSession) -> dict[int, CreditSource]:
    """The outage behind each of a session's outage credit and top-up entries, by entry id.

    One statement, and none for a session that was never credited for an outage.
    """
    if not any(entry.kind in OUTAGE_CREDIT_KINDS for entry in loaded.facts.entries):
        return {}
    rows = db.execute(
        select(LedgerEntry.id, Outage.id, Outage.kind)
        .join(Compensation, Compensation.id == LedgerEntry.compensation_id)
        .join(Outage, Outage.id == Compensation.outage_id)
        .where(LedgerEntry.seat_session_id == loaded.row.id, LedgerEntry.kind.in_(OUTAGE_CREDIT_KINDS))
    ).tuples()
    return {entry_id: CreditSource(outage_id, kind) for entry_id, outage_id, kind in rows}


def load_session(uow: UnitOfWork, session_id: object) -> LoadedSession:
    """One session loaded with its events and entries; an unknown id is refused."""
    session_id = require_id(session_id, "session")
    loaded = load_sessions(uow.db, [session_id]).get(session_id)
    if loaded is None:
        raise NotFound(f"unknown session {session_id}", field="session")
    return loaded


def get_session(uow: UnitOfWork, session_id: object) -> SeatSessionView:
    """One session with its entries and its balance now."""
    return view_of(uow, load_session(uow, session_id))


def get_bill(uow: UnitOfWork, session_id: object) -> SeatSessionView:
    """An ended session with its final bill; a session still running has no final bill yet."""
    view = get_session(uow, session_id)
    if view.bill is None:
        raise InvalidState(f"session {view.id} has not ended: its bill is not final yet")
    return view


def list_open_sessions(uow: UnitOfWork) -> list[SeatSessionView]:
    """Every session that has not ended, with its balance now, in a fixed number of statements."""
    loaded = load_sessions(uow.db, open_session_ids(uow.db))
    return [view_of(uow, item) for item in loaded.values()]
