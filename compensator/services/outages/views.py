"""Reading outages: an outage with its compensations, lists of them, and credits awaiting approval.

Compensations are read as plain column rows, not ORM objects (a venue-wide outage has hundreds
of them), with their notices and voucher codes, in a fixed number of statements.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, select

from compensator.domain.figures import CompensationFigures
from compensator.domain.kinds import (
    CompensationStatus,
    OutageKind,
    OutageSource,
    OutageStatus,
    RevisionAction,
    ScopeKind,
)
from compensator.domain.records import record
from compensator.errors import NotFound, require_id
from compensator.store.conditions import outage_overlaps
from compensator.store.database import UnitOfWork
from compensator.store.models import (
    Compensation,
    CompensationAdjustment,
    Notice,
    Outage,
    OutageRevision,
    SeatSession,
    Voucher,
)


@dataclass(frozen=True, slots=True)
class AdjustmentView:
    """A recomputation after a correction: its figures, what it gave or waived, and its own explanation."""

    at: datetime
    figures: CompensationFigures
    policy_fingerprint: str
    previous_credit_minutes: int
    topup_minutes: int
    waived_minutes: int
    explanation: str


@record
class CompensationView:
    """One compensation: its first figures and explanation, then each adjustment in order."""

    id: int
    outage_id: int
    session_id: int
    seat_id: str
    figures: CompensationFigures
    granted_minutes: int
    status: CompensationStatus
    explanation: str
    policy_fingerprint: str
    created_at: datetime
    applied_at: datetime | None
    approved_by: str | None
    notice_id: int | None
    voucher_codes: tuple[str, ...]
    adjustments: tuple[AdjustmentView, ...] = ()

    @property
    def current(self) -> CompensationFigures:
        """The figures as they stand: the newest adjustment's, or the first ones."""
        return self.adjustments[-1].figures if self.adjustments else self.figures

    @property
    def waived_minutes(self) -> int:
        """Minutes given that a correction no longer owes, and that were not taken back."""
        if self.status is not CompensationStatus.APPLIED:
            return 0
        return max(self.granted_minutes - self.current.credit_minutes, 0)


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
    # How many times its times were corrected.
    corrections: int
    compensations: tuple[CompensationView, ...]
    created: bool = False
    # How many times mains came back for less than a UPS's merge and went off again within it.
    flaps: int = 0
    # Why a suspected outage was dismissed, as the person who dismissed it wrote it (None if no reason was given).
    dismissal_reason: str | None = None


FIGURE_NAMES = CompensationFigures.names()
COMPENSATION_COLUMNS = (
    Compensation.outage_id, Compensation.id, Compensation.seat_session_id, Compensation.seat_id,
    *(getattr(Compensation, name) for name in FIGURE_NAMES), Compensation.granted_minutes, Compensation.status,
    Compensation.explanation, Compensation.policy_fingerprint, Compensation.created_at, Compensation.applied_at,
    Compensation.approved_by,
)
ADJUSTMENT_COLUMNS = (
    CompensationAdjustment.compensation_id, CompensationAdjustment.at,
    *(getattr(CompensationAdjustment, name) for name in FIGURE_NAMES), CompensationAdjustment.policy_fingerprint,
    CompensationAdjustment.previous_credit_minutes, CompensationAdjustment.topup_minutes,
    CompensationAdjustment.waived_minutes, CompensationAdjustment.explanation,
)


def adjustments_of(uow: UnitOfWork,
                   compensation_ids: Select[tuple[int]] | list[int]) -> dict[int, list[AdjustmentView]]:
    """The adjustments of the compensations ``compensation_ids`` selects, oldest first, in one statement."""
    found: dict[int, list[AdjustmentView]] = defaultdict(list)
    count = len(FIGURE_NAMES)
    for compensation_id, at, *values in uow.db.execute(
            select(*ADJUSTMENT_COLUMNS).where(CompensationAdjustment.compensation_id.in_(compensation_ids))
            .order_by(CompensationAdjustment.id)).tuples():
        fingerprint, previous, topup, waived, explanation = values[count:]
        found[compensation_id].append(AdjustmentView(at, CompensationFigures.from_values(values[:count]), fingerprint,
                                                     previous, topup, waived, explanation))
    return found


# A row for each correction of the outages ``ids`` (built once: every outage answer runs it).
CORRECTED = select(OutageRevision.outage_id).where(
    OutageRevision.outage_id.in_(bindparam("ids", expanding=True)), OutageRevision.action == RevisionAction.CORRECT)
DISMISSED = select(OutageRevision.outage_id, OutageRevision.reason).where(
    OutageRevision.outage_id.in_(bindparam("ids", expanding=True)), OutageRevision.action == RevisionAction.DISMISS
).order_by(OutageRevision.id)


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
    adjustments: dict[int, list[AdjustmentView]] = {}
    if rows:
        # Joined on the outage rather than listing every compensation id.
        notices = dict(uow.db.execute(
            select(Notice.compensation_id, Notice.id).join(Compensation, Compensation.id == Notice.compensation_id)
            .where(Compensation.outage_id.in_(ids), Notice.adjustment_id.is_(None))
        ).tuples().all())
        for compensation_id, code in uow.db.execute(
            select(Voucher.compensation_id, Voucher.code).join(Compensation, Compensation.id == Voucher.compensation_id)
            .where(Compensation.outage_id.in_(ids)).order_by(Voucher.id)
        ).tuples():
            assert compensation_id is not None, "the join keeps only the vouchers of a compensation"
            codes[compensation_id].append(code)
        adjustments = adjustments_of(uow, select(Compensation.id).where(Compensation.outage_id.in_(ids)))
    compensations: dict[int, list[CompensationView]] = defaultdict(list)
    count = len(FIGURE_NAMES)
    for outage_id, compensation_id, session_id, seat_id, *values in rows:
        granted, status, explanation, fingerprint, created_at, applied_at, approved_by = values[count:]
        compensations[outage_id].append(CompensationView(
            id=compensation_id, outage_id=outage_id, session_id=session_id, seat_id=seat_id,
            figures=CompensationFigures.from_values(values[:count]), granted_minutes=granted, status=status,
            explanation=explanation,
            policy_fingerprint=fingerprint, created_at=created_at, applied_at=applied_at, approved_by=approved_by,
            notice_id=notices.get(compensation_id), voucher_codes=tuple(codes[compensation_id]),
            adjustments=tuple(adjustments.get(compensation_id, ()))))
    if known is not None:
        assert len(outages) == 1
        compensations[outages[0].id] = list(known)
    corrections: dict[int, int] = defaultdict(int)
    for outage_id in uow.db.scalars(CORRECTED, {"ids": ids}):
        corrections[outage_id] += 1
    dismissed = [outage.id for outage in outages if outage.status is OutageStatus.DISMISSED]
    reasons = dict(uow.db.execute(DISMISSED, {"ids": dismissed}).tuples().all()) if dismissed else {}
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
            corrections=corrections[outage.id],
            compensations=tuple(compensations[outage.id]),
            flaps=outage.flaps,
            dismissal_reason=reasons.get(outage.id),
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
    query = select(Outage).where(outage_overlaps(start, end)).order_by(Outage.started_at, Outage.id)
    if statuses:
        query = query.where(Outage.status.in_(statuses))
    return outage_views(uow, list(uow.db.scalars(query)))


def open_outages(uow: UnitOfWork) -> list[OutageView]:
    """The outages still suspected or ongoing."""
    return list_outages(uow, statuses=(OutageStatus.SUSPECTED, OutageStatus.ONGOING))


@dataclass(frozen=True, slots=True)
class WaitingCredit:
    """A credit waiting for a manager, as the counter sees it: whose it is and how many minutes it stands at."""

    compensation_id: int
    seat_id: str
    customer_name: str | None
    credit_minutes: int


def waiting_credits(uow: UnitOfWork) -> list[WaitingCredit]:
    """The credits waiting for a manager, oldest first, in two statements (read at every refresh of the board)."""
    rows = uow.db.execute(
        select(Compensation.id, Compensation.seat_id, SeatSession.customer_name, Compensation.credit_minutes)
        .join(SeatSession, SeatSession.id == Compensation.seat_session_id)
        .where(Compensation.status == CompensationStatus.AWAITING_APPROVAL).order_by(Compensation.id)).tuples().all()
    if not rows:
        return []
    adjusted = adjustments_of(uow, [row[0] for row in rows])
    return [WaitingCredit(compensation_id, seat_id, customer_name,
                          adjusted[compensation_id][-1].figures.credit_minutes if compensation_id in adjusted
                          else credit_minutes)
            for compensation_id, seat_id, customer_name, credit_minutes in rows]


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

