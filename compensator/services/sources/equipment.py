"""The equipment record: each UPS's status changes and each seat's measured bridges, kept and shown.

``record_status`` keeps a UPS's reading when it is a change (``domain.equipment.worth_keeping``:
new flags, or the charge moved by ten points), from the poller of ``compensator.adapters.nut``
or the ``upsmon`` webhook, in the same transaction as the reading's effect. ``last_bridges``
is what ``GET /sources`` and the manager page show: each zone's last UPS status changes, and each
seat's last measured bridges (``seat_dark_evidence``: how long its UPS held, against its rating).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from compensator.domain.equipment import UpsStatus, normalised, worth_keeping
from compensator.domain.kinds import DarkBasis
from compensator.domain.silence import seat_order
from compensator.settings import Settings
from compensator.store.database import UnitOfWork
from compensator.store.models import Outage, SeatDarkEvidence, UpsStatusChange

# How many of its last status changes each zone shows, and of its last bridges each seat.
LAST_CHANGES = 6
LAST_BRIDGES = 3
# Where a reading came from.
FROM_NUT, FROM_WEBHOOK = "nut", "webhook"


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One kept change of a UPS's status."""

    ups: str
    at: datetime
    status: str
    battery_charge: int | None
    battery_runtime: int | None
    ups_load: int | None
    source: str


@dataclass(frozen=True, slots=True)
class ZoneChanges:
    """A zone, the UPSes whose mains feed it, and their last status changes (newest first)."""

    zone_id: str
    zone_name: str
    ups: tuple[str, ...]
    changes: tuple[StatusChange, ...]


@dataclass(frozen=True, slots=True)
class SeatBridge:
    """One measured bridge of a seat's UPS: how long it held from the cut's start, on what basis."""

    outage_id: int
    started_at: datetime
    basis: DarkBasis
    dark_from: datetime | None
    held_seconds: int
    rated_minutes: int


@dataclass(frozen=True, slots=True)
class SeatBridges:
    """A seat and its last measured bridges (newest first)."""

    seat_id: str
    zone_id: str | None
    bridges: tuple[SeatBridge, ...]


@dataclass(frozen=True, slots=True)
class LastBridges:
    """Every configured zone's last UPS status changes, and every seat's with a measured bridge."""

    zones: tuple[ZoneChanges, ...]
    seats: tuple[SeatBridges, ...]


def last_status(uow: UnitOfWork, name: str) -> UpsStatus | None:
    """The last status kept for UPS ``name``, None before the first."""
    row = uow.db.execute(select(UpsStatusChange.status, UpsStatusChange.battery_charge,
                                UpsStatusChange.battery_runtime, UpsStatusChange.ups_load)
                         .where(UpsStatusChange.ups_name == name)
                         .order_by(UpsStatusChange.at.desc(), UpsStatusChange.id.desc()).limit(1)).first()
    return UpsStatus(*row) if row is not None else None


def record_status(uow: UnitOfWork, name: str, reading: UpsStatus, at: datetime, source: str) -> bool:
    """Keep UPS ``name``'s reading made at ``at`` if it is a change; whether it was kept (the caller commits)."""
    reading = UpsStatus(normalised(reading.status), reading.battery_charge, reading.battery_runtime,
                        reading.ups_load)
    if not worth_keeping(last_status(uow, name), reading):
        return False
    uow.db.add(UpsStatusChange(ups_name=name, at=at, status=reading.status, battery_charge=reading.battery_charge,
                               battery_runtime=reading.battery_runtime, ups_load=reading.ups_load, source=source))
    return True


def feeding(settings: Settings, zone_id: str) -> tuple[str, ...]:
    """The UPSes whose mains feed ``zone_id`` (those of the whole venue included), in the configuration's order."""
    return tuple(ups.name for ups in settings.ups if ups.zones is None or zone_id in ups.zones)


def changes_of(uow: UnitOfWork, names: tuple[str, ...], *, since: datetime | None = None,
               until: datetime | None = None, limit: int | None = None) -> list[StatusChange]:
    """The kept changes of the UPSes ``names`` in ``[since, until]``, newest first (the last ``limit`` if given)."""
    if not names:
        return []
    query = select(UpsStatusChange).where(UpsStatusChange.ups_name.in_(names))
    if since is not None:
        query = query.where(UpsStatusChange.at >= since)
    if until is not None:
        query = query.where(UpsStatusChange.at <= until)
    query = query.order_by(UpsStatusChange.at.desc(), UpsStatusChange.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return [StatusChange(row.ups_name, row.at, row.status, row.battery_charge, row.battery_runtime, row.ups_load,
                         row.source) for row in uow.db.scalars(query)]


def last_bridges(uow: UnitOfWork) -> LastBridges:
    """What ``GET /sources`` and the manager page show of the equipment record."""
    settings = uow.settings
    zones = tuple(ZoneChanges(zone.id, zone.name, feeding(settings, zone.id),
                              tuple(changes_of(uow, feeding(settings, zone.id), limit=LAST_CHANGES)))
                  for zone in settings.zones)
    found: dict[str, list[SeatBridge]] = {}
    rows = uow.db.execute(
        select(SeatDarkEvidence.seat_id, SeatDarkEvidence.outage_id, Outage.started_at, SeatDarkEvidence.basis,
               SeatDarkEvidence.dark_from, SeatDarkEvidence.held_seconds, SeatDarkEvidence.rated_minutes)
        .join(Outage, Outage.id == SeatDarkEvidence.outage_id)
        .order_by(SeatDarkEvidence.seat_id, Outage.started_at.desc(), SeatDarkEvidence.id.desc())).tuples()
    for seat_id, outage_id, started_at, basis, dark_from, held, rated in rows:
        bridges = found.setdefault(seat_id, [])
        if len(bridges) < LAST_BRIDGES:
            bridges.append(SeatBridge(outage_id, started_at, DarkBasis(basis), dark_from, held, rated))
    zone_of = {seat.id: seat.zone_id for seat in settings.seats}
    seats = sorted(found, key=seat_order)
    return LastBridges(zones, tuple(SeatBridges(seat_id, zone_of.get(seat_id), tuple(found[seat_id]))
                                    for seat_id in seats))
