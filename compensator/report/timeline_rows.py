"""The report's timeline rows: when sessions held each seat, and when each seat was dark, over one venue day.

A seat was held from its session's start (or a move onto it) to the session's end (or a move
away), read from the sessions' start rows joined to their move and end events, as plain
columns in one statement. Only a session still going on at the window's end needs its ledger
replayed, to know whether its paid time was up (the customer has usually gone then, and the
band stops there); there are never more of those than seats. The dark spells come from the
compensations already read: a compensated seat was dark from the end of its UPS (at once for a
network failure) to the outage's end, as it stands after any correction. A seat fault (an
outage of single seats) is drawn on its seats' rows alone, whether or not a session was there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, select

from compensator.domain.intervals import Span, clip, merge
from compensator.domain.kinds import OutageKind, ScopeKind, SessionEventKind, SessionState
from compensator.domain.ledger import balance
from compensator.report.data import TimelineRow
from compensator.report.rows import Catalog, DayOutage
from compensator.services.sessions.views import load_sessions, sessions_not_ended_before
from compensator.store.bulk import fetch_tuples
from compensator.store.database import UnitOfWork
from compensator.store.models import SeatSession, SessionEvent

OCCUPANCY_EVENTS = (SessionEventKind.MOVE, SessionEventKind.END)


def timeline_rows(uow: UnitOfWork, window: Span, outages: Sequence[DayOutage],
                  seats_by_outage: Mapping[int, list[str]], catalog: Catalog) -> tuple[TimelineRow, ...]:
    """One row per seat used or darkened in the window: configured seats first, in their order."""
    # Every time read back is in UTC; so is the window here, which spares a time-zone lookup in
    # each of the tens of thousands of comparisons a busy day makes. The instants are the same.
    start, end = (moment.astimezone(UTC) for moment in window)
    sessions_by_seat = _held(uow, (start, end))
    dark_by_seat: dict[str, list[Span]] = defaultdict(list)
    faults_by_seat: dict[str, list[Span]] = defaultdict(list)
    for outage in outages:
        if outage.scope_kind is ScopeKind.SEATS:
            for seat_id in outage.scope_ids:
                faults_by_seat[seat_id].extend(clip([(outage.started_at, outage.ended_at or end)], (start, end)))
        # The seats of one zone share one dark spell: it is worked out once per zone.
        spells: dict[str, list[Span]] = {}
        for seat_id in seats_by_outage.get(outage.id, ()):
            zone = catalog.zone_of_seat.get(seat_id, "")
            spell = spells.get(zone)
            if spell is None:
                ups = catalog.ups_minutes.get(zone, 0)
                dark_start = outage.started_at + timedelta(minutes=ups if outage.kind is OutageKind.POWER else 0)
                spell = spells[zone] = clip([(dark_start, outage.ended_at or end)], (start, end))
            dark_by_seat[seat_id].extend(spell)
    seen = set(sessions_by_seat) | set(dark_by_seat) | set(faults_by_seat)
    configured = [seat.id for seat in uow.settings.seats]
    order = [seat for seat in configured if seat in seen] + sorted(seen - set(configured))
    return tuple(TimelineRow(seat, catalog.zone_of_seat.get(seat), tuple(merge(sessions_by_seat.get(seat, ()))),
                             tuple(merge(dark_by_seat.get(seat, ()))), tuple(merge(faults_by_seat.get(seat, ()))))
                 for seat in order)


def _held(uow: UnitOfWork, window: Span) -> dict[str, list[Span]]:
    """The spans in the window during which a session held each seat, as ``domain.ledger`` would replay them."""
    start, end = window
    # Each session with its moves and end, in one statement: a row per event (one without any).
    sessions: list[tuple[int, str, datetime, list[tuple[datetime, SessionEventKind, str | None]]]] = []
    for session_id, seat_id, started_at, kind, at, destination in fetch_tuples(uow.db, (
            select(SeatSession.id, SeatSession.seat_id, SeatSession.started_at, SessionEvent.kind, SessionEvent.at,
                   SessionEvent.seat_id)
            .outerjoin(SessionEvent, and_(SessionEvent.seat_session_id == SeatSession.id,
                                          SessionEvent.kind.in_(OCCUPANCY_EVENTS), SessionEvent.at <= end))
            .where(SeatSession.id.in_(sessions_not_ended_before(start, end)))
            .order_by(SeatSession.id, SessionEvent.id))):
        if not sessions or sessions[-1][0] != session_id:
            sessions.append((session_id, seat_id, started_at, []))
        if kind is not None:
            sessions[-1][3].append((at, kind, destination))
    going_on = [session_id for session_id, _, _, changes in sessions
                if not any(kind is SessionEventKind.END for _, kind, _ in changes)]
    stops = _time_up(uow, going_on, end)
    held: dict[str, list[Span]] = defaultdict(list)
    for session_id, seat_id, started_at, changes in sessions:
        # Once a prepaid session's time is up the customer has usually gone: the band stops there.
        limit = min(stops.get(session_id, end), end)
        cursor = started_at
        # Events at one instant keep their order of writing, as in the ledger's replay.
        for at, kind, destination in sorted(changes, key=lambda change: change[0]):
            if at > cursor:
                _add(held[seat_id], cursor, at, start, limit)
                cursor = at
            if kind is SessionEventKind.END:
                break
            if destination is not None:
                seat_id = destination
        else:
            _add(held[seat_id], cursor, end, start, limit)
    return held


def _add(spans: list[Span], begin: datetime, finish: datetime, start: datetime, limit: datetime) -> None:
    """Add ``[begin, finish)`` cut to the window's ``start`` and to ``limit``, if anything is left."""
    begin = max(begin, start)
    finish = min(finish, limit)
    if finish > begin:
        spans.append((begin, finish))


def _time_up(uow: UnitOfWork, session_ids: list[int], end: datetime) -> dict[int, datetime]:
    """When the paid time ran out, for those of the sessions still going on at ``end`` whose time was up then."""
    stops: dict[int, datetime] = {}
    for session_id, loaded in load_sessions(uow.db, session_ids, authors=False).items():
        position = balance(loaded.facts, end)
        if position.state is SessionState.TIME_UP and position.time_up_at:
            stops[session_id] = position.time_up_at
    return stops
