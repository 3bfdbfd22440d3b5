"""Reading outages: an outage with its compensations, lists of them, and credits awaiting approval.

Compensations are read as plain column rows, not ORM objects (a venue-wide outage has hundreds
of them), with their notices and voucher codes, in a fixed number of statements.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from compensator.domain.kinds import CompensationForm, CompensationStatus, OutageKind, OutageSource, OutageStatus, ScopeKind
from compensator.errors import NotFound, require_id
from compensator.store.database import UnitOfWork
from compensator.store.models import Compensation, Notice, Outage, OutageRevision, Voucher


@dataclass(frozen=True, slots=True)
class CompensationView:
    """One compensation with its current totals."""

    id: int
    outage_id: int
    session_id: int
    seat_id: str
    lost_minutes: int
    restart_minutes: int
    lost_work_minutes: int
    goodwill_minutes: int
    extras_minutes: int
    credit_minutes: int
    granted_minutes: int
    waived_minutes: int
    form: CompensationForm
    value_minor: int
    status: CompensationStatus
    explanation: str
    policy_fingerprint: str
    dark_start: datetime
    dark_end: datetime
    created_at: datetime
    applied_at: datetime | None
    approved_by: str | None
    notice_id: int | None
    voucher_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OutageView:
    """An outage with its compensations."""

    id: int
    kind: OutageKind
    scope_kind: ScopeKind
    scope_ids: tuple[str, ...]
    started_at: datetime
    ended_at: datetime | None
    source: OutageSource
    status: OutageStatus
    actor: str
    note: str | None
    revisions: int
    compensations: tuple[CompensationView, ...]
    created: bool = False


COMPENSATION_COLUMNS = (
    Compensation.outage_id, Compensation.id, Compensation.seat_session_id, Compensation.seat_id,
    Compensation.lost_minutes, Compensation.restart_minutes, Compensation.lost_work_minutes,
    Compensation.goodwill_minutes, Compensation.extras_minutes, Compensation.credit_minutes,
    Compensation.granted_minutes, Compensation.form, Compensation.value_minor, Compensation.status,
    Compensation.explanation, Compensation.policy_fingerprint, Compensation.dark_start, Compensation.dark_end,
    Compensation.created_at, Compensation.applied_at, Compensation.approved_by,
)


def outage_views(uow: UnitOfWork, outages: list[Outage],
           known: tuple[CompensationView, ...] | None = None) -> list[OutageView]:
    """The views of ``outages``; ``known`` gives the compensations of a single outage when the
    caller has them already."""
    # Plain column rows, not ORM objects: an outage over a whole venue has hundreds of them.
    ids = [outage.id for outage in outages]
    if not ids:
        return []
    rows = [] if known is not None else uow.db.execute(
        select(*COMPENSATION_COLUMNS).where(Compensation.outage_id.in_(ids)).order_by(Compensation.id)).tuples().all()
    notices: dict[int, int] = {}
    codes: dict[int, list[str]] = defaultdict(list)
    if rows:
        # Joined on the outage rather than listing every compensation id.
        notices = dict(uow.db.execute(
            select(Notice.compensation_id, Notice.id).join(Compensation, Compensation.id == Notice.compensation_id)
            .where(Compensation.outage_id.in_(ids))
        ).tuples().all())
        for compensation_id, code in uow.db.execute(
            select(Voucher.compensation_id, Voucher.code).join(Compensation, Compensation.id == Voucher.compensation_id)
            .where(Compensation.outage_id.in_(ids)).order_by(Voucher.id)
        ).tuples():
            codes[compensation_id].append(code)
    compensations: dict[int, list[CompensationView]] = defaultdict(list)
    for (outage_id, compensation_id, session_id, seat_id, lost, restart, lost_work, goodwill, extras, credit,
         granted, form, value, status, explanation, fingerprint, dark_start, dark_end, created_at, applied_at,
         approved_by) in rows:
        compensations[outage_id].append(CompensationView(
            id=compensation_id, outage_id=outage_id, session_id=session_id, seat_id=seat_id, lost_minutes=lost,
            restart_minutes=restart, lost_work_minutes=lost_work, goodwill_minutes=goodwill,
            extras_minutes=extras, credit_minutes=credit, granted_minutes=granted,
            waived_minutes=max(granted - credit, 0), form=form, value_minor=value, status=status,
            explanation=explanation, policy_fingerprint=fingerprint, dark_start=dark_start, dark_end=dark_end,
            created_at=created_at, applied_at=applied_at, approved_by=approved_by,
            notice_id=notices.get(compensation_id), voucher_codes=tuple(codes[compensation_id])))
    if known is not None:
        assert len(outages) == 1
        compensations[outages[0].id] = list(known)
    revisions: dict[int, int] = defaultdict(int)
    for outage_id in uow.db.scalars(select(OutageRevision.outage_id).where(OutageRevision.outage_id.in_(ids))):
        revisions[outage_id] += 1
    return [
        OutageView(
            id=outage.id,
            kind=outage.kind,
            scope_kind=outage.scope_kind,
            scope_ids=tuple(outage.scope_ids),
            started_at=outage.started_at,
            ended_at=outage.ended_at,
            source=outage.source,
            status=outage.status,
            actor=outage.actor,
            note=outage.note,
            revisions=revisions[outage.id],
            compensations=tuple(compensations[outage.id]),
        )
        for outage in outages
    ]


def get_outage(uow: UnitOfWork, outage_id: object) -> OutageView:
    """One outage with its compensations."""
    outage_id = require_id(outage_id, "outage")
    outage = uow.db.get(Outage, outage_id)
    if outage is None:
        raise NotFound(f"unknown outage {outage_id}", field="outage")
    return outage_views(uow, [outage])[0]


def list_outages(uow: UnitOfWork, *, start: datetime | None = None, end: datetime | None = None,
                 statuses: tuple[OutageStatus, ...] | None = None) -> list[OutageView]:
    """Outages that overlap ``[start, end)`` (all of them by default), oldest first."""
    query = select(Outage).order_by(Outage.started_at, Outage.id)
    if end is not None:
        query = query.where(Outage.started_at < end)
    if start is not None:
        query = query.where(or_(Outage.ended_at.is_(None), Outage.ended_at > start))
    if statuses:
        query = query.where(Outage.status.in_(statuses))
    return outage_views(uow, list(uow.db.scalars(query)))


def open_outages(uow: UnitOfWork) -> list[OutageView]:
    """The outages still suspected or ongoing."""
    return list_outages(uow, statuses=(OutageStatus.SUSPECTED, OutageStatus.ONGOING))


def awaiting_approval(uow: UnitOfWork) -> list[CompensationView]:
    """Credits waiting for a manager, oldest first."""
    outage_ids = set(uow.db.scalars(select(Compensation.outage_id).where(
        Compensation.status == CompensationStatus.AWAITING_APPROVAL)))
    outages = list(uow.db.scalars(select(Outage).where(Outage.id.in_(outage_ids))))
    return sorted(
        (item for view in outage_views(uow, outages) for item in view.compensations
         if item.status is CompensationStatus.AWAITING_APPROVAL),
        key=lambda item: item.id,
    )

