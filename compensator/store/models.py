"""The venue's tables as SQLAlchemy 2 typed models: catalog, people, sessions, outages, credits.

The credits (compensations, their adjustments, vouchers and notices) are declared in
``credit_models`` and named here too, so that every table of the venue's history is found here.

History is kept as rows: ledger entries, session events and the audit log are only ever
inserted. The ORM refuses to update or delete them (see the listeners at the end) and the database
refuses too, through triggers created by the migrations. The server's own bookkeeping tables
(idempotency keys, heartbeats, archived reports) are in ``operations``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compensator.domain.kinds import (
    DashboardLanguage,
    EntryKind,
    OutageKind,
    OutageSource,
    OutageStatus,
    RevisionAction,
    Role,
    ScopeKind,
    SessionEventKind,
    SessionMode,
)
from compensator.store.credit_models import (  # noqa: F401 - the credits, named beside the rest of the history
    Compensation,
    CompensationAdjustment,
    FigureColumns,
    Notice,
    NoticeDelivery,
    Voucher,
    VoucherRedemption,
)
from compensator.store.database import Base, UTCDateTime, enum_column
from compensator.store.evidence_models import (  # noqa: F401 - the seats' evidence, named beside the history
    EVIDENCE_MODELS,
    SeatDarkEvidence,
    SeatPowerReport,
    UpsStatusChange,
)


class Zone(Base):
    """A group of seats on one circuit and price, mirrored from ``config.yaml``."""

    __tablename__ = "zones"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    price_minor_per_hour: Mapped[int] = mapped_column(Integer)
    ups_minutes: Mapped[int] = mapped_column(Integer, default=0)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class Seat(Base):
    """One customer seat (a PC) in a zone, mirrored from ``config.yaml``."""

    __tablename__ = "seats"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    zone_id: Mapped[str] = mapped_column(ForeignKey("zones.id"))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    zone: Mapped[Zone] = relationship()


class Attendant(Base):
    """A person who logs in at the counter: an attendant or a manager."""

    __tablename__ = "attendants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    pin_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # The language of the pages this person chose; none yet means the browser's wish or the venue's default.
    language: Mapped[DashboardLanguage | None] = mapped_column(enum_column(DashboardLanguage), default=None)
    # A login cookie names the version it was issued under; moving it on ends every such cookie.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


# "Ada" and "ada" are one name: the database refuses a second spelling of a name in another case.
Index("uq_attendants_name_lower", func.lower(Attendant.name), unique=True)


class ApiToken(Base):
    """A named bearer token for a device or another program; only its hash is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class SeatSession(Base):
    """A customer's paid time at a seat; its balance is derived from entries and events."""

    __tablename__ = "seat_sessions"
    __table_args__ = (Index("ix_seat_sessions_started_at", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seat_id: Mapped[str] = mapped_column(ForeignKey("seats.id"))
    mode: Mapped[SessionMode] = mapped_column(enum_column(SessionMode))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    customer_name: Mapped[str | None] = mapped_column(String(100), default=None)
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    actor: Mapped[str] = mapped_column(String(100))

    events: Mapped[list[SessionEvent]] = relationship(
        back_populates="seat_session", order_by="SessionEvent.id", lazy="raise"
    )
    entries: Mapped[list[LedgerEntry]] = relationship(
        back_populates="seat_session", order_by="LedgerEntry.id", lazy="raise"
    )


class OpenSeatSession(Base):
    """A session that has not ended: a row is added when it starts and removed when it ends.

    Derived, like an index: the END event stays the truth. Without it, finding the running
    sessions (every dashboard poll, every outage) would read the venue's whole history.
    """

    __tablename__ = "open_seat_sessions"

    seat_session_id: Mapped[int] = mapped_column(ForeignKey("seat_sessions.id"), primary_key=True)


class SessionEvent(Base):
    """Something that happened to a seat session after it started: pause, resume, move, end."""

    __tablename__ = "session_events"
    __table_args__ = (
        Index("ix_session_events_session", "seat_session_id"),
        Index("ix_session_events_kind_seat", "kind", "seat_session_id"),
        Index("ix_session_events_kind_at", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seat_session_id: Mapped[int] = mapped_column(ForeignKey("seat_sessions.id"))
    kind: Mapped[SessionEventKind] = mapped_column(enum_column(SessionEventKind))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    seat_id: Mapped[str | None] = mapped_column(ForeignKey("seats.id"), default=None)
    actor: Mapped[str] = mapped_column(String(100))

    seat_session: Mapped[SeatSession] = relationship(back_populates="events")


class LedgerEntry(Base):
    """An append-only record of minutes (and their money) on a seat session."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_session", "seat_session_id"),
        Index("ix_ledger_entries_created_at", "created_at"),
        CheckConstraint("minutes <> 0", name="ck_ledger_entries_minutes_nonzero"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seat_session_id: Mapped[int] = mapped_column(ForeignKey("seat_sessions.id"))
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind))
    minutes: Mapped[int] = mapped_column(Integer)
    # For purchases and extensions this is the amount charged; for credits it is their
    # value at the zone's price, reported to the owner and never charged.
    value_minor: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"), unique=True, default=None)
    actor: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text, default=None)
    compensation_id: Mapped[int | None] = mapped_column(ForeignKey("compensations.id"), default=None)
    # Automatic credits carry a deterministic key, so that a retried or raced write finds the
    # entry already there instead of crediting twice.
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True, default=None)

    seat_session: Mapped[SeatSession] = relationship(back_populates="entries")


class AuditRecord(Base):
    """One mutation: who did what to which thing, when, with the state before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


OPEN_SCOPE_WHERE = "status = 'ongoing' OR (status = 'suspected' AND ended_at IS NULL)"


class Outage(Base):
    """A power or network failure over the venue, some zones or some seats.

    The row holds the outage's current times and status; every change to them is also kept
    as an ``OutageRevision``, so nothing is silently overwritten.
    """

    __tablename__ = "outages"
    __table_args__ = (
        Index("ix_outages_started_at", "started_at"),
        # At most one open outage per kind and scope: a double click or two counters racing
        # cannot open a second one. A suspected outage that already has its end (a server gap,
        # seats that beat again) is over: it holds nothing open while it waits to be confirmed.
        Index(
            "uq_outages_open_scope",
            "kind",
            "scope_key",
            unique=True,
            sqlite_where=text(OPEN_SCOPE_WHERE),
            postgresql_where=text(OPEN_SCOPE_WHERE),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[OutageKind] = mapped_column(enum_column(OutageKind))
    scope_kind: Mapped[ScopeKind] = mapped_column(enum_column(ScopeKind))
    scope_ids: Mapped[list[str]] = mapped_column(JSON)
    scope_key: Mapped[str] = mapped_column(String(2000))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    source: Mapped[OutageSource] = mapped_column(enum_column(OutageSource))
    status: Mapped[OutageStatus] = mapped_column(enum_column(OutageStatus))
    actor: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # How many times mains came back for less than a UPS's merge and went off again within it.
    flaps: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class OutageRevision(Base):
    """One change to an outage (start, end, correction, confirmation, dismissal), kept forever."""

    __tablename__ = "outage_revisions"
    __table_args__ = (Index("ix_outage_revisions_outage", "outage_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outage_id: Mapped[int] = mapped_column(ForeignKey("outages.id"))
    action: Mapped[RevisionAction] = mapped_column(enum_column(RevisionAction))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    status: Mapped[OutageStatus] = mapped_column(enum_column(OutageStatus))
    reason: Mapped[str | None] = mapped_column(Text, default=None)


# History tables: only ever inserted into. The ORM refuses to update or delete their rows here,
# the database through the guards the migrations create for these tables.
APPEND_ONLY_MODELS = (LedgerEntry, SessionEvent, AuditRecord, OutageRevision, CompensationAdjustment,
                      VoucherRedemption, NoticeDelivery)
APPEND_ONLY_TABLES = tuple(model.__tablename__ for model in APPEND_ONLY_MODELS)


def _refuse_change(_mapper: Any, _connection: Any, target: Any) -> None:
    raise PermissionError(f"{type(target).__tablename__} is append-only: add a correcting row instead")


# The seats' evidence is history too, guarded alike since migration 0014 (``evidence_models``).
for _model in (*APPEND_ONLY_MODELS, *EVIDENCE_MODELS):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)
