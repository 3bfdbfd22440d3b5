"""What seats measured of their own power, as SQLAlchemy 2 typed models (SPEC section 3, rule 1 amended).

``SeatPowerReport`` is each report a seat agent made after its PC started again ("my PC went
down between 14:24:10 and 14:24:15 and booted at 14:41"), kept once however often the agent
repeats it. ``SeatDarkEvidence`` is what the policy uses: one row per seat, outage and basis,
ever (UNIQUE), claimed in the same transaction as the compensation or the correction it made,
so that a report repeated, raced or replayed changes the credit exactly once (a zone's UPS on
low battery and the seat's own later report are two bases; the policy takes the strongest). Each row is a
measured bridge of that seat's UPS: how long it held (from the outage's start to ``dark_from``;
the whole cut when ``dark_from`` is null) against the zone's ``rated_minutes``. Both tables are
only ever inserted into.

``UpsStatusChange`` is the equipment record of each UPS: every change of its status seen through
NUT's ``upsd`` or the ``upsmon`` webhook, with the battery's figures (``domain.equipment``
says which readings are kept). It is inserted into only, too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from compensator.domain.kinds import DarkBasis
from compensator.store.database import Base, UTCDateTime, enum_column


class SeatPowerReport(Base):
    """A seat agent's report that its PC went down (between two moments, server time) and booted again."""

    __tablename__ = "seat_power_reports"
    __table_args__ = (UniqueConstraint("seat_id", "down_after", name="uq_seat_power_reports_seat_moment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seat_id: Mapped[str] = mapped_column(ForeignKey("seats.id"))
    # The last moment the PC's record shows it alive, and when its next record was due.
    down_after: Mapped[datetime] = mapped_column(UTCDateTime())
    down_before: Mapped[datetime] = mapped_column(UTCDateTime())
    booted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # What the report did when it first arrived, in words (the outages it corrected, or why none).
    outcome: Mapped[str] = mapped_column(Text)


class SeatDarkEvidence(Base):
    """The evidence the policy uses for one seat in one outage: when it went dark (or that it never did)."""

    __tablename__ = "seat_dark_evidence"
    __table_args__ = (UniqueConstraint("seat_id", "outage_id", "basis", name="uq_seat_dark_evidence_seat_outage"),
                      Index("ix_seat_dark_evidence_outage", "outage_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seat_id: Mapped[str] = mapped_column(ForeignKey("seats.id"))
    outage_id: Mapped[int] = mapped_column(ForeignKey("outages.id"))
    basis: Mapped[DarkBasis] = mapped_column(enum_column(DarkBasis))
    # When the seat went dark; null when it stayed on through the outage.
    dark_from: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # How long the seat's UPS held from the outage's start (the whole cut when it never went dark).
    held_seconds: Mapped[int] = mapped_column(Integer)
    rated_minutes: Mapped[int] = mapped_column(Integer)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("seat_power_reports.id"), default=None)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(100))


class UpsStatusChange(Base):
    """A UPS's status as it changed (``OB DISCHRG``, ``OB LB``, ``OL CHRG RB``), with its battery's figures then."""

    __tablename__ = "ups_status_changes"
    __table_args__ = (Index("ix_ups_status_changes_ups_at", "ups_name", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ups_name: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(64))
    # Percent, seconds and percent, as NUT gives them (rounded); null when the UPS or the webhook does not say.
    battery_charge: Mapped[int | None] = mapped_column(Integer, default=None)
    battery_runtime: Mapped[int | None] = mapped_column(Integer, default=None)
    ups_load: Mapped[int | None] = mapped_column(Integer, default=None)
    # ``nut`` (the poller read it from upsd) or ``webhook`` (upsmon elsewhere reported it).
    source: Mapped[str] = mapped_column(String(16))


EVIDENCE_MODELS = (SeatPowerReport, SeatDarkEvidence, UpsStatusChange)
