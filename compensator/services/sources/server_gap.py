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

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

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


def start_run(uow: UnitOfWork) -> RunStart:
    """Record that the server runs from now; raise the gap since the last alive record if it is too long."""
    now = uow.now()
    previous = _latest_run(uow)
    threshold = timedelta(minutes=uow.settings.server_gap.threshold_minutes)
    gap = previous is not None and now - previous.last_alive_at > threshold
    run = ServerRun(started_at=now, last_alive_at=now, follows_run_id=previous.id if gap and previous else None)
    try:
        with uow.db.begin_nested():
            uow.db.add(run)
            uow.db.flush()
    except IntegrityError:
        # Another process claimed that gap first and raised its outage: this run follows nothing.
        run = ServerRun(started_at=now, last_alive_at=now)
        uow.db.add(run)
        uow.db.flush()
        gap = False
    outage = None
    if gap and previous is not None:
        with uow.commit_held():
            outage = outages.start_outage(uow, kind=OutageKind.POWER, started_at=previous.last_alive_at, ended_at=now,
                                          source=OutageSource.SERVER_GAP, suspected=True, actor=GAP_ACTOR,
                                          note="the server was not running")
        run.gap_outage_id = outage.id
        log.warning("server gap: not running from %s to %s; suspected outage %d raised",
                    previous.last_alive_at.isoformat(), now.isoformat(), outage.id)
    uow.commit()
    return RunStart(run.id, outage)


def note_alive(uow: UnitOfWork, run_id: int, *, ran_throughout: bool = False) -> RunStart:
    """Move the run's last alive record to now; after a gap too long (the PC slept) begin a new run instead.

    ``ran_throughout`` says the process kept running but could not record it (the database was
    away): however long that was, it is no gap, and the run simply moves on.
    """
    now = uow.now()
    last = uow.db.scalar(select(ServerRun.last_alive_at).where(ServerRun.id == run_id))
    threshold = timedelta(minutes=uow.settings.server_gap.threshold_minutes)
    if last is None or (not ran_throughout and now - last > threshold):
        return start_run(uow)
    uow.db.execute(update(ServerRun).where(ServerRun.id == run_id).values(last_alive_at=now))
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
