"""Apology notices: the queue of notices to hand over, one notice, and its delivery record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select

from compensator.domain.kinds import CompensationForm, Delivery, Feedback
from compensator.errors import InvalidInput, NotFound, require_id
from compensator.services import audit, parsing
from compensator.store.database import UnitOfWork
from compensator.store.models import Compensation, CompensationAdjustment, Notice, NoticeDelivery, Voucher


@dataclass(frozen=True, slots=True)
class DeliveryView:
    """One delivery record of a notice."""

    how: Delivery
    feedback: Feedback | None
    actor: str
    at: datetime


@dataclass(frozen=True, slots=True)
class NoticeView:
    """A notice with what it concerns and how it was delivered."""

    id: int
    compensation_id: int
    outage_id: int
    session_id: int
    seat_id: str
    language: str
    text: str
    created_at: datetime
    credit_minutes: int
    form: CompensationForm
    voucher_code: str | None
    deliveries: tuple[DeliveryView, ...]
    # Set for the short letter of a correction that added minutes after the first was handed over.
    adjustment_id: int | None = None

    @property
    def feedback(self) -> Feedback | None:
        """The customer's last reaction, kept through later markings."""
        return next((item.feedback for item in reversed(self.deliveries) if item.feedback is not None), None)

    @property
    def status(self) -> str:
        """``pending`` until delivered, then how it was last delivered."""
        return self.deliveries[-1].how.value if self.deliveries else "pending"


def _views(uow: UnitOfWork, notices: list[Notice]) -> list[NoticeView]:
    if not notices:
        return []
    compensation_ids = [notice.compensation_id for notice in notices]
    compensations = {row.id: row for row in uow.db.scalars(
        select(Compensation).where(Compensation.id.in_(compensation_ids)))}
    # The first credit's voucher, and each top-up's by its key (``credits.CreditOrder.key``).
    codes: dict[int, str] = {}
    keyed: dict[str, str] = {}
    for compensation_id, code, key in uow.db.execute(
            select(Voucher.compensation_id, Voucher.code, Voucher.idempotency_key)
            .where(Voucher.compensation_id.in_(compensation_ids)).order_by(Voucher.id.desc())):
        codes[compensation_id] = code
        if key:
            keyed[key] = code
    topups = {adjustment_id: (minutes, revision_id) for adjustment_id, minutes, revision_id in uow.db.execute(
        select(CompensationAdjustment.id, CompensationAdjustment.topup_minutes, CompensationAdjustment.revision_id)
        .where(CompensationAdjustment.id.in_([notice.adjustment_id for notice in notices
                                              if notice.adjustment_id is not None])))}
    deliveries: dict[int, list[DeliveryView]] = {notice.id: [] for notice in notices}
    for row in uow.db.scalars(select(NoticeDelivery).where(
            NoticeDelivery.notice_id.in_(list(deliveries))).order_by(NoticeDelivery.id)):
        deliveries[row.notice_id].append(DeliveryView(row.how, row.feedback, row.actor, row.at))
    views = []
    for notice in notices:
        compensation = compensations[notice.compensation_id]
        credit, code = compensation.granted_minutes, codes.get(compensation.id)
        if notice.adjustment_id is not None:
            credit, revision_id = topups[notice.adjustment_id]
            code = keyed.get(f"compensation:{compensation.id}:topup:{revision_id}")
        views.append(NoticeView(
            id=notice.id, compensation_id=compensation.id, outage_id=compensation.outage_id,
            session_id=compensation.seat_session_id, seat_id=compensation.seat_id, language=notice.language,
            text=notice.text, created_at=notice.created_at, credit_minutes=credit,
            form=compensation.form, voucher_code=code,
            deliveries=tuple(deliveries[notice.id]), adjustment_id=notice.adjustment_id))
    return views


def list_notices(uow: UnitOfWork, *, status: str | None = None, limit: int | None = None,
                 before: int | None = None) -> list[NoticeView]:
    """Notices, newest first: ``status="pending"`` keeps those not delivered yet, ``shown``,
    ``printed`` or ``declined`` those last delivered so; ``limit`` of them with ids below ``before``."""
    if status not in (None, "pending", *(item.value for item in Delivery)):
        raise InvalidInput("status must be pending, shown, printed or declined", field="status")
    query = select(Notice).order_by(Notice.id.desc())
    if status == "pending":
        query = query.where(~exists().where(NoticeDelivery.notice_id == Notice.id))
    elif status is not None:
        latest = (select(NoticeDelivery.how).where(NoticeDelivery.notice_id == Notice.id)
                  .order_by(NoticeDelivery.id.desc()).limit(1).scalar_subquery())
        query = query.where(latest == Delivery(status))
    if before is not None:
        query = query.where(Notice.id < before)
    if limit is not None:
        query = query.limit(limit)
    return _views(uow, list(uow.db.scalars(query)))


def get_notice(uow: UnitOfWork, notice_id: object) -> NoticeView:
    """One notice."""
    notice = uow.db.get(Notice, require_id(notice_id, "notice"))
    if notice is None:
        raise NotFound(f"unknown notice {notice_id}", field="notice")
    return _views(uow, [notice])[0]


def notice_views(uow: UnitOfWork, notice_ids: list[int]) -> list[NoticeView]:
    """The notices with these ids, oldest first; unknown ids are left out."""
    if not notice_ids:
        return []
    return _views(uow, list(uow.db.scalars(select(Notice).where(Notice.id.in_(notice_ids)).order_by(Notice.id))))


def record_delivery(uow: UnitOfWork, view: NoticeView, *, how: object, feedback: object = None,
                    actor: str, at: datetime | None = None) -> None:
    """Append how a notice was delivered, with the customer's reaction if given, without committing.

    ``at`` is the moment of a hand-over of several notices at once (a letter): one time for all.
    """
    delivery = parsing.choice(Delivery, how, field="how", message="how must be shown, printed or declined")
    reaction = None
    if feedback is not None:
        reaction = parsing.choice(Feedback, feedback, field="feedback",
                                  message="feedback must be happy, neutral or unhappy")
    elif delivery is not Delivery.DECLINED:
        # Marking a letter again (printed once more, shown again) keeps the customer's reaction.
        reaction = view.feedback
    uow.db.add(NoticeDelivery(notice_id=view.id, how=delivery, feedback=reaction, actor=actor,
                                 at=at or uow.now()))
    audit.record(uow, actor=actor, action="notice.deliver", target_type="notice", target_id=view.id,
                 before={"status": view.status},
                 after={"status": delivery.value, "feedback": reaction.value if reaction else None})


def deliver_notice(uow: UnitOfWork, notice_id: object, *, how: object, feedback: object = None,
                   actor: str) -> NoticeView:
    """Record that a notice was shown, printed or declined, with the customer's reaction if given."""
    view = get_notice(uow, notice_id)
    record_delivery(uow, view, how=how, feedback=feedback, actor=actor)
    uow.db.flush()
    result = get_notice(uow, view.id)
    uow.commit()
    return result
