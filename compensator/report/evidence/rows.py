"""Reading a period's evidence: its outages, what recorded each, their corrections and their credits.

The outages, their compensations and their corrections are read with the daily report's readers
(``compensator.report.rows``); this module adds what only evidence needs, one statement each
whatever the number of outages: every revision (who clicked, confirmed, dismissed, and the UPS's
or the detectors' own records), the heartbeat silences, the server's runs around each gap, and
the adjustments as rows. ``witness`` turns them into sentences.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from compensator.domain.kinds import OutageStatus, RevisionAction
from compensator.report.evidence.data import AdjustmentRow
from compensator.store.bulk import fetch_tuples
from compensator.store.database import UnitOfWork
from compensator.store.models import Compensation, CompensationAdjustment, OutageRevision
from compensator.store.operations import HeartbeatSilence, ServerRun


@dataclass(frozen=True, slots=True)
class RevisionRow:
    """One stored change of an outage: what, when, by whom, the times and status it left, and why."""

    action: RevisionAction
    at: datetime
    actor: str
    started_at: datetime
    ended_at: datetime | None
    status: OutageStatus
    reason: str | None


@dataclass(frozen=True, slots=True)
class SilenceRow:
    """Seats that fell silent together: each one's last heartbeat, and when the first beat again."""

    last_seen: dict[str, datetime]
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class GapRow:
    """The server's run before a gap (its start and last alive record) and the run that began after it."""

    previous_run_id: int | None
    previous_started_at: datetime | None
    last_alive_at: datetime | None
    run_id: int
    started_at: datetime


def revisions(uow: UnitOfWork, outage_ids: list[int]) -> dict[int, list[RevisionRow]]:
    """Every revision of the outages, oldest first."""
    found: dict[int, list[RevisionRow]] = defaultdict(list)
    if not outage_ids:
        return {}
    for outage_id, *fields in fetch_tuples(uow.db, (
            select(OutageRevision.outage_id, OutageRevision.action, OutageRevision.at, OutageRevision.actor,
                   OutageRevision.started_at, OutageRevision.ended_at, OutageRevision.status, OutageRevision.reason)
            .where(OutageRevision.outage_id.in_(outage_ids)).order_by(OutageRevision.id))):
        found[outage_id].append(RevisionRow(*fields))
    return dict(found)


def silences(uow: UnitOfWork, outage_ids: list[int]) -> dict[int, list[SilenceRow]]:
    """The heartbeat silences that raised the outages."""
    found: dict[int, list[SilenceRow]] = defaultdict(list)
    if not outage_ids:
        return {}
    for outage_id, last_seen, started_at, ended_at in fetch_tuples(uow.db, (
            select(HeartbeatSilence.outage_id, HeartbeatSilence.last_seen, HeartbeatSilence.started_at,
                   HeartbeatSilence.ended_at)
            .where(HeartbeatSilence.outage_id.in_(outage_ids)).order_by(HeartbeatSilence.id))):
        seen = {seat: datetime.fromisoformat(text) for seat, text in sorted(dict(last_seen).items())}
        found[outage_id].append(SilenceRow(seen, started_at, ended_at))
    return dict(found)


def gaps(uow: UnitOfWork, outage_ids: list[int]) -> dict[int, GapRow]:
    """The server's runs on either side of each gap that raised one of the outages."""
    if not outage_ids:
        return {}
    previous = aliased(ServerRun)
    return {outage_id: GapRow(previous_id, previous_started, last_alive, run_id, started_at)
            for outage_id, run_id, started_at, previous_id, previous_started, last_alive in fetch_tuples(uow.db, (
                select(ServerRun.gap_outage_id, ServerRun.id, ServerRun.started_at, previous.id, previous.started_at,
                       previous.last_alive_at)
                .outerjoin(previous, previous.id == ServerRun.follows_run_id)
                .where(ServerRun.gap_outage_id.in_(outage_ids))))}


def adjustments(uow: UnitOfWork, outage_ids: list[int]) -> dict[int, tuple[AdjustmentRow, ...]]:
    """Each compensation's adjustments after corrections, oldest first, by compensation id."""
    found: dict[int, list[AdjustmentRow]] = defaultdict(list)
    if not outage_ids:
        return {}
    for compensation_id, *fields in fetch_tuples(uow.db, (
            select(CompensationAdjustment.compensation_id, CompensationAdjustment.at,
                   CompensationAdjustment.previous_credit_minutes, CompensationAdjustment.credit_minutes,
                   CompensationAdjustment.topup_minutes, CompensationAdjustment.waived_minutes,
                   CompensationAdjustment.explanation)
            .join(Compensation, Compensation.id == CompensationAdjustment.compensation_id)
            .where(Compensation.outage_id.in_(outage_ids)).order_by(CompensationAdjustment.id))):
        found[compensation_id].append(AdjustmentRow(*fields))
    return {compensation_id: tuple(rows) for compensation_id, rows in found.items()}
