"""The equipment record's arithmetic: which UPS readings are worth keeping, and what the bridges measured say.

Pure functions over plain values (no database):

- ``UpsStatus`` is one reading of a UPS as NUT gives it: its status flags (``OL``, ``OB``, ``LB``,
  ``RB``, ``FSD``, ``CHRG``, ``DISCHRG``...) with ``battery.charge`` (percent), ``battery.runtime``
  (seconds) and ``ups.load`` (percent) where the UPS gives them. ``worth_keeping`` says whether a
  reading is a change to keep beside the last one kept: a different set of flags always; the same
  flags only when the charge moved by ``CHARGE_STEP`` points or more since the last row kept
  (a discharging battery gives a row about every tenth of its charge, not one per poll; the
  runtime and the load are kept with the rows that are kept, never a reason for one).
- ``Bridge`` is one cut measured for a seat or a zone: how long its UPS held from the cut's
  start (``went_dark`` false when it held through the whole cut, a lower bound then), against its
  rating. ``summary`` gives the cuts measured, the median and the shortest held, and whether it
  fell short of its rating in at least ``SHORT_IN`` of its last ``LAST_CUTS`` cuts: a weak battery.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

# A charge that moved this many points since the last row kept is kept, with the same flags.
CHARGE_STEP = 10
# The finding: short of the rating in at least SHORT_IN of the last LAST_CUTS cuts measured.
LAST_CUTS = 3
SHORT_IN = 2
# The flags a status is read for; any other (ALARM, BYPASS, CAL...) is kept as NUT gives it.
ON_BATTERY, LOW_BATTERY, REPLACE_BATTERY, FORCED_SHUTDOWN = "OB", "LB", "RB", "FSD"


@dataclass(frozen=True, slots=True)
class UpsStatus:
    """One reading of a UPS's ``ups.status`` and the battery figures beside it (None when not given)."""

    status: str
    battery_charge: int | None = None
    battery_runtime: int | None = None
    ups_load: int | None = None

    @property
    def flags(self) -> frozenset[str]:
        """The status's flags, in capitals, their order of no meaning."""
        return frozenset(self.status.upper().split())

    @property
    def battery_low(self) -> bool:
        """``LB`` or ``FSD``: the battery is about to give out."""
        return bool(self.flags & {LOW_BATTERY, FORCED_SHUTDOWN})

    @property
    def replace_battery(self) -> bool:
        """``RB``: NUT says the battery needs replacing."""
        return REPLACE_BATTERY in self.flags


def normalised(status: str) -> str:
    """A status's flags in capitals, separated by one space, in NUT's order (``"ob  dischrg"`` is ``"OB DISCHRG"``)."""
    return " ".join(dict.fromkeys(status.upper().split()))


def number(value: object) -> int | None:
    """A NUT variable's value as a whole number (``b"87.0"`` is 87), or None when missing or not a number."""
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
    if not isinstance(text, str | int | float):
        return None
    try:
        return round(float(text))
    except (ValueError, OverflowError):
        return None


def worth_keeping(last: UpsStatus | None, reading: UpsStatus) -> bool:
    """Whether ``reading`` is a change beside ``last`` (the last row kept for the UPS): see the module's docstring."""
    if not reading.flags:
        return False
    if last is None or last.flags != reading.flags:
        return True
    if reading.battery_charge is None or last.battery_charge is None:
        return reading.battery_charge is not None and last.battery_charge is None
    return abs(reading.battery_charge - last.battery_charge) >= CHARGE_STEP


@dataclass(frozen=True, slots=True)
class Bridge:
    """One cut measured: how long the UPS held from the cut's start, and whether the seats went dark then."""

    outage_id: int
    started_at: datetime
    held_seconds: int
    rated_minutes: int
    went_dark: bool

    @property
    def short(self) -> bool:
        """Whether the UPS gave out before its rating (a UPS that held through a cut is never short)."""
        return self.went_dark and self.held_seconds < self.rated_minutes * 60


@dataclass(frozen=True, slots=True)
class BridgeSummary:
    """The cuts measured of one seat or zone: held minutes (median, shortest), the rating, and the weak finding.

    ``short_recent`` of the last ``recent`` cuts fell short of the rating; ``weak`` when at least
    ``SHORT_IN`` of the last ``LAST_CUTS`` did. ``short_held_seconds`` is the longest of those
    short bridges (what the finding says the UPS held at most), None when none was short.
    """

    cuts: int
    median_held_seconds: int
    shortest_held_seconds: int
    rated_minutes: int
    recent: int
    short_recent: int
    short_held_seconds: int | None

    @property
    def weak(self) -> bool:
        """Short of the rating in at least ``SHORT_IN`` of the last ``LAST_CUTS`` cuts."""
        return self.short_recent >= SHORT_IN


def summary(bridges: Sequence[Bridge]) -> BridgeSummary | None:
    """What ``bridges`` (of one seat or zone, any order) say; None without one.

    The median of an even count is the lower middle one (a held time that was measured, never
    an average of two); the rating is the latest cut's.
    """
    if not bridges:
        return None
    ordered = sorted(bridges, key=lambda bridge: (bridge.started_at, bridge.outage_id))
    held = sorted(bridge.held_seconds for bridge in ordered)
    recent = ordered[-LAST_CUTS:]
    short = [bridge.held_seconds for bridge in recent if bridge.short]
    return BridgeSummary(cuts=len(ordered), median_held_seconds=held[(len(held) - 1) // 2],
                         shortest_held_seconds=held[0], rated_minutes=ordered[-1].rated_minutes,
                         recent=len(recent), short_recent=len(short), short_held_seconds=max(short, default=None))
