"""Whether a seat has power now: a seat is dark while an ongoing power cut covers it and its zone's UPS is spent.

The board draws the same darkness (``services.counter.board``); this is the counter's guard: a
dark seat cannot be sold, resumed on or moved onto until its power is back, since the customer
would pay for time on a PC that is off. A network outage leaves the PCs on: it does not stop a sale.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from compensator.domain.kinds import OutageKind, OutageStatus
from compensator.errors import SeatDark
from compensator.services.outages.scopes import scope_seats
from compensator.store.database import UnitOfWork
from compensator.store.models import Outage
from compensator.timeofday import time_of_day

_ONGOING_POWER = select(Outage.scope_kind, Outage.scope_ids, Outage.started_at).where(
    Outage.status == OutageStatus.ONGOING, Outage.kind == OutageKind.POWER).order_by(Outage.started_at)


def dark_since(uow: UnitOfWork, seat_id: str, now: datetime) -> datetime | None:
    """When the seat went dark in a power cut still going on at ``now`` (its UPS spent), or None while it has power."""
    ups = timedelta(minutes=uow.settings.zone(uow.settings.seat(seat_id).zone_id).ups_minutes)
    for scope_kind, scope_ids, started_at in uow.db.execute(_ONGOING_POWER).tuples():
        if seat_id in scope_seats(uow, scope_kind, list(scope_ids)) and now >= started_at + ups:
            return started_at + ups
    return None


def require_power(uow: UnitOfWork, seat_id: str, doing: str, *, field: str = "seat") -> None:
    """Refuse ``doing`` (as "start a session") on a seat that is dark now, saying since when."""
    since = dark_since(uow, seat_id, uow.now())
    if since is not None:
        venue = uow.settings.venue
        local = time_of_day(since, venue.tz, venue.clock)
        raise SeatDark(f"seat {seat_id} has no power (dark since {local}, power cut): cannot {doing} "
                       "on it until the power is back", field=field)
