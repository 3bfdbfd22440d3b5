"""Keeps the zones and seats tables in step with ``config.yaml``.

Seats and zones that disappear from the file are marked retired rather than deleted, because
past sessions still point at them.
"""

from __future__ import annotations

from sqlalchemy import select

from compensator.errors import InvalidInput, NotFound
from compensator.store.database import UnitOfWork
from compensator.store.models import Seat, Zone


def sync_catalog(uow: UnitOfWork) -> None:
    """Insert, update or retire zones and seats so that the database matches the settings."""
    settings = uow.settings
    zones = {zone.id: zone for zone in uow.db.scalars(select(Zone))}
    for zone_settings in settings.zones:
        zone = zones.pop(zone_settings.id, None) or Zone(id=zone_settings.id)
        zone.name = zone_settings.name
        zone.price_minor_per_hour = zone_settings.price_minor_per_hour
        zone.ups_minutes = zone_settings.ups_minutes
        zone.retired = False
        uow.db.add(zone)
    for leftover in zones.values():
        leftover.retired = True
    uow.db.flush()
    seats = {seat.id: seat for seat in uow.db.scalars(select(Seat))}
    for seat_settings in settings.seats:
        seat = seats.pop(seat_settings.id, None) or Seat(id=seat_settings.id)
        seat.label = seat_settings.label
        seat.zone_id = seat_settings.zone_id
        seat.retired = False
        uow.db.add(seat)
    for leftover_seat in seats.values():
        leftover_seat.retired = True
    uow.commit()


def require_seat(uow: UnitOfWork, seat_id: object, *, field: str = "seat") -> str:
    """Return the configured seat id, or raise ``NotFound`` naming the unknown seat."""
    if not isinstance(seat_id, str) or not seat_id.strip():
        raise InvalidInput("a seat id is required", field=field)
    seat_id = seat_id.strip()
    if seat_id not in uow.settings.seats_by_id:
        raise NotFound(f"unknown seat {seat_id!r}", field=field)
    return seat_id
