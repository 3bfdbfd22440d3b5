"""The manager page's equipment card: what the equipment record says, in the page's language.

The findings of the report's ``equipment`` section (the cuts that ended in the last 30 days, up
to now), its table of zones and seats, and the last bridges ``GET /sources`` gives: each zone's
last UPS status changes, each seat's last measured bridges.
"""

from __future__ import annotations

from typing import Any

from compensator.report.equipment import build_equipment
from compensator.report.equipment_data import SEAT, WEAK_UPS, EquipmentFinding, EquipmentRow
from compensator.report.rows import load_catalog
from compensator.services.sources import equipment
from compensator.store.database import UnitOfWork
from web.i18n import gettext, ngettext


def equipment_card(uow: UnitOfWork) -> dict[str, Any]:
    """What the card shows: ``findings`` (sentences), ``rows`` (the section's) and ``record`` (the last bridges)."""
    section = build_equipment(uow, uow.now(), load_catalog(uow))
    names = {zone.id: zone.name for zone in uow.settings.zones}
    return {"findings": [finding_words(finding, names) for finding in section.findings], "rows": section.rows,
            "record": equipment.last_bridges(uow), "days": section.days}


def held_words(seconds: int) -> str:
    """A time held, in the page's language ("1 min 4 s")."""
    minutes, rest = divmod(max(seconds, 0), 60)
    if not minutes:
        return gettext("%(seconds)s s", seconds=rest)
    if not rest:
        return gettext("%(minutes)s min", minutes=minutes)
    return gettext("%(minutes)s min %(seconds)s s", minutes=minutes, seconds=rest)


def row_name(row: EquipmentRow) -> str:
    """A row of the table: a seat, or a zone with its UPSes."""
    if row.kind == SEAT:
        return gettext("Seat %(seat)s", seat=row.id)
    return gettext("Zone %(zone)s (%(ups)s)", zone=row.zone_name, ups=", ".join(row.ups))


def finding_words(finding: EquipmentFinding, zone_names: dict[str, str]) -> str:
    """A finding as a sentence of the page's language (its zones by their names)."""
    zones = ", ".join(zone_names.get(zone, zone) for zone in finding.zones)
    held = held_words(finding.held_seconds or 0)
    if finding.kind == WEAK_UPS and finding.seats:
        return ngettext(
            "Seat %(seats)s: its UPS held at most %(held)s of its rated %(rated)s minutes in %(short)s of the last "
            "%(last)s cuts — check its battery.",
            "Seats %(seats)s: their UPSes held at most %(held)s of their rated %(rated)s minutes in %(short)s of "
            "the last %(last)s cuts — check their batteries.",
            len(finding.seats), seats=", ".join(finding.seats), held=held, rated=finding.rated_minutes,
            short=finding.short_in_last_cuts, last=finding.last_cuts)
    if finding.kind == WEAK_UPS:
        return gettext("Zone %(zone)s: UPS %(ups)s held at most %(held)s of its rated %(rated)s minutes in %(short)s "
                       "of the last %(last)s cuts — check its battery.", zone=zones,
                       ups=", ".join(finding.ups), held=held, rated=finding.rated_minutes,
                       short=finding.short_in_last_cuts, last=finding.last_cuts)
    return gettext("Zone %(zone)s: NUT says the battery of UPS %(ups)s needs replacing (RB) — replace it.",
                   zone=zones, ups=", ".join(finding.ups))
