"""Heartbeats: seat PCs saying they are alive, and the server noting each minute it runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from compensator.services.catalog import require_seat
from compensator.store.database import UnitOfWork, insert_unless_present
from compensator.store.operations import SeatHeartbeat, ServerHeartbeat


@dataclass(frozen=True, slots=True)
class HeartbeatView:
    """When a seat was last heard from."""

    seat_id: str
    last_seen_at: datetime


def record_seat_heartbeat(uow: UnitOfWork, *, seat_id: object) -> HeartbeatView:
    """Note that a seat PC is alive now."""
    seat = require_seat(uow, seat_id)
    now = uow.now()
    # A seat's first two heartbeats may race (a restarted agent, a retry): the second updates.
    if not insert_unless_present(uow.db, SeatHeartbeat.__table__, {"seat_id": seat, "last_seen_at": now}):
        uow.db.execute(update(SeatHeartbeat).where(SeatHeartbeat.seat_id == seat).values(last_seen_at=now))
    uow.commit()
    return HeartbeatView(seat, now)


def seat_heartbeats(uow: UnitOfWork) -> dict[str, datetime]:
    """When each seat was last heard from."""
    return {row.seat_id: row.last_seen_at for row in uow.db.scalars(select(SeatHeartbeat))}


def record_server_alive(uow: UnitOfWork) -> datetime:
    """Note that the server is running this minute."""
    now = uow.now()
    uow.db.add(ServerHeartbeat(at=now))
    uow.commit()
    return now


def last_server_heartbeat(uow: UnitOfWork) -> datetime | None:
    """The last minute the server was known to be running, if ever."""
    return uow.db.scalar(select(ServerHeartbeat.at).order_by(ServerHeartbeat.at.desc()).limit(1))
