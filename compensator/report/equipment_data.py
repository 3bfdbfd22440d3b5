"""The records of the report's ``equipment`` section (``compensator.report.equipment`` fills them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# The cuts measured are those that ended in this many days up to the report's end.
EQUIPMENT_DAYS = 30
ZONE, SEAT = "zone", "seat"
WEAK_UPS, REPLACE_BATTERY = "weak_ups", "replace_battery"


@dataclass(frozen=True, slots=True)
class EquipmentRow:
    """One zone's UPS (``ups`` its names) or one seat's own UPS, over the cuts measured."""

    kind: str
    id: str
    zone_id: str | None
    zone_name: str
    ups: tuple[str, ...]
    cuts: int
    median_held_seconds: int
    shortest_held_seconds: int
    rated_minutes: int
    # Of its last cuts measured (three at most), how many fell short of the rating.
    last_cuts: int
    short_in_last_cuts: int
    weak: bool
    # The longest of those short bridges (what the UPS held at most when it fell short); null when none was.
    short_held_seconds: int | None = None
    # When NUT last said one of the zone's UPSes needs a new battery (``RB``); null when it never did.
    replace_battery_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class EquipmentFinding:
    """What the owner should do about some equipment, in plain words (``text``), with what it names."""

    kind: str
    seats: tuple[str, ...]
    zones: tuple[str, ...]
    ups: tuple[str, ...]
    rated_minutes: int
    # The longest of the short bridges named (the UPS held at most this), for ``weak_ups``.
    held_seconds: int | None
    short_in_last_cuts: int
    last_cuts: int
    text: str


@dataclass(frozen=True, slots=True)
class Equipment:
    """The ``equipment`` section: the rows (zones, then seats) and the findings."""

    days: int = EQUIPMENT_DAYS
    rows: tuple[EquipmentRow, ...] = ()
    findings: tuple[EquipmentFinding, ...] = ()


NO_EQUIPMENT = Equipment()
