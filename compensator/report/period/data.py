"""The period report's data: reliability per seat, money, what is owed, care and retention, as plain records.

Counting a seat as the customer (IEEE 1366's indices with the seat as the customer): a seat is
interrupted when it went dark, whether or not someone sat at it. For a zone, every seat shares
its power, so its indices are the zone's own: ``saifi`` the cuts that darkened it, ``saidi_minutes``
the minutes it was dark, ``caidi_minutes`` their ratio, ``maifi`` the cuts its UPS bridged from
start to end, ``asai_percent`` the share of the period's minutes it had power. The venue's are the
zones' weighted by their seats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from compensator.report.header import PeriodHeader


@dataclass(frozen=True, slots=True)
class Margin:
    """How a zone's UPS measures up to the time power takes to come back, over the cuts that ended.

    ``ups_minutes`` is the rated time the UPS holds; ``median_restore_minutes`` the median length
    of the cuts over the zone (None without one); ``short_cuts`` those longer than the UPS holds.
    """

    ups_minutes: int
    median_restore_minutes: int | None
    short_cuts: int
    cuts: int

    @property
    def short_minutes(self) -> int:
        """How many minutes the UPS falls short of the median cut (0 when it holds it)."""
        return max((self.median_restore_minutes or 0) - self.ups_minutes, 0)


@dataclass(frozen=True, slots=True)
class Indices:
    """One zone's figures (``zone`` None: the whole venue's)."""

    zone: str | None
    zone_name: str
    seats: int
    cuts: int
    saifi: float
    saidi_minutes: float
    caidi_minutes: float | None
    maifi: float
    asai_percent: float
    sessions: int
    sessions_interrupted: int
    interrupted_percent: float | None
    credit_minutes: int
    credit_value_minor: int
    takings_minor: int
    credit_share_percent: float | None
    margin: Margin | None = None


@dataclass(frozen=True, slots=True)
class DayPoint:
    """One venue day of the period for the charts: cuts begun, minutes dark per seat, credits counted."""

    day: date
    cuts: int
    minutes_lost_per_seat: float
    credit_minutes: int
    credit_value_minor: int


@dataclass(frozen=True, slots=True)
class RestoreTimes:
    """How long power took to come back, over the venue's cuts that ended in the period (nearest rank)."""

    cuts: int
    median: int | None
    p90: int | None


@dataclass(frozen=True, slots=True)
class AgeBand:
    """The vouchers outstanding at the period's end issued within an age band."""

    label: str
    count: int
    minutes: int
    value_minor: int


@dataclass(frozen=True, slots=True)
class Owed:
    """What the venue owes in vouchers: those outstanding at the period's end, and the period's movements."""

    outstanding_count: int
    outstanding_minutes: int
    outstanding_value_minor: int
    by_age: tuple[AgeBand, ...]
    expiring_7_days_count: int
    expiring_7_days_value_minor: int
    issued: int
    redeemed: int
    expired: int
    expired_value_minor: int


@dataclass(frozen=True, slots=True)
class AttendantCare:
    """How one attendant handed the letters over: one letter per customer's handover, as the day's report counts."""

    attendant: str
    letters: int
    shown: int
    printed: int
    declined: int
    median_minutes_to_handover: int | None
    happy: int
    neutral: int
    unhappy: int


@dataclass(frozen=True, slots=True)
class Care:
    """The attendants' handovers, and the letters of the period never handed over."""

    attendants: tuple[AttendantCare, ...]
    letters_pending: int
    pending_value_minor: int


@dataclass(frozen=True, slots=True)
class Retention:
    """Of the vouchers issued in the period, how many came back (redeemed) within 7 and 30 days."""

    issued: int
    redeemed_within_7_days: int
    redeemed_within_30_days: int


@dataclass(frozen=True, slots=True)
class Finding:
    """Something the owner should know, in plain words, with what it cost (for the order)."""

    text: str
    cost_minor: int


@dataclass(frozen=True, slots=True)
class PeriodReportData(PeriodHeader):
    """Everything the period report shows."""

    complete: bool
    venue: Indices
    zones: tuple[Indices, ...]
    days: tuple[DayPoint, ...]
    restore: RestoreTimes
    owed: Owed
    care: Care
    retention: Retention
    findings: tuple[Finding, ...]
