"""Outages and their compensations: the bodies that open, end and correct one, and the outage as answered."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from compensator.domain.kinds import (
    CompensationForm,
    CompensationStatus,
    DarkBasis,
    OutageKind,
    OutageSource,
    OutageStatus,
    ScopeKind,
)
from web.schemas.common import Time
from web.schemas.fields import Closed, Day, Id, IdList, Minutes, Moment, Note, Query, Reason, Shape


class StartOutage(Closed):
    """The whole venue unless ``zones`` or ``seats`` (not both) narrow it; ``started_at`` back-dates it."""

    # What the server enforces beyond each field (400 otherwise): zones or seats, not both.
    model_config = ConfigDict(json_schema_extra={
        "not": {"required": ["zones", "seats"],
                "properties": {"zones": {"type": "array"}, "seats": {"type": "array"}}},
        "examples": [{}, {"zones": ["gaming"], "note": "generator failed"}, {"seats": ["A4"], "kind": "network"}],
    })

    kind: OutageKind | None = None
    zones: IdList | None = None
    seats: IdList | None = None
    started_at: Moment | None = None
    source: OutageSource | None = None
    note: Note | None = None


class EndOutage(Closed):
    """Power is back, now or at ``ended_at``."""

    ended_at: Moment | None = None


class CorrectOutage(Closed):
    """A manager revises the outage's times, saying why."""

    # What the server enforces beyond each field (400 otherwise): a new start, a new end, or both.
    model_config = ConfigDict(json_schema_extra={
        "anyOf": [{"required": ["started_at"], "properties": {"started_at": {"type": "string"}}},
                  {"required": ["ended_at"], "properties": {"ended_at": {"type": "string"}}}],
        "examples": [{"ended_at": "2026-11-22T14:45:00+01:00", "reason": "the generator log says 14:45"}],
    })

    started_at: Moment | None = None
    ended_at: Moment | None = None
    reason: Reason


class ReduceCredit(Closed):
    """A manager gives fewer minutes than the policy did, saying why."""

    minutes: Minutes
    reason: Reason


class RefuseCredit(Closed):
    """A manager refuses the credit, saying why."""

    reason: Reason


class DismissOutage(Closed):
    """Reject a suspected outage, optionally saying why."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "the seat agents restarted for an update"}]})

    reason: Note | None = None


class OutagesQuery(Query):
    """``?date=`` picks the venue day (today when absent)."""

    date: Day | None = None


class Figures(Shape):
    """A compensation's figures (also each adjustment's)."""

    dark_start: Time
    dark_end: Time
    # What ``dark_start`` rests on: the zone's UPS rating (``ups_rating``), no UPS (``no_ups``), an internet
    # failure (``network``), or what was measured: the seat PC's own report (``seat_report``), its heartbeats
    # through the cut (``heartbeats``), its zone's UPS on low battery (``ups_battery``).
    dark_basis: DarkBasis
    lost_minutes: int
    restart_minutes: int
    lost_work_minutes: int
    goodwill_minutes: int
    extras_minutes: int
    credit_minutes: int
    opened_stretch: bool
    form: CompensationForm
    value_minor: int
    # Of a leaver's voucher, the minutes given back before and not used: carried over, of no new value.
    carried_minutes: int


class Adjustment(Figures):
    """A correction's recomputation of a compensation."""

    at: Time
    previous_credit_minutes: int
    topup_minutes: int
    waived_minutes: int
    explanation: str
    policy: str


class Compensation(Figures):
    """A compensation as it stands, its first explanation, and each correction's adjustment."""

    id: Id
    outage: Id
    session: Id
    seat: str
    granted_minutes: int
    waived_minutes: int
    status: CompensationStatus
    explanation: str
    policy: str
    notice: int | None
    vouchers: list[str]
    adjustments: list[Adjustment]


class Outage(Shape):
    """An outage with its compensations."""

    id: Id
    kind: OutageKind
    scope: ScopeKind
    zones: list[str] | None
    seats: list[str] | None
    started_at: Time
    ended_at: Time | None
    source: OutageSource
    status: OutageStatus
    logged_by: str
    note: str | None
    corrections: int
    # How many times mains came back for less than the UPS's merge_seconds and went off again within it.
    flaps: int
    dismissal_reason: str | None = Field(description="why a suspected outage was dismissed, as written by the person "
                                                     "who dismissed it; null unless dismissed with a reason")
    compensations: list[Compensation]


class OutageList(Shape):
    """The outages of a venue day."""

    outages: list[Outage]
