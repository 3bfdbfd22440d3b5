"""Letters: the notices a customer takes home together, handed over as one.

A letter is every pending notice of one seat session: one screen, one receipt listing each cut
and the total, and delivering it delivers each of its notices in one transaction. A notice
already delivered is a letter of its own, shown as it was written.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from compensator.domain import vouchers
from compensator.domain.darkness import ended_in_the_dark
from compensator.domain.kinds import CompensationForm, SessionState
from compensator.notices.letters import CutFacts, LetterFacts, compose_letter
from compensator.services.handover.notices import NoticeView, get_notice, list_notices, notice_views, record_delivery
from compensator.services.outages.credits import catalog_for
from compensator.services.sessions.views import get_session
from compensator.store.database import UnitOfWork
from compensator.store.models import Compensation, Notice, Outage, Voucher


@dataclass(frozen=True, slots=True)
class LetterView:
    """The notices handed over together, oldest first, with the one text the customer reads."""

    notices: tuple[NoticeView, ...]
    language: str
    text: str
    # Each voucher of the letter in its printed form, in the order of the cuts.
    voucher_codes: tuple[str, ...]

    @property
    def first(self) -> NoticeView:
        """The letter's oldest notice: its address on the dashboard."""
        return self.notices[0]

    @property
    def seat_id(self) -> str:
        """The seat of the latest cut: where the customer is, or last was."""
        return self.notices[-1].seat_id

    @property
    def status(self) -> str:
        """``pending`` until handed over, then how the letter was delivered."""
        return self.notices[-1].status

    @property
    def credit_minutes(self) -> int:
        """The minutes the letter gives back, every cut together."""
        return sum(notice.credit_minutes for notice in self.notices)


@dataclass(frozen=True, slots=True)
class PendingLetter:
    """A letter waiting to be handed over, as listed on the dashboard (its text is not composed)."""

    notice_ids: tuple[int, ...]
    session_id: int
    seat_id: str
    credit_minutes: int
    forms: tuple[CompensationForm, ...]

    @property
    def first_notice_id(self) -> int:
        """The letter's oldest notice: its address on the dashboard."""
        return self.notice_ids[0]


def pending_letters(uow: UnitOfWork) -> list[PendingLetter]:
    """Every pending notice grouped by session, the letter waiting longest first."""
    grouped: dict[int, list[NoticeView]] = defaultdict(list)
    for notice in sorted(list_notices(uow, status="pending"), key=lambda notice: notice.id):
        grouped[notice.session_id].append(notice)
    return [PendingLetter(tuple(notice.id for notice in group), session_id, group[-1].seat_id,
                          sum(notice.credit_minutes for notice in group), tuple(notice.form for notice in group))
            for session_id, group in grouped.items()]


def letter_for(uow: UnitOfWork, notice_id: object) -> LetterView:
    """The letter a notice belongs to: every pending notice of its session, or the notice alone once delivered."""
    notice = get_notice(uow, notice_id)
    if notice.status != "pending":
        return single(notice)
    notices = _pending_of_session(uow, notice.session_id)
    if len(notices) == 1:
        return single(notices[0])
    return _composed(uow, notices)


def deliver_letter(uow: UnitOfWork, notice_id: object, *, how: object, feedback: object = None,
                   actor: str) -> LetterView:
    """Record that a letter was shown, printed or declined: each of its notices, in one transaction."""
    letter = letter_for(uow, notice_id)
    for notice in letter.notices:
        record_delivery(uow, notice, how=how, feedback=feedback, actor=actor)
    uow.db.flush()
    delivered = notice_views(uow, [notice.id for notice in letter.notices])
    uow.commit()
    return LetterView(tuple(delivered), letter.language, letter.text, letter.voucher_codes)


def single(notice: NoticeView) -> LetterView:
    """A notice as a letter of its own, worded as it was written."""
    codes = (vouchers.display(notice.voucher_code),) if notice.voucher_code else ()
    return LetterView((notice,), notice.language, notice.text, codes)


def _pending_of_session(uow: UnitOfWork, session_id: int) -> list[NoticeView]:
    ids = list(uow.db.scalars(select(Notice.id).join(Compensation, Compensation.id == Notice.compensation_id)
                              .where(Compensation.seat_session_id == session_id).order_by(Notice.id)))
    return [notice for notice in notice_views(uow, ids) if notice.status == "pending"]


def _composed(uow: UnitOfWork, notices: list[NoticeView]) -> LetterView:
    """The one letter over several cuts, worded from what each compensation stores."""
    settings = uow.settings
    session = get_session(uow, notices[0].session_id)
    rows = uow.db.execute(
        select(Compensation, Outage.kind).join(Outage, Outage.id == Compensation.outage_id)
        .where(Compensation.id.in_([notice.compensation_id for notice in notices]))).tuples().all()
    compensations = {compensation.id: (compensation, kind) for compensation, kind in rows}
    expiries = list(uow.db.scalars(select(Voucher.expires_at).where(
        Voucher.compensation_id.in_(list(compensations)))))
    cuts = []
    for notice in notices:
        compensation, kind = compensations[notice.compensation_id]
        code = vouchers.display(notice.voucher_code) if notice.voucher_code else None
        left = ended_in_the_dark(session.mode, session.ended_at, compensation.dark_start, compensation.dark_end)
        cuts.append(CutFacts(kind=kind, dark_start=compensation.dark_start, dark_end=compensation.dark_end,
                             lost_minutes=compensation.lost_minutes, credit_minutes=notice.credit_minutes,
                             form=notice.form, voucher_code=code, left_while_dark=left))
    time_added = any(notice.form is CompensationForm.TIME for notice in notices)
    running = session.state is SessionState.RUNNING
    language, text = compose_letter(catalog_for(uow), notices[0].language, LetterFacts(
        venue_name=settings.venue.name, timezone=settings.venue.tz, customer_name=session.customer_name,
        cuts=tuple(cuts), new_end=session.paid_end if time_added and running else None,
        # The soonest expiry: a customer told that date loses none of the vouchers.
        voucher_expires_at=min(expiries) if expiries else None, clock=settings.venue.clock))
    return LetterView(tuple(notices), language, text, tuple(cut.voucher_code for cut in cuts if cut.voucher_code))
