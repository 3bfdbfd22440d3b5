"""The report's ``equipment`` section: how each zone's UPS and each seat's own UPS held in the cuts measured.

Over the power cuts that ended in the ``EQUIPMENT_DAYS`` days up to the report's end (the record
of a weak battery builds up over several cuts, rarely in one day):

- a *zone* whose UPS is watched (polled or reported by ``upsmon``) has a cut measured when its
  UPS's status changes were kept during it (``ups_status_changes``): it held from the cut's
  start to its first ``LB`` or ``FSD``, or through the whole cut without one;
- a *seat* has a cut measured when its own PC told (``seat_dark_evidence`` on the bases
  ``seat_report`` and ``heartbeats``, the strongest of a cut's): it held to the moment its PC
  went down, or through the whole cut. A seat's zone UPS on low battery (``ups_battery``) is
  the zone's measurement, not the seat's own.

Each row gives the cuts measured, the minutes held (median and shortest, in seconds), the
rating, and how many of the last three cuts fell short of it. A finding in plain words names
the seats (grouped) and zones whose UPS fell short in at least two of their last three cuts,
and each UPS NUT flagged for a new battery (``RB``): both also go to the report's "To look at".
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select

from compensator.domain.darkness import STRENGTH
from compensator.domain.equipment import Bridge, BridgeSummary, UpsStatus, summary
from compensator.domain.kinds import COUNTED_OUTAGE_STATUSES, DarkBasis, OutageKind, ScopeKind
from compensator.domain.silence import seat_order
from compensator.report.equipment_data import (
    EQUIPMENT_DAYS,
    REPLACE_BATTERY,
    SEAT,
    WEAK_UPS,
    ZONE,
    Equipment,
    EquipmentFinding,
    EquipmentRow,
)
from compensator.report.rows import Catalog, overlapping_outages
from compensator.services.sources.equipment import changes_of, feeding
from compensator.store.database import UnitOfWork
from compensator.store.models import Outage, SeatDarkEvidence

# The bases a seat's own PC measured.
OWN_BASES = (DarkBasis.SEAT_REPORT, DarkBasis.HEARTBEATS)




def build_equipment(uow: UnitOfWork, end: datetime, catalog: Catalog) -> Equipment:
    """The section for the ``EQUIPMENT_DAYS`` days up to ``end`` (see the module's docstring)."""
    start = end - timedelta(days=EQUIPMENT_DAYS)
    cuts = [item for item in overlapping_outages(uow, start, end)
            if item.kind is OutageKind.POWER and item.status in COUNTED_OUTAGE_STATUSES
            and item.scope_kind is not ScopeKind.SEATS and item.ended_at is not None and item.ended_at <= end]
    rows: list[EquipmentRow] = []
    for zone in uow.settings.zones:
        names = feeding(uow.settings, zone.id)
        if not names:
            continue
        bridges = []
        for cut in (cut for cut in cuts if zone.id in catalog.zones_covered(cut)):
            assert cut.ended_at is not None
            changes = changes_of(uow, names, since=cut.started_at, until=cut.ended_at)
            if not changes:
                continue
            low = [change.at for change in changes if UpsStatus(change.status).battery_low]
            held_until = min(low) if low else cut.ended_at
            bridges.append(Bridge(cut.id, cut.started_at, round((held_until - cut.started_at).total_seconds()),
                                  catalog.ups_minutes.get(zone.id, 0), bool(low)))
        replaced = [change.at for change in changes_of(uow, names, since=start, until=end)
                    if UpsStatus(change.status).replace_battery]
        found = summary(bridges)
        if found is not None or replaced:
            rows.append(_row(ZONE, zone.id, zone.id, catalog, names, found, catalog.ups_minutes.get(zone.id, 0),
                             max(replaced, default=None)))
    for seat_id, bridges in _seat_bridges(uow, start, end).items():
        found = summary(bridges)
        assert found is not None
        zone_id = catalog.zone_of_seat.get(seat_id)
        rows.append(_row(SEAT, seat_id, zone_id, catalog, (), found, found.rated_minutes, None))
    return Equipment(EQUIPMENT_DAYS, tuple(rows), tuple(_findings(rows)))


def _row(kind: str, ident: str, zone_id: str | None, catalog: Catalog, ups: tuple[str, ...],
         found: BridgeSummary | None, rated: int, replaced: datetime | None) -> EquipmentRow:
    zone_name = catalog.zone_names.get(zone_id, zone_id) if zone_id else ""
    if found is None:
        return EquipmentRow(kind, ident, zone_id, zone_name, ups, 0, 0, 0, rated, 0, 0, False, None, replaced)
    return EquipmentRow(kind, ident, zone_id, zone_name, ups, found.cuts, found.median_held_seconds,
                        found.shortest_held_seconds, found.rated_minutes, found.recent, found.short_recent,
                        found.weak, found.short_held_seconds, replaced)


def _seat_bridges(uow: UnitOfWork, start: datetime, end: datetime) -> dict[str, list[Bridge]]:
    """Each seat's own bridges in the cuts ended in ``[start, end]`` (a cut's strongest basis), seats in order."""
    best: dict[tuple[str, int], tuple[int, Bridge]] = {}
    for seat_id, outage_id, started_at, basis, dark_from, held, rated in uow.db.execute(
            select(SeatDarkEvidence.seat_id, SeatDarkEvidence.outage_id, Outage.started_at, SeatDarkEvidence.basis,
                   SeatDarkEvidence.dark_from, SeatDarkEvidence.held_seconds, SeatDarkEvidence.rated_minutes)
            .join(Outage, Outage.id == SeatDarkEvidence.outage_id)
            .where(SeatDarkEvidence.basis.in_(OWN_BASES), Outage.kind == OutageKind.POWER,
                   Outage.status.in_(COUNTED_OUTAGE_STATUSES), Outage.ended_at > start, Outage.ended_at <= end)
    ).tuples():
        strength = STRENGTH[DarkBasis(basis)]
        if (seat_id, outage_id) not in best or strength < best[seat_id, outage_id][0]:
            best[seat_id, outage_id] = strength, Bridge(outage_id, started_at, held, rated, dark_from is not None)
    found: dict[str, list[Bridge]] = defaultdict(list)
    for (seat_id, _), (_, bridge) in best.items():
        found[seat_id].append(bridge)
    return {seat_id: found[seat_id] for seat_id in sorted(found, key=seat_order)}


def _findings(rows: list[EquipmentRow]) -> list[EquipmentFinding]:
    """The weak UPSes (seats grouped by their rating and their count of short cuts), then each battery NUT flagged."""
    found = []
    seats: dict[tuple[int, int, int], list[EquipmentRow]] = defaultdict(list)
    for row in rows:
        if row.weak and row.kind == SEAT:
            seats[row.rated_minutes, row.short_in_last_cuts, row.last_cuts].append(row)
    for (rated, short, last), group in seats.items():
        names = tuple(row.id for row in group)
        longest = max(row.short_held_seconds or 0 for row in group)
        found.append(EquipmentFinding(WEAK_UPS, names, (), (), rated, longest, short, last,
                                      weak_words(names, None, rated, longest, short, last)))
    for row in rows:
        if row.weak and row.kind == ZONE:
            longest = row.short_held_seconds or 0
            found.append(EquipmentFinding(WEAK_UPS, (), (row.id,), row.ups, row.rated_minutes, longest,
                                          row.short_in_last_cuts, row.last_cuts,
                                          weak_words((), row, row.rated_minutes, longest, row.short_in_last_cuts,
                                                     row.last_cuts)))
    for row in rows:
        if row.replace_battery_at is not None:
            found.append(EquipmentFinding(REPLACE_BATTERY, (), (row.id,), row.ups, row.rated_minutes, None, 0, 0,
                                          f"Zone {row.zone_name}: NUT says the battery of {_ups_words(row.ups)} needs "
                                          "replacing (RB) — replace it"))
    return found


def weak_words(seats: tuple[str, ...], zone: EquipmentRow | None, rated: int, held_seconds: int, short: int,
               last: int) -> str:
    """The finding of a weak UPS: "Seats A3 and A7: their UPSes held at most 1 min 30 s of their rated 10 minutes
    in 2 of the last 3 cuts — check their batteries"."""
    cuts = f"in each of the last {last} cuts" if short == last else f"in {short} of the last {last} cuts"
    if zone is not None:
        return (f"Zone {zone.zone_name}: {_ups_words(zone.ups)} held at most {duration(held_seconds)} of its rated "
                f"{rated} minutes {cuts} — check its battery")
    if len(seats) == 1:
        return (f"Seat {seats[0]}: its UPS held at most {duration(held_seconds)} of its rated {rated} minutes "
                f"{cuts} — check its battery")
    return (f"Seats {_listed(seats)}: their UPSes held at most {duration(held_seconds)} of their rated {rated} "
            f"minutes {cuts} — check their batteries")


def duration(seconds: int) -> str:
    """A time held, as people say it: "1 min 4 s", "2 min", "45 s"."""
    minutes, rest = divmod(max(seconds, 0), 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def _listed(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _ups_words(names: tuple[str, ...]) -> str:
    return f"UPS {names[0]}" if len(names) == 1 else f"UPSes {_listed(names)}"
