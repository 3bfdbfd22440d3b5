"""The report's power figures: how the venue's power held up, and what each zone's UPS carried.

They count the venue's power: the power cuts of the whole venue or of zones. An outage of
single seats is a seat fault (one PC's power supply, a tripped socket), not the mains': it is
listed apart and left out of every figure here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from compensator.domain.intervals import Span, clip, measure, merge
from compensator.domain.kinds import OutageKind, ScopeKind
from compensator.domain.ledger import ceil_minutes
from compensator.report.data import OutageRow, Reliability, ZoneCarried, ZoneUps
from compensator.report.rows import Catalog, DayOutage


def is_seat_fault(outage: DayOutage | OutageRow) -> bool:
    """Whether an outage covers single seats (a seat fault) rather than the venue or whole zones."""
    return outage.scope_kind is ScopeKind.SEATS


def is_bridged(outage: DayOutage, catalog: Catalog, any_lost: frozenset[int]) -> bool:
    """Whether a UPS bridged a power cut from start to end, so that none of its seats went dark.

    A cut is bridged when it has ended, no compensation for it counted a lost minute, and the
    UPS of every zone it covers lasts at least as long as the whole cut. A cut over a zone
    without a UPS is never bridged, even when no seat there had a session; a cut still going
    on is not bridged (yet), and neither is a seat fault, which is not a cut of the venue's power.
    """
    if outage.kind is not OutageKind.POWER or outage.ended_at is None or is_seat_fault(outage):
        return False
    if outage.id in any_lost:
        return False
    duration = outage.ended_at - outage.started_at
    zones = catalog.zones_covered(outage)
    return bool(zones) and all(timedelta(minutes=catalog.ups_minutes.get(zone, 0)) >= duration for zone in zones)


def reliability(rows: Sequence[OutageRow], window: Span) -> Reliability:
    """The reliability figures of the venue's outages ``rows`` (seat faults are not among them)."""
    cuts = [row for row in rows if row.kind is OutageKind.POWER]
    spans = [(row.started_at, row.ended_at or window[1]) for row in cuts]
    restored = [row.ended_at - row.started_at for row in cuts if row.ended_at is not None and not row.ongoing_at_end]
    bridged = sum(1 for row in cuts if row.bridged_by_ups)
    return Reliability(
        cuts=len(cuts),
        downtime_minutes=ceil_minutes(measure(clip(merge(spans), window))),
        longest_cut_minutes=max((row.minutes_in_day for row in cuts), default=0),
        mean_time_to_restore_minutes=ceil_minutes(sum(restored, timedelta()) / len(restored)) if restored else None,
        cuts_bridged_by_ups=bridged,
        # A share in whole percent, rounded half up, in integers.
        bridged_percent=(200 * bridged + len(cuts)) // (2 * len(cuts)) if cuts else None,
    )


def carried(outage: DayOutage, minutes_in_day: int, window: Span, catalog: Catalog,
            zones: Sequence[str]) -> tuple[ZoneCarried, ...]:
    """What each zone's UPS carried of a power cut of the venue, in the day: none for a network
    failure or a seat fault.

    The UPS carried the seats from the cut's start for ``ups_minutes``, then they were dark; a
    cut that began the day before carried (or not) what fell in this day. Never more than the
    cut's ``minutes_in_day``, so that what was not carried is the rest of them. The zones come
    in the order of ``zones`` (the configured ones), any other after them.
    """
    if outage.kind is not OutageKind.POWER or is_seat_fault(outage):
        return ()
    end = outage.ended_at or window[1]
    found = []
    place = {zone: index for index, zone in enumerate(zones)}
    for zone in sorted(catalog.zones_covered(outage), key=lambda zone: (place.get(zone, len(place)), zone)):
        ups_end = min(outage.started_at + timedelta(minutes=catalog.ups_minutes.get(zone, 0)), end)
        on_ups = min(ceil_minutes(measure(clip([(outage.started_at, ups_end)], window))), minutes_in_day)
        found.append(ZoneCarried(zone, catalog.zone_names.get(zone, zone), on_ups))
    return tuple(found)


def ups_by_zone(rows: Sequence[OutageRow], catalog: Catalog, zones: Sequence[str]) -> tuple[ZoneUps, ...]:
    """Each zone's UPS in the venue's power cuts: the minutes it carried, and the minutes it did not.

    ``rows`` are the venue's outages, each power cut with what each zone's UPS carried of it
    (``carried``); ``zones`` the configured zones in their order (a zone only the database knows
    follows them, if a cut covered it). The two parts always add up to the cuts' minutes in the day.
    """
    cuts: dict[str, int] = dict.fromkeys(zones, 0)
    on_ups: dict[str, int] = dict.fromkeys(zones, 0)
    not_carried: dict[str, int] = dict.fromkeys(zones, 0)
    for row in rows:
        for zone in row.ups_carried:
            cuts[zone.zone_id] = cuts.get(zone.zone_id, 0) + 1
            on_ups[zone.zone_id] = on_ups.get(zone.zone_id, 0) + zone.carried_minutes
            not_carried[zone.zone_id] = not_carried.get(zone.zone_id, 0) + row.minutes_in_day - zone.carried_minutes
    return tuple(ZoneUps(zone_id=zone, zone_name=catalog.zone_names.get(zone, zone),
                         ups_minutes=catalog.ups_minutes.get(zone, 0), cuts=cuts[zone], carried_minutes=on_ups[zone],
                         not_carried_minutes=not_carried[zone])
                 for zone in cuts)
