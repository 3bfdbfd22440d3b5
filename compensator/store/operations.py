"""The tables of the server's own bookkeeping, apart from the venue's history.

Idempotency keys with their answers, the last heartbeat of each seat and the silences they
raised, the server's runs (its alive records), the archived daily reports and what each UPS was
last seen doing: rows that are overwritten or pruned, unlike the
append-only history in ``models``. Both modules share one declarative base.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String
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
    """When a seat PC last said it was alive, and since when it has been beating without a silence.

    One row per seat, overwritten. ``beating_since`` is the first heartbeat after a silence: the
    moment a silent seat came back, which later heartbeats must not overwrite.
    """

    __tablename__ = "seat_heartbeats"

    seat_id: Mapped[str] = mapped_column(ForeignKey("seats.id"), primary_key=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    beating_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # When the seat's PC booted, as its agent's uptime tells (server time); null from an agent that does not say.
    booted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class HeartbeatSilence(Base):
    """Seats that fell silent together and the suspected outage they raised (one row per silence).

    While ``ended_at`` is null those seats raise no second outage; the row ends when the first
    of them beats again, and that moment becomes the outage's end.
    """

    __tablename__ = "heartbeat_silences"
    __table_args__ = (Index("ix_heartbeat_silences_ended_at", "ended_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outage_id: Mapped[int] = mapped_column(ForeignKey("outages.id"))
    # Each seat's last heartbeat before the silence, as ISO texts: a later one means it is back.
    last_seen: Mapped[dict[str, str]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class ServerRun(Base):
    """One run of the server: when it started and when it was last known alive, updated in place.

    The gaps between runs are the server's downtime. A run that began after a gap longer than
    ``server_gap.threshold_minutes`` names the run before it (UNIQUE: a gap is raised once, even
    when two processes start together) and the suspected outage it raised.
    """

    __tablename__ = "server_runs"
    __table_args__ = (Index("ix_server_runs_last_alive_at", "last_alive_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_alive_at: Mapped[datetime] = mapped_column(UTCDateTime())
    follows_run_id: Mapped[int | None] = mapped_column(ForeignKey("server_runs.id"), unique=True, default=None)
    gap_outage_id: Mapped[int | None] = mapped_column(ForeignKey("outages.id"), default=None)
    # At ``last_alive_at``: the PC's boot, its monotonic clock, and how far its wall clock was from
    # business time; a start on the same boot knows from them how long the server really was stopped.
    boot_id: Mapped[str | None] = mapped_column(String(64), default=None)
    alive_boot_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    clock_difference_seconds: Mapped[float | None] = mapped_column(Float, default=None)


class DailyReport(Base):
    """An archived end-of-day report: at most one per venue day."""

    __tablename__ = "daily_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    venue_date: Mapped[date] = mapped_column(Date, unique=True)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    directory: Mapped[str] = mapped_column(String(1000))
    # What the report was built from and each file's size (``compensator.report.ready``).
    stamp: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class UpsStateRecord(Base):
    """What one UPS was last seen doing, as ``compensator.domain.ups.UpsState`` holds it (overwritten).

    Kept in the database, not in memory, so that a restarted server picks up an outage's
    debounce or merge where it was, and several counters on one PostgreSQL share one view.
    """

    __tablename__ = "ups_states"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    mains: Mapped[str | None] = mapped_column(String(16), nullable=True)
    mains_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answering: Mapped[bool] = mapped_column(Boolean, default=True)
    silent_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    off_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    on_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    in_outage: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Before an outage opens: the time on battery of the spells over, and the short returns between them.
    battery_seconds: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    flaps: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


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
