"""The credits of the venue's history as SQLAlchemy 2 typed models: compensations, their adjustments, vouchers, notices.

A compensation's figures and explanation, and each adjustment's, are only ever written once;
voucher redemptions and notice deliveries are only ever inserted (``models`` names the
append-only tables). Every model here is named in ``models`` too, beside the rest of the history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from compensator.domain.kinds import CompensationForm, CompensationStatus, DarkBasis, Delivery, Feedback
from compensator.store.database import Base, UTCDateTime, enum_column


class FigureColumns:
    """The columns of a compensation's figures (named as ``CompensationFigures``'s fields) and its policy.

    A compensation keeps the figures it was first given with; each adjustment after a correction
    keeps its own, so neither is ever rewritten.
    """

    dark_start: Mapped[datetime] = mapped_column(UTCDateTime())
    dark_end: Mapped[datetime] = mapped_column(UTCDateTime())
    lost_minutes: Mapped[int] = mapped_column(Integer)
    restart_minutes: Mapped[int] = mapped_column(Integer)
    lost_work_minutes: Mapped[int] = mapped_column(Integer)
    goodwill_minutes: Mapped[int] = mapped_column(Integer)
    extras_minutes: Mapped[int] = mapped_column(Integer)
    credit_minutes: Mapped[int] = mapped_column(Integer)
    opened_stretch: Mapped[bool] = mapped_column(Boolean)
    form: Mapped[CompensationForm] = mapped_column(enum_column(CompensationForm))
    value_minor: Mapped[int] = mapped_column(Integer)
    carried_minutes: Mapped[int] = mapped_column(Integer, server_default="0")
    dark_basis: Mapped[DarkBasis] = mapped_column(enum_column(DarkBasis), server_default=DarkBasis.UPS_RATING.value)
    policy_fingerprint: Mapped[str] = mapped_column(String(64))


class Compensation(FigureColumns, Base):
    """What one seat session gets for one outage: one row per (outage, session), ever.

    The figures and the explanation are the policy's first result and never change; a
    correction appends a ``CompensationAdjustment`` with the recomputed figures. What changes
    here is only the state of the credit: ``granted_minutes`` (what the customer actually
    received, which never goes down), and the approval (status, when applied, by whom, and the
    form it was applied in).
    """

    __tablename__ = "compensations"
    __table_args__ = (
        UniqueConstraint("outage_id", "seat_session_id", name="uq_compensations_outage_session"),
        Index("ix_compensations_session", "seat_session_id"),
        Index("ix_compensations_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outage_id: Mapped[int] = mapped_column(ForeignKey("outages.id"))
    seat_session_id: Mapped[int] = mapped_column(ForeignKey("seat_sessions.id"))
    seat_id: Mapped[str] = mapped_column(ForeignKey("seats.id"))
    granted_minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[CompensationStatus] = mapped_column(enum_column(CompensationStatus))
    explanation: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    approved_by: Mapped[str | None] = mapped_column(String(100), default=None)
    # Why a manager reduced or refused the credit while it waited for approval.
    decision_reason: Mapped[str | None] = mapped_column(Text, default=None)


class CompensationAdjustment(FigureColumns, Base):
    """A recomputation after an outage correction: its figures, what it changed, and its own explanation."""

    __tablename__ = "compensation_adjustments"
    __table_args__ = (Index("ix_compensation_adjustments_compensation", "compensation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compensation_id: Mapped[int] = mapped_column(ForeignKey("compensations.id"))
    revision_id: Mapped[int] = mapped_column(ForeignKey("outage_revisions.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    previous_credit_minutes: Mapped[int] = mapped_column(Integer)
    topup_minutes: Mapped[int] = mapped_column(Integer)
    waived_minutes: Mapped[int] = mapped_column(Integer)
    explanation: Mapped[str] = mapped_column(Text)


class Voucher(Base):
    """Minutes a customer who left can come back for; redeemed at most once."""

    __tablename__ = "vouchers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    minutes: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    compensation_id: Mapped[int | None] = mapped_column(ForeignKey("compensations.id"), default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True, default=None)
    # The hourly price of the zone it was issued in: its value in money is its minutes at this
    # price, kept when it is redeemed in a zone of another price. Unknown (null) for the vouchers
    # issued before revision 0014 whose issuing zone could not be found: they give their minutes anywhere.
    price_minor_per_hour: Mapped[int | None] = mapped_column(Integer, default=None)


class VoucherRedemption(Base):
    """The one redemption of a voucher: the session it started or was added to, its entry and seat."""

    __tablename__ = "voucher_redemptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id"), unique=True)
    seat_session_id: Mapped[int] = mapped_column(ForeignKey("seat_sessions.id"))
    ledger_entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"))
    # Where the customer sat when it was redeemed: a session may move later.
    seat_id: Mapped[str] = mapped_column(ForeignKey("seats.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(100))


class Notice(Base):
    """The apology for one compensation, as first written in the customer's language.

    A compensation has one first notice (``adjustment_id`` null) and one more for each
    correction that topped it up after its letter was handed over.
    """

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("compensation_id", "adjustment_id", name="uq_notices_compensation_adjustment"),
        Index("ix_notices_compensation", "compensation_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    compensation_id: Mapped[int] = mapped_column(ForeignKey("compensations.id"))
    adjustment_id: Mapped[int | None] = mapped_column(
        ForeignKey("compensation_adjustments.id", name="fk_notices_adjustment"), default=None)
    language: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NoticeDelivery(Base):
    """How a notice was delivered, by whom and when, with the customer's reaction if given."""

    __tablename__ = "notice_deliveries"
    __table_args__ = (Index("ix_notice_deliveries_notice", "notice_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"))
    how: Mapped[Delivery] = mapped_column(enum_column(Delivery))
    feedback: Mapped[Feedback | None] = mapped_column(enum_column(Feedback), default=None)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
