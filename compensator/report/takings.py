"""A venue day's takings by zone (purchases, extensions, postpaid bills) and the credits' share of them.

A prepaid session moved to a seat of another price is re-priced at the move (``domain.repricing``):
the time left taken off the zone it left at that zone's price, and put on the zone it moved to at
the new price. Both count with the extensions, so that each zone keeps the money of the time spent in it.

Purchases and extensions are summed by the database, in one GROUP BY over the window's ledger
entries, a mistaken sale's reversal counted against it. Each counts in the zone of the seat its
session was on when the entry was made (its start seat, or the seat of its last move before the
entry), since that seat's price is the one charged. A postpaid bill is stored nowhere: it is
derived from the session's entries and events. So the postpaid sessions that ended in the
window, and only those (a bill is final when its session ends), are loaded in a fixed number of
statements and replayed; each bill, priced as at the counter (each seat's time at its zone's
price), counts whole in the zone of the seat where the session ended.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.orm import aliased

from compensator.domain.bill import amount_due_minor
from compensator.domain.kinds import EntryKind, SessionEventKind, SessionMode
from compensator.domain.ledger import balance
from compensator.report.data import ZoneTakings
from compensator.services.sessions.views import SessionLoader
from compensator.store.database import UnitOfWork
from compensator.store.models import LedgerEntry, Seat, SeatSession, SessionEvent

ALL_ZONES = "All zones"


def daily_takings(uow: UnitOfWork, window: tuple[datetime, datetime], *, zones: Sequence[tuple[str, str]],
                  zone_of_seat: Mapping[str, str], price_minor_per_hour: Mapping[str, int],
                  credited_by_zone: Mapping[str, int]) -> tuple[tuple[ZoneTakings, ...], ZoneTakings]:
    """Each zone's takings in ``window`` and the venue's total, with the credits' share of them.

    ``zones`` are (id, name) pairs in the order to show, every one of them shown; another zone
    appears only when it has money that day. ``credited_by_zone`` is the value of the credits counted
    in the day, by the zone of the seat they were given on.
    """
    charged = _charged_by_zone(uow, window, zone_of_seat)
    bills = _postpaid_bills_by_zone(uow, window, zone_of_seat, price_minor_per_hour)
    names = dict(zones)
    busy = set(bills) | set(credited_by_zone) | {zone for zone, _ in charged}
    shown = [zone for zone, _ in zones] + sorted(busy - set(names))
    rows = tuple(_row(zone, names.get(zone, zone), charged.get((zone, EntryKind.PURCHASE), 0),
                      charged.get((zone, EntryKind.EXTENSION), 0) + charged.get((zone, EntryKind.PRICE_CHANGE), 0),
                      bills.get(zone, 0), credited_by_zone.get(zone, 0))
                 for zone in shown)
    total = _row(None, ALL_ZONES, sum(row.purchases_minor for row in rows), sum(row.extensions_minor for row in rows),
                 sum(row.postpaid_bills_minor for row in rows), sum(row.credited_value_minor for row in rows))
    return rows, total


def _row(zone_id: str | None, name: str, purchases: int, extensions: int, bills: int, credited: int) -> ZoneTakings:
    takings = purchases + extensions + bills
    # Per thousand, rounded half up, in integers.
    share = (2000 * credited + takings) // (2 * takings) if takings else None
    return ZoneTakings(zone_id, name, purchases, extensions, bills, takings, credited, share)


def _charged_by_zone(uow: UnitOfWork, window: tuple[datetime, datetime],
                     zone_of_seat: Mapping[str, str]) -> dict[tuple[str, EntryKind], int]:
    """The money charged for purchases and extensions in the window, by zone and kind.

    The database sums every entry in the zone of its session's start seat; the few entries
    made after a move of their session are then moved to the zone of the seat of the last
    move before them. (One correlated lookup of the last move per entry would be one
    statement, but SQLite reads it through the index of every move by time: a busy day's
    thousands of entries then cost a tenth of a second.)
    """
    start, end = window
    # A reversal (a mistaken sale corrected) counts against the sale it reverses: in its kind, and
    # in the zone of the seat that sale was charged on, on the day the correction was made.
    sold = aliased(LedgerEntry)
    reversal = LedgerEntry.kind == EntryKind.REVERSAL
    kind = case((reversal, sold.kind), else_=LedgerEntry.kind)
    charged_at = case((reversal, sold.created_at), else_=LedgerEntry.created_at)
    # A move's re-pricing takes the time left off the zone left (the seat before the move made at
    # the same instant) and puts it on the zone moved to.
    leaving_leg = and_(LedgerEntry.kind == EntryKind.PRICE_CHANGE, LedgerEntry.minutes < 0)
    in_window = (kind.in_((EntryKind.PURCHASE, EntryKind.EXTENSION, EntryKind.PRICE_CHANGE)),
                 LedgerEntry.created_at >= start, LedgerEntry.created_at < end)
    totals: dict[tuple[str, EntryKind], int] = defaultdict(int)
    counts: dict[tuple[str, EntryKind], int] = defaultdict(int)
    for zone, charged_kind, count, total in uow.db.execute(
            select(Seat.zone_id, kind, func.count(), func.sum(LedgerEntry.value_minor))
            .join(SeatSession, SeatSession.id == LedgerEntry.seat_session_id)
            .join(Seat, Seat.id == SeatSession.seat_id)
            .outerjoin(sold, sold.id == LedgerEntry.reverses_id)
            .where(*in_window).group_by(Seat.zone_id, kind)).tuples():
        totals[(zone, EntryKind(charged_kind))] += int(total or 0)
        counts[(zone, EntryKind(charged_kind))] += count
    # Each entry charged after a move, with every move of its session before it.
    last_moves: dict[int, tuple[datetime, int, str | None, EntryKind, int, str]] = {}
    for entry_id, charged_kind, value, start_seat, moved_at, move_id, seat_id in uow.db.execute(
            select(LedgerEntry.id, kind, LedgerEntry.value_minor, SeatSession.seat_id, SessionEvent.at,
                   SessionEvent.id, SessionEvent.seat_id)
            .join(SeatSession, SeatSession.id == LedgerEntry.seat_session_id)
            .outerjoin(sold, sold.id == LedgerEntry.reverses_id)
            .join(SessionEvent, and_(SessionEvent.seat_session_id == LedgerEntry.seat_session_id,
                                     SessionEvent.kind == SessionEventKind.MOVE,
                                     or_(SessionEvent.at < charged_at,
                                         and_(SessionEvent.at == charged_at, ~leaving_leg))))
            .where(*in_window)).tuples():
        kind_charged = EntryKind(charged_kind)
        known = last_moves.get(entry_id)
        if known is None or (moved_at, move_id) > known[:2]:
            last_moves[entry_id] = (moved_at, move_id, seat_id, kind_charged, value, start_seat)
    for _, _, seat_id, moved_kind, value, start_seat in last_moves.values():
        for seat, sign in ((start_seat, -1), (seat_id, 1)):
            if seat is not None and seat in zone_of_seat:
                totals[(zone_of_seat[seat], moved_kind)] += sign * value
                counts[(zone_of_seat[seat], moved_kind)] += sign
    # A zone and kind counts when an entry is in it, as a row of the database's sums would.
    return {key: total for key, total in totals.items() if counts[key] > 0}


# The postpaid sessions that ended in ``[start, end)``, loaded by statements built once.
POSTPAID_ENDED = SessionLoader(
    select(SessionEvent.seat_session_id)
    .join(SeatSession, SeatSession.id == SessionEvent.seat_session_id)
    .where(SessionEvent.kind == SessionEventKind.END, SessionEvent.at >= bindparam("start"),
           SessionEvent.at < bindparam("end"), SeatSession.mode == SessionMode.POSTPAID))


def _postpaid_bills_by_zone(uow: UnitOfWork, window: tuple[datetime, datetime], zone_of_seat: Mapping[str, str],
                            price_minor_per_hour: Mapping[str, int]) -> dict[str, int]:
    """The bills of the postpaid sessions that ended in the window, by the zone they ended in."""
    start, end = window
    totals: dict[str, int] = defaultdict(int)
    for loaded in POSTPAID_ENDED.load(uow.db, {"start": start, "end": end}).values():
        position = balance(loaded.facts, end)
        zone = zone_of_seat[position.seat_id]
        totals[zone] += amount_due_minor(position, lambda seat: price_minor_per_hour[zone_of_seat[seat]])
    return dict(totals)
