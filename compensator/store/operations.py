"""The tables of the server's own bookkeeping, apart from the venue's history.

Idempotency keys with their answers, the last heartbeat of each seat, the server's own alive
records and the archived daily reports: rows that are overwritten or pruned, unlike the
append-only history in ``models``. Both modules share one declarative base.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from compensator.store.database import Base, UTCDateTime


class IdempotencyRecord(Base):
    """A client-chosen key of one actor's mutation, with the answer the mutation gave.

    The row is written in the same transaction as the effect it guards, so a committed key
    always carries its answer; a retry returns that answer, other content conflicts.
    """

    __tablename__ = "idempotency_records"
    __table_args__ = (Index("ix_idempotency_records_created_at", "created_at"),)

    actor: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer, default=None)
    body: Mapped[Any] = mapped_column(JSON, nullable=True, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SeatHeartbeat(Base):
    """When a seat PC last said it was alive (one row per seat, overwritten)."""

    __tablename__ = "seat_heartbeats"

    seat_id: Mapped[str] = mapped_column(ForeignKey("seats.id"), primary_key=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ServerHeartbeat(Base):
    """A minute in which the server was running; gaps between rows are server downtime."""

    __tablename__ = "server_heartbeats"
    __table_args__ = (Index("ix_server_heartbeats_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class DailyReport(Base):
    """An archived end-of-day report: at most one per venue day."""

    __tablename__ = "daily_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    venue_date: Mapped[date] = mapped_column(Date, unique=True)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    directory: Mapped[str] = mapped_column(String(1000))


# The history tables. Migration 0004 imports this list and guards every table in it; before
# naming here a table that a later migration creates, give 0004 its own copy of today's list.


class LoginFailure(Base):
    """One failed login: the name tried (lower-cased) and the address it came from."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_address_at", "address", "at"),
                      Index("ix_login_failures_name_address", "name_key", "address"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_key: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
