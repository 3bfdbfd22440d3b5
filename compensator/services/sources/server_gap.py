"""The server's own alive records, and the suspected outage a long gap between them means (SPEC §4).

The server records a *run* when it starts and moves the run's ``last_alive_at`` every 30
seconds. A start (or an alive tick after the process slept) that finds the last alive record
older than ``server_gap.threshold_minutes`` opens a new run that names the one before it, and
raises in the same transaction a suspected whole-venue power outage from that record to now,
with its end: the counter PC itself lost power. The run before can be named by one run only
(UNIQUE), so a gap is raised once, however often the server restarts or however many start.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from compensator.clock import SteadyClock
from compensator.domain.kinds import OutageKind, OutageSource
from compensator.services.outages import use_cases as outages
from compensator.services.outages.views import OutageView
from compensator.store.database import UnitOfWork
from compensator.store.models import Outage
from compensator.store.operations import ServerRun

log = logging.getLogger(__name__)
GAP_ACTOR = "server-gap"


@dataclass(frozen=True, slots=True)
class RunStart:
    """The run just begun, and the suspected outage its gap raised, if any."""

    run_id: int
    gap_outage: OutageView | None


@dataclass(frozen=True, slots=True)
class ServerGap:
    """The last gap raised: from the last alive record before it to the start after it."""

    started_at: datetime
    ended_at: datetime
    outage_id: int


def _latest_run(uow: UnitOfWork) -> ServerRun | None:
    return uow.db.scalar(select(ServerRun).order_by(ServerRun.last_alive_at.desc(), ServerRun.id.desc()).limit(1))


def _alive_now(uow: UnitOfWork) -> tuple[datetime, dict[str, Any]]:
    """Business time now, and what an alive record keeps beside it of the PC's clocks (when steady)."""
    clock = uow.clock
    if not isinstance(clock, SteadyClock):
        return uow.now(), {}
    now, seconds, difference = clock.reading()
    return now, {"boot_id": clock.boot_id or None, "alive_boot_seconds": seconds,
                 "clock_difference_seconds": difference.total_seconds()}


def stopped_for(uow: UnitOfWork, previous: ServerRun, now: datetime) -> timedelta:
    """How long the server was really stopped since ``previous`` was last alive: on the same boot of the
    PC its monotonic clock says it, whatever was done to the PC's clock; otherwise business time does."""
    clock = uow.clock
    if (isinstance(clock, SteadyClock) and clock.boot_id and previous.boot_id == clock.boot_id
            and previous.alive_boot_seconds is not None):
        return timedelta(seconds=max(0.0, clock.reading()[1] - previous.alive_boot_seconds))
    return now - previous.last_alive_at


def start_run(uow: UnitOfWork) -> RunStart:
    """Record that the server runs from now; raise the gap since the last alive record if it is too long."""
    now, clocks = _alive_now(uow)
    previous = _latest_run(uow)
    threshold = timedelta(minutes=uow.settings.server_gap.threshold_minutes)
    stopped = stopped_for(uow, previous, now) if previous is not None else timedelta()
    gap = previous is not None and stopped > threshold
    run = ServerRun(started_at=now, last_alive_at=now, follows_run_id=previous.id if gap and previous else None,
                    **clocks)
    try:
        with uow.db.begin_nested():
            uow.db.add(run)
            uow.db.flush()
    except IntegrityError:
        # Another process claimed that gap first and raised its outage: this run follows nothing.
        run = ServerRun(started_at=now, last_alive_at=now, **clocks)
        uow.db.add(run)
        uow.db.flush()
        gap = False
    outage = None
    if gap and previous is not None:
        # As long as the server really was stopped, from its last alive record (never past now).
        ended = min(now, previous.last_alive_at + stopped)
        with uow.commit_held():
            outage = outages.start_outage(uow, kind=OutageKind.POWER, started_at=previous.last_alive_at,
                                          ended_at=ended, source=OutageSource.SERVER_GAP, suspected=True,
                                          actor=GAP_ACTOR, note="the server was not running")
        run.gap_outage_id = outage.id
        log.warning("server gap: not running from %s to %s; suspected outage %d raised",
                    previous.last_alive_at.isoformat(), ended.isoformat(), outage.id)
    uow.commit()
    return RunStart(run.id, outage)


def note_alive(uow: UnitOfWork, run_id: int, *, ran_throughout: bool = False) -> RunStart:
    """Move the run's last alive record to now; after a gap too long (the PC slept) begin a new run instead.

    ``ran_throughout``: the process knows it ran since its last tick (its ticks could not be
    written while the database was away), so an old record is no gap.
    """
    now, clocks = _alive_now(uow)
    last = uow.db.scalar(select(ServerRun.last_alive_at).where(ServerRun.id == run_id))
    threshold = timedelta(minutes=uow.settings.server_gap.threshold_minutes)
    if last is None or (not ran_throughout and now - last > threshold):
        return start_run(uow)
    uow.db.execute(update(ServerRun).where(ServerRun.id == run_id).values(last_alive_at=now, **clocks))
    uow.commit()
    return RunStart(run_id, None)


def last_alive(uow: UnitOfWork) -> datetime | None:
    """The last moment the server was known to be running, if ever."""
    return uow.db.scalar(select(ServerRun.last_alive_at).order_by(ServerRun.last_alive_at.desc()).limit(1))


def last_gap(uow: UnitOfWork) -> ServerGap | None:
    """The latest gap that raised a suspected outage, with that outage's times as they stand now."""
    row = uow.db.execute(
        select(Outage.started_at, Outage.ended_at, Outage.id).join(ServerRun, ServerRun.gap_outage_id == Outage.id)
        .order_by(ServerRun.started_at.desc(), ServerRun.id.desc()).limit(1)).first()
    if row is None:
        return None
    started, ended, outage_id = row
    return ServerGap(started, ended or started, outage_id)
