"""The evidence file's data: every outage of a period with what recorded it, its corrections and its credits.

``compensator.report.evidence.rows`` fills these frozen records from the database; the formats
(``csv_format``, ``pdf_format``) only lay them out. Nothing here is clipped to the period: an
outage that overlaps its edges is told with its times as they were, as a utility, a landlord or
an insurer needs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from compensator.domain.kinds import (
    CompensationForm,
    CompensationStatus,
    OutageKind,
    OutageSource,
    OutageStatus,
    ScopeKind,
)
from compensator.report.data import CorrectionRow
from compensator.report.header import PeriodHeader


class Standing(StrEnum):
    """Whether an outage counts: it happened (ongoing or ended), waits for confirmation, or was dismissed."""

    COUNTED = "counted"
    SUSPECTED = "suspected"
    DISMISSED = "dismissed"


STANDING_OF_STATUS = {OutageStatus.ONGOING: Standing.COUNTED, OutageStatus.ENDED: Standing.COUNTED,
                      OutageStatus.SUSPECTED: Standing.SUSPECTED, OutageStatus.DISMISSED: Standing.DISMISSED}


class TraceKind(StrEnum):
    """What kind of witness recorded something of an outage."""

    # A person at the counter (or a program with a token) clicked or called.
    PERSON = "person"
    # The UPS reported mains off or back (through NUT or upsmon).
    UPS = "ups"
    # Seat PCs stopped sending their heartbeats.
    SEATS_SILENT = "seats_silent"
    # The counter's server itself was not running.
    SERVER_GAP = "server_gap"


@dataclass(frozen=True, slots=True)
class Trace:
    """One thing that recorded an outage or a change to it: when, who or what, and what it said."""

    at: datetime
    kind: TraceKind
    actor: str
    text: str


@dataclass(frozen=True, slots=True)
class AdjustmentRow:
    """A compensation recomputed after a correction: when, the credit before and after, what was added or waived."""

    at: datetime
    previous_credit_minutes: int
    credit_minutes: int
    topup_minutes: int
    waived_minutes: int
    explanation: str


@dataclass(frozen=True, slots=True)
class CreditRow:
    """What one seat session lost in one outage and what it was given for it, as it stands after any correction."""

    compensation_id: int
    outage_id: int
    session_id: int
    seat_id: str
    dark_start: datetime
    dark_end: datetime
    lost_minutes: int
    credit_minutes: int
    granted_minutes: int
    form: CompensationForm
    value_minor: int
    status: CompensationStatus
    decided_by: str | None
    decision_reason: str | None
    explanation: str
    adjustments: tuple[AdjustmentRow, ...]


@dataclass(frozen=True, slots=True)
class EvidenceOutage:
    """One outage of the period, its times as they were (not clipped), with its witnesses, corrections and credits."""

    id: int
    kind: OutageKind
    scope_kind: ScopeKind
    scope_ids: tuple[str, ...]
    source: OutageSource
    status: OutageStatus
    standing: Standing
    dismissed_reason: str | None
    started_at: datetime
    ended_at: datetime | None
    # Its whole length, started minutes rounded down; None while it goes on.
    minutes: int | None
    flaps: int
    actor: str
    note: str | None
    traces: tuple[Trace, ...]
    corrections: tuple[CorrectionRow, ...]
    credits: tuple[CreditRow, ...]


@dataclass(frozen=True, slots=True)
class SeatLoss:
    """One seat over the period: the outages it lost time in, the minutes lost and the credits given for them."""

    seat_id: str
    zone_name: str
    outages: int
    lost_minutes: int
    granted_minutes: int
    value_minor: int


@dataclass(frozen=True, slots=True)
class EvidenceTotals:
    """The period's totals on the title page: outages by standing, their minutes, corrections and credits."""

    outages: int
    counted: int
    suspected: int
    dismissed: int
    # The whole length of the counted outages that ended, as they were.
    counted_minutes: int
    corrections: int
    compensations: int
    lost_minutes: int
    granted_minutes: int
    value_minor: int


@dataclass(frozen=True, slots=True)
class Evidence(PeriodHeader):
    """The evidence of a period of venue days, from the first's midnight to the night after the last."""

    outages: tuple[EvidenceOutage, ...]
    seats: tuple[SeatLoss, ...]
    totals: EvidenceTotals
