"""The end-of-day report's data: the figures, rows and flags of one venue day, as plain frozen records.

``compensator.report.build`` fills them from the database; the formats in
``compensator.report.formats`` only lay them out, and the scheduler archives what they render.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from compensator.domain.figures import CompensationFigures
from compensator.domain.intervals import Span
from compensator.domain.kinds import (
    CompensationStatus,
    Delivery,
    OutageKind,
    OutageSource,
    OutageStatus,
    ScopeKind,
)
from compensator.domain.records import record
from compensator.report.equipment_data import NO_EQUIPMENT, Equipment
from compensator.timeofday import ClockStyle


class AnomalyKind(StrEnum):
    """What the owner should look at in a day."""

    MANUAL_CREDIT = "manual_credit"
    SALE_REVERSED = "sale_reversed"
    CREDIT_REDUCED = "credit_reduced"
    CREDIT_REFUSED = "credit_refused"
    CORRECTED_OUTAGE = "corrected_outage"
    NO_AFFECTED_SESSION = "no_affected_session"
    NOTICE_NOT_DELIVERED = "notice_not_delivered"
    ONGOING_OUTAGE = "ongoing_outage"
    UNCONFIRMED_OUTAGE = "unconfirmed_outage"
    DISMISSED_OUTAGE = "dismissed_outage"
    # A UPS that fell short of its rating in 2 of its last 3 cuts, or NUT's flag to replace its battery.
    EQUIPMENT = "equipment"


class NoticeState(StrEnum):
    """Where a compensation's apology notice stands: still to hand over, or how it was handed over."""

    PENDING = "pending"
    SHOWN = Delivery.SHOWN.value
    PRINTED = Delivery.PRINTED.value
    DECLINED = Delivery.DECLINED.value


@dataclass(frozen=True, slots=True)
class DayFigures:
    """The figures at the top of the report.

    ``outages`` and ``outage_minutes`` count the venue's outages (whole venue or zones), the
    minutes as the day's time under any of them, overlaps counted once (for power cuts alone it
    equals the reliability's downtime); ``seat_faults`` counts the outages of single seats (one
    PC's fault), listed apart and left out of every other outage and power figure. The credited
    minutes (seat faults' credits included) are
    the minutes actually given (``granted``) by applied compensations, and
    ``credited_value_minor`` is their value at the zone's price.
    """

    outages: int
    outage_minutes: int
    seat_faults: int
    sessions_affected: int
    credited_time_minutes: int
    credited_voucher_minutes: int
    credited_bill_minutes: int
    credited_value_minor: int
    waived_minutes: int
    # Minutes of leavers' vouchers given before as compensation and not used: carried over, of no new value.
    carried_minutes: int
    notices_delivered: int
    notices_declined: int
    notices_pending: int
    feedback_happy: int
    feedback_neutral: int
    feedback_unhappy: int
    vouchers_issued: int
    vouchers_redeemed: int
    vouchers_expired: int
    awaiting_approval: int


@dataclass(frozen=True, slots=True)
class Reliability:
    """How the venue's power held up; network failures are left out, they are not the generator's
    fault, and so are seat faults (one PC's fault is not the mains').

    ``downtime_minutes`` is the time in the day with at least one power cut going on;
    ``mean_time_to_restore_minutes`` is the mean full length of the cuts that ended by the
    end of the window (None without one); ``bridged_percent`` is the share of all the day's
    cuts that a UPS bridged (see ``is_bridged`` in ``compensator.report.power``), None
    without a cut. What each zone's UPS carried of the cuts it did not bridge is
    ``DailyReportData.ups_by_zone``.
    """

    cuts: int
    downtime_minutes: int
    longest_cut_minutes: int
    mean_time_to_restore_minutes: int | None
    cuts_bridged_by_ups: int
    bridged_percent: int | None


@dataclass(frozen=True, slots=True)
class ZoneUps:
    """What one zone's UPS did in the day's power cuts (seat faults left out).

    For each power cut covering the zone, the UPS carried the seats for its first
    ``ups_minutes`` (all of a shorter cut), and the rest of the cut was not carried: the seats
    were dark. Both are the cut's minutes in the day, split, and summed over the zone's cuts;
    a zone without a UPS carried nothing.
    """

    zone_id: str
    zone_name: str
    ups_minutes: int
    cuts: int
    carried_minutes: int
    not_carried_minutes: int


@dataclass(frozen=True, slots=True)
class ZoneTakings:
    """What one zone took in the day (``zone_id`` None: the whole venue), and its credits against it.

    Money in minor units: purchases and extensions as charged, the bills of the postpaid
    sessions that ended in the day, their sum ``takings_minor``, and ``credited_value_minor``,
    the value of the applied credits counted in the day (as ``DayFigures.credited_value_minor``).
    ``credit_share_permille`` is that value per thousand of the takings, rounded half up (shown
    as a percentage with one decimal); None when nothing was taken.
    """

    zone_id: str | None
    zone_name: str
    purchases_minor: int
    extensions_minor: int
    postpaid_bills_minor: int
    takings_minor: int
    credited_value_minor: int
    credit_share_permille: int | None


@dataclass(frozen=True, slots=True)
class CorrectionRow:
    """One correction of an outage's times: before, after, by whom and why."""

    at: datetime
    actor: str
    reason: str | None
    started_before: datetime
    ended_before: datetime | None
    started_after: datetime
    ended_after: datetime | None


@dataclass(frozen=True, slots=True)
class ZoneCarried:
    """How many of a power cut's minutes in the day one zone's UPS carried (the rest it did not)."""

    zone_id: str
    zone_name: str
    carried_minutes: int


@dataclass(frozen=True, slots=True)
class OutageRow:
    """One outage of the day; ``ups_carried`` is what each zone's UPS carried of a power cut of the
    venue, empty for a network failure and a seat fault."""

    id: int
    kind: OutageKind
    scope_kind: ScopeKind
    scope_ids: tuple[str, ...]
    source: OutageSource
    status: OutageStatus
    started_at: datetime
    ended_at: datetime | None
    ongoing_at_end: bool
    minutes_in_day: int
    bridged_by_ups: bool
    logged_by: str
    note: str | None
    compensations: int
    corrections: tuple[CorrectionRow, ...]
    ups_carried: tuple[ZoneCarried, ...] = ()
    # How many times mains came back for less than a UPS's merge and went off again: one cut, flapping.
    flaps: int = 0


@dataclass(frozen=True, slots=True)
class GivenMinutes:
    """The minutes of a credit that reached the customer, by form: time, off a bill, on vouchers."""

    time_minutes: int = 0
    bill_minutes: int = 0
    voucher_minutes: int = 0


GIVEN_NOTHING = GivenMinutes()


@record
class CompensationRow:
    """One compensation counted in the day, with its explanation and each correction's.

    ``figures`` stand as corrected (the first ones when never corrected); ``explanation`` is the
    first one, as it was given, and ``adjustments`` the explanation of each correction in order.
    ``given_value_minor`` is the value of what the customer got or will get: the credit's value,
    plus the waived minutes at the zone's price when a correction shrank the credit.
    ``notice`` is None while no notice exists (a credit awaiting approval has none yet).
    """

    id: int
    outage_id: int
    session_id: int
    seat_id: str
    figures: CompensationFigures
    granted_minutes: int
    waived_minutes: int
    status: CompensationStatus
    given_value_minor: int
    notice: NoticeState | None
    explanation: str
    adjustments: tuple[str, ...]
    # What actually reached the customer, by the form it took: the credit entries on a prepaid
    # session (time) or a postpaid one (off the bill), and the vouchers issued.
    given: GivenMinutes = GIVEN_NOTHING
    # The manager who decided a credit that waited for approval, and why they reduced or refused it.
    decided_by: str | None = None
    decision_reason: str | None = None

    @property
    def forms_given(self) -> str:
        """The forms the credit reached the customer in ("time", "time + voucher"), or its form while none did."""
        given = self.given
        shown = [name for name, minutes in (("time", given.time_minutes), ("bill reduction", given.bill_minutes),
                                            ("voucher", given.voucher_minutes)) if minutes]
        return " + ".join(shown) or self.figures.form.value.replace("_", " ")


@dataclass(frozen=True, slots=True)
class Anomaly:
    """Something the owner should look at, with what it concerns."""

    kind: AnomalyKind
    outage_id: int | None = None
    seat_id: str | None = None
    session_id: int | None = None
    minutes: int | None = None
    actor: str | None = None
    # Why, as the person who did it wrote it (a sale's correction); an equipment finding's sentence.
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One seat on the timeline: when a session held it (with paid time) and when it was dark."""

    seat_id: str
    zone_id: str | None
    sessions: tuple[Span, ...]
    dark: tuple[Span, ...]
    # The seat faults (outages of this seat alone or with a few others), drawn on this row only.
    faults: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class OutageBand:
    """A venue outage (whole venue or zones) across the timeline, clipped to the window."""

    outage_id: int
    kind: OutageKind
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class DailyReportData:
    """Everything the end-of-day report shows for one venue day."""

    venue_name: str
    currency: str
    timezone: str
    venue_date: date
    window_start: datetime
    window_end: datetime
    complete: bool
    generated_at: datetime
    figures: DayFigures
    reliability: Reliability
    # The venue's outages (whole venue or zones); the outages of single seats are ``seat_faults``.
    outages: tuple[OutageRow, ...]
    compensations: tuple[CompensationRow, ...]
    anomalies: tuple[Anomaly, ...]
    timeline: tuple[TimelineRow, ...]
    outage_bands: tuple[OutageBand, ...]
    # Each zone's takings (every configured zone, and any other with money that day), then the venue's.
    takings: tuple[ZoneTakings, ...]
    takings_total: ZoneTakings
    # How the venue shows a time of day (SPEC appendix A, ``venue.clock``).
    clock: ClockStyle = ClockStyle.TWENTY_FOUR_HOUR
    # Each zone's UPS in the day's power cuts: the minutes it carried beside those it did not.
    ups_by_zone: tuple[ZoneUps, ...] = ()
    # Outages of single seats (a PC's fault): listed apart, out of the venue's power figures.
    seat_faults: tuple[OutageRow, ...] = ()
    # How each zone's UPS and each seat's own UPS held in the cuts measured (``report.equipment``).
    equipment: Equipment = NO_EQUIPMENT
