"""Letters: the notices a customer takes home together, handed over as one, always worded as things stand now.

A letter is every pending notice of one seat session: one screen, one receipt listing each cut
and the total, and delivering it delivers each of its notices in one transaction. A letter is
composed when it is shown or printed, from the figures as they stand after any correction, so
a pending letter never shows an old credit or end time; a letter already handed over reopens
(or reprints) whole, with the notices handed over with it. A correction that adds minutes once
the letter was handed over makes a short letter of its own (a notice of that adjustment).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from compensator.domain import vouchers
from compensator.domain.darkness import ended_in_the_dark
from compensator.domain.figures import CompensationFigures
from compensator.domain.kinds import CompensationForm, OutageKind, ScopeKind, SessionState
from compensator.domain.venue_day import next_closing
from compensator.notices.compose import NoticeComposer, NoticeFacts
from compensator.notices.letters import CutFacts, LetterFacts, codes_told, compose_letter, compose_topup
from compensator.services.handover.notices import NoticeView, get_notice, list_notices, notice_views, record_delivery
from compensator.services.outages.credits import catalog_for
from compensator.services.outages.views import adjustments_of
from compensator.services.sessions.views import SeatSessionView, get_session
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
    # The short letter of a correction after hand-over.
    topup: bool = False

    @property
    def first_notice_id(self) -> int:
        """The letter's oldest notice: its address on the dashboard."""
        return self.notice_ids[0]


def pending_letters(uow: UnitOfWork) -> list[PendingLetter]:
    """Every pending notice grouped by session (a correction's short letter apart), the one waiting longest first."""
    grouped: dict[tuple[int, bool], list[NoticeView]] = defaultdict(list)
    waiting = sorted(list_notices(uow, status="pending"), key=lambda notice: notice.id)
    for notice in waiting:
        grouped[notice.session_id, notice.adjustment_id is not None].append(notice)
    given = _given_forms(uow, waiting)
    return [PendingLetter(tuple(notice.id for notice in group), session_id, group[-1].seat_id,
                          sum(notice.credit_minutes for notice in group),
                          tuple(form for notice in group for form in given[notice.id]), topup)
            for (session_id, topup), group in grouped.items()]


def _given_forms(uow: UnitOfWork, notices: list[NoticeView]) -> dict[int, tuple[CompensationForm, ...]]:
    """Each waiting notice's credit in the forms it was given: a time credit past closing, or a top-up
    on a paid bill, came (in part or whole) as a voucher."""
    by_compensation: dict[int, int] = defaultdict(int)
    by_code: dict[str, int] = {}
    for compensation_id, code, minutes in uow.db.execute(
            select(Voucher.compensation_id, Voucher.code, Voucher.minutes)
            .where(Voucher.compensation_id.in_({notice.compensation_id for notice in notices}))).tuples():
        assert compensation_id is not None
        by_compensation[compensation_id] += minutes
        by_code[code] = minutes
    forms: dict[int, tuple[CompensationForm, ...]] = {}
    for notice in notices:
        if notice.form not in _MAY_END_AS_VOUCHER or notice.voucher_code is None:
            forms[notice.id] = (notice.form,)
            continue
        # A waiting first notice holds every voucher of its credit; a top-up's short letter its own.
        minutes = (by_code.get(notice.voucher_code, 0) if notice.adjustment_id is not None
                   else by_compensation[notice.compensation_id])
        forms[notice.id] = ((CompensationForm.VOUCHER,) if minutes >= notice.credit_minutes
                            else (notice.form, CompensationForm.VOUCHER))
    return forms


def letter_for(uow: UnitOfWork, notice_id: object) -> LetterView:
    """The letter a notice belongs to, worded as things stand now.

    A pending notice's letter is every pending notice of its session (a correction's short
    letter apart); a delivered notice's is the notices handed over with it.
    """
    notice = get_notice(uow, notice_id)
    session_notices = _of_session(uow, notice.session_id)
    topup = notice.adjustment_id is not None
    if notice.status == "pending":
        group = [item for item in session_notices
                 if item.status == "pending" and (item.adjustment_id is not None) == topup]
    else:
        handed_over = notice.deliveries[0].at
        group = [item for item in session_notices if item.deliveries and item.deliveries[0].at == handed_over
                 and (item.adjustment_id is not None) == topup]
    return _composed(uow, group or [notice], session_notices)


def deliver_letter(uow: UnitOfWork, notice_id: object, *, how: object, feedback: object = None,
                   actor: str) -> LetterView:
    """Record that a letter was shown, printed or declined: each of its notices, in one transaction."""
    letter = letter_for(uow, notice_id)
    # One moment for the whole letter: it is how a reopened letter finds the notices handed over with it.
    handed_over = uow.now()
    for notice in letter.notices:
        record_delivery(uow, notice, how=how, feedback=feedback, actor=actor, at=handed_over)
    uow.db.flush()
    delivered = notice_views(uow, [notice.id for notice in letter.notices])
    uow.commit()
    return replace(letter, notices=tuple(delivered))


def _of_session(uow: UnitOfWork, session_id: int) -> list[NoticeView]:
    ids = list(uow.db.scalars(select(Notice.id).join(Compensation, Compensation.id == Notice.compensation_id)
                              .where(Compensation.seat_session_id == session_id).order_by(Notice.id)))
    return notice_views(uow, ids)


@dataclass(frozen=True, slots=True)
class _Cut:
    """One notice's cut as it stands now, and the vouchers its credit came with."""

    cut: CutFacts
    figures: CompensationFigures
    codes: tuple[str, ...]
    expires_at: datetime | None


def single(uow: UnitOfWork, notice: NoticeView) -> LetterView:
    """A notice as a letter of its own, worded as things stand now."""
    return _composed(uow, [notice], _of_session(uow, notice.session_id))


def _composed(uow: UnitOfWork, notices: list[NoticeView], session_notices: list[NoticeView]) -> LetterView:
    """The letter of ``notices`` (one session's, among ``session_notices``), worded from what each
    compensation holds now."""
    settings = uow.settings
    venue = settings.venue
    session = get_session(uow, notices[0].session_id)
    cuts = _cuts(uow, notices, session, session_notices)
    catalog = catalog_for(uow)
    language = notices[0].language
    time_added = any(notice.form is CompensationForm.TIME for notice in notices)
    new_end = session.paid_end if time_added and session.state is SessionState.RUNNING else None
    closing = next_closing(session.as_of, venue.tz, venue.closing_time)
    # No letter promises time after closing: a session sold past it runs until closing time.
    until_closing = closing if new_end is not None and new_end > closing else None
    expiries = [item.expires_at for item in cuts if item.expires_at is not None]
    letter = LetterFacts(venue_name=venue.name, timezone=venue.tz, customer_name=session.customer_name,
                         cuts=tuple(item.cut for item in cuts), new_end=new_end,
                         voucher_expires_at=min(expiries) if expiries else None, clock=venue.clock,
                         closing=until_closing)
    codes = tuple(code for item in cuts for code in item.codes)
    if notices[0].adjustment_id is not None and len(notices) == 1:
        chosen, text = compose_topup(catalog, language, letter)
    elif len(notices) == 1:
        (item,) = cuts
        cut = item.cut
        chosen, text = NoticeComposer(catalog).compose(language, NoticeFacts(
            venue_name=venue.name, timezone=venue.tz, currency=venue.currency, customer_name=session.customer_name,
            kind=cut.kind, dark_start=cut.dark_start, dark_end=cut.dark_end, lost_minutes=cut.lost_minutes,
            credit_minutes=cut.credit_minutes, form=cut.form, value_minor=item.figures.value_minor,
            new_end=until_closing or new_end,
            voucher_code=codes_told(catalog, catalog.resolve_language(language), cut.vouchers) or cut.voucher_code,
            voucher_expires_at=item.expires_at,
            left_while_dark=cut.left_while_dark, clock=venue.clock, cut_start=cut.cut_start, cut_end=cut.cut_end,
            ups_minutes=settings.seat_terms[notices[0].seat_id].ups_minutes
            if notices[0].seat_id in settings.seat_terms else 0,
            left_at=cut.left_at, carried_minutes=cut.carried_minutes, voucher_minutes=cut.voucher_minutes,
            closing=closing if cut.voucher_minutes else None, dark_basis=item.figures.dark_basis,
            seat_fault=cut.seat_fault))
    else:
        chosen, text = compose_letter(catalog, language, letter)
    return LetterView(tuple(notices), chosen, text, codes)


# Credits whose minutes (or some of them) become a voucher when the session or the bill is closed.
_MAY_END_AS_VOUCHER = (CompensationForm.TIME, CompensationForm.BILL_REDUCTION)


def _cuts(uow: UnitOfWork, notices: list[NoticeView], session: SeatSessionView,
          session_notices: list[NoticeView]) -> list[_Cut]:
    """Each notice's cut, with the compensation's figures as they stand after any correction.

    A first notice gives what the compensation granted, but for the top-ups that have short
    letters of their own; a top-up's notice gives that top-up, with its voucher if it had one.
    """
    topup_notices: dict[int, list[NoticeView]] = defaultdict(list)
    for item in session_notices:
        if item.adjustment_id is not None:
            topup_notices[item.compensation_id].append(item)
    compensation_ids = [notice.compensation_id for notice in notices]
    rows = {compensation.id: (compensation, outage) for compensation, outage in uow.db.execute(
        select(Compensation, Outage).join(Outage, Outage.id == Compensation.outage_id)
        .where(Compensation.id.in_(compensation_ids))).tuples()}
    adjusted = adjustments_of(uow, compensation_ids)
    found_vouchers: dict[int, list[Voucher]] = defaultdict(list)
    for voucher in uow.db.scalars(select(Voucher).where(Voucher.compensation_id.in_(compensation_ids))
                                  .order_by(Voucher.id)):
        assert voucher.compensation_id is not None
        found_vouchers[voucher.compensation_id].append(voucher)
    cuts = []
    for notice in notices:
        compensation, outage = rows[notice.compensation_id]
        figures = adjusted[compensation.id][-1].figures if compensation.id in adjusted else CompensationFigures(
            **{name: getattr(compensation, name) for name in CompensationFigures.names()})
        if notice.adjustment_id is not None:
            credit = notice.credit_minutes
            own = [voucher for voucher in found_vouchers[compensation.id] if voucher.code == notice.voucher_code]
        else:
            separate = topup_notices[compensation.id]
            credit = notice.credit_minutes - sum(item.credit_minutes for item in separate)
            apart = {item.voucher_code for item in separate}
            own = [voucher for voucher in found_vouchers[compensation.id] if voucher.code not in apart]
        left = ended_in_the_dark(session.mode, session.ended_at, figures.dark_start, figures.dark_end)
        voucher_minutes = sum(voucher.minutes for voucher in own)
        cuts.append(_Cut(CutFacts(
            kind=OutageKind(outage.kind), dark_start=figures.dark_start, dark_end=figures.dark_end,
            lost_minutes=figures.lost_minutes, credit_minutes=credit, form=compensation.form,
            voucher_code=vouchers.display(own[0].code) if own else None, left_while_dark=left,
            cut_start=outage.started_at, cut_end=outage.ended_at, left_at=session.ended_at if left else None,
            voucher_minutes=voucher_minutes if compensation.form in _MAY_END_AS_VOUCHER else 0,
            carried_minutes=figures.carried_minutes if notice.adjustment_id is None else 0,
            vouchers=tuple((vouchers.display(voucher.code), voucher.minutes) for voucher in own),
            seat_fault=outage.scope_kind == ScopeKind.SEATS),
            figures, tuple(vouchers.display(voucher.code) for voucher in own),
            own[0].expires_at if own else None))
    return cuts
