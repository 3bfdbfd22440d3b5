"""Delivering compensations: ledger credits, vouchers and apology notices, written in batches.

Whatever the number of sessions, one call issues a fixed number of statements: one to check
new voucher codes, one to reserve the notices' ids, then one driver-level ``executemany`` per
table (``store.bulk``). Every automatic write carries a deterministic idempotency key under a
UNIQUE constraint, so nothing is ever credited twice.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select

from compensator.domain import vouchers
from compensator.domain.darkness import ended_in_the_dark
from compensator.domain.figures import CompensationFigures
from compensator.domain.kinds import CompensationForm, EntryKind, ScopeKind
from compensator.domain.ledger import balance
from compensator.domain.money import value_minor
from compensator.domain.policy import choose_form, time_delivery
from compensator.domain.records import record
from compensator.domain.venue_day import next_closing
from compensator.notices.compose import NoticeComposer, NoticeFacts
from compensator.notices.letters import CutFacts, LetterFacts, compose_topup
from compensator.notices.wording import NoticeCatalog
from compensator.services.sessions.views import LoadedSession
from compensator.store.bulk import insert_tuples, reserve_ids
from compensator.store.database import UnitOfWork
from compensator.store.models import CompensationAdjustment, LedgerEntry, Notice, NoticeDelivery, Outage, Voucher

# The columns each delivery writes, in the order its rows are built below.
ENTRY_COLUMNS = ("seat_session_id", "kind", "minutes", "value_minor", "created_at", "actor", "compensation_id",
                 "idempotency_key", "note")
VOUCHER_COLUMNS = ("code", "minutes", "expires_at", "created_at", "compensation_id", "idempotency_key",
                   "price_minor_per_hour")
NOTICE_COLUMNS = ("id", "compensation_id", "adjustment_id", "language", "text", "created_at")


@record
class CreditOrder:
    """Minutes to deliver for one compensation: its first credit, or a top-up after a correction.

    ``form`` and ``paid_end`` are the form of the credit and the session's paid end before it,
    and ``left_while_dark`` whether the customer ended the session in the dark, when the caller
    already worked them out at this instant (the policy does); otherwise they are worked out
    from the session now.
    """

    compensation_id: int
    seat_id: str
    figures: CompensationFigures
    session: LoadedSession
    minutes: int
    topup: bool = False
    revision_id: int | None = None
    form: CompensationForm | None = None
    paid_end: datetime | None = None
    left_while_dark: bool | None = None
    # The correction's adjustment a top-up comes from.
    adjustment: CompensationAdjustment | None = None

    @property
    def key(self) -> str:
        """The deterministic idempotency key of what this order writes."""
        suffix = f"topup:{self.revision_id}" if self.topup else "credit"
        return f"compensation:{self.compensation_id}:{suffix}"

    def customer_left_while_dark(self) -> bool:
        """Whether the customer ended the session while the seat was dark, as the policy saw it if it did."""
        if self.left_while_dark is not None:
            return self.left_while_dark
        return ended_in_the_dark(self.session.facts.mode, self.session.facts.ended_at,
                                 self.figures.dark_start, self.figures.dark_end)


@dataclass(frozen=True, slots=True)
class Delivered:
    """What ``apply_credits`` delivered, by compensation id: the form, any voucher codes and the new notice's id."""

    forms: dict[int, CompensationForm]
    voucher_codes: dict[int, tuple[str, ...]]
    notice_ids: dict[int, int]


@functools.lru_cache(maxsize=8)
def notice_catalog(default_language: str, override_directory: str | None) -> NoticeCatalog:
    """The notice wording for a venue, read once per process."""
    return NoticeCatalog.load(default_language, override_directory)


def catalog_for(uow: UnitOfWork) -> NoticeCatalog:
    """The notice wording configured for the unit of work's venue."""
    settings = uow.settings
    return notice_catalog(settings.venue.default_language, settings.notices.templates_directory)


def _handed_over(uow: UnitOfWork, compensation_ids: list[int]) -> set[int]:
    """Those of the compensations whose first letter was handed over (shown, printed or declined)."""
    if not compensation_ids:
        return set()
    return set(uow.db.scalars(select(Notice.compensation_id).where(
        Notice.compensation_id.in_(compensation_ids), Notice.adjustment_id.is_(None),
        exists().where(NoticeDelivery.notice_id == Notice.id))))


def _unique_codes(uow: UnitOfWork, count: int) -> list[str]:
    codes: list[str] = []
    while len(codes) < count:
        batch = {vouchers.new_code() for _ in range(count - len(codes))} - set(codes)
        taken = set(uow.db.scalars(select(Voucher.code).where(Voucher.code.in_(batch))))
        codes.extend(sorted(batch - taken))
    return codes


def apply_credits(uow: UnitOfWork, orders: list[CreditOrder], *, outage: Outage,
                  actor: str) -> Delivered:
    """Write the credit entries, vouchers and notices for ``orders``; say what was delivered."""
    if not orders:
        return Delivered({}, {}, {})
    now = uow.now()
    settings = uow.settings
    decided: list[tuple[CreditOrder, CompensationForm, datetime | None]] = []
    for order in orders:
        if order.form is not None:
            decided.append((order, order.form, order.paid_end))
        else:
            position = balance(order.session.facts, now)
            decided.append((order, choose_form(order.session.facts.mode, position.state), position.paid_end))
    closing = next_closing(now, settings.venue.tz, settings.venue.closing_time)
    valid_days = settings.policy.voucher_valid_days
    # A time credit is usable until closing time: the minutes past it come as a voucher (rule 8, amended).
    past_closing = {order.compensation_id: time_delivery(paid_end, order.minutes, closing, valid_days).voucher_minutes
                    for order, form, paid_end in decided if form is CompensationForm.TIME and paid_end is not None}
    wanted = sum(1 for order, form, _ in decided
                 if form is CompensationForm.VOUCHER or past_closing.get(order.compensation_id))
    codes = iter(_unique_codes(uow, wanted))
    expires_at = now + timedelta(days=valid_days)
    composer = NoticeComposer(catalog_for(uow))
    # A top-up after the first letter was handed over gets a short letter; one still pending is
    # worded afresh when shown, with the top-up in it.
    handed_over = _handed_over(uow, [order.compensation_id for order in orders if order.adjustment is not None])
    topup_notices: list[tuple[CreditOrder, CompensationForm, str | None, datetime | None]] = []
    entries: list[tuple[object, ...]] = []
    new_vouchers: list[tuple[object, ...]] = []
    notices: list[tuple[int, int | None, str, str]] = []
    forms: dict[int, CompensationForm] = {}
    codes_given: dict[int, tuple[str, ...]] = {}
    for order, form, paid_end in decided:
        forms[order.compensation_id] = form
        code: str | None = None
        new_end: datetime | None = None
        # A voucher's value in money is its minutes at this zone's price, kept wherever it is redeemed.
        price = settings.zone(settings.seat(order.seat_id).zone_id).price_minor_per_hour
        if form is CompensationForm.VOUCHER:
            code = next(codes)
            codes_given[order.compensation_id] = (code,)
            new_vouchers.append((code, order.minutes, expires_at, now, order.compensation_id, order.key, price))
        else:
            voucher_minutes = past_closing.get(order.compensation_id, 0)
            minutes = order.minutes - voucher_minutes
            if minutes:
                kind = EntryKind.OUTAGE_TOPUP if order.topup else EntryKind.OUTAGE_CREDIT
                entries.append((order.session.row.id, kind, minutes, value_minor(minutes, price), now, actor,
                                order.compensation_id, order.key, f"outage {outage.id}"))
            if voucher_minutes:
                code = next(codes)
                codes_given[order.compensation_id] = (code,)
                new_vouchers.append((code, voucher_minutes, expires_at, now, order.compensation_id, order.key, price))
            new_end = paid_end + timedelta(minutes=minutes) if paid_end else None
        if order.topup:
            if order.adjustment is not None and order.compensation_id in handed_over:
                topup_notices.append((order, form, code, new_end))
            continue
        left = order.customer_left_while_dark()
        voucher_minutes = past_closing.get(order.compensation_id, 0)
        language, text = composer.compose(order.session.row.language, NoticeFacts(
            venue_name=settings.venue.name, timezone=settings.venue.tz, currency=settings.venue.currency,
            customer_name=order.session.row.customer_name, kind=outage.kind, dark_start=order.figures.dark_start,
            dark_end=order.figures.dark_end, lost_minutes=order.figures.lost_minutes, credit_minutes=order.minutes,
            form=form, value_minor=order.figures.value_minor, new_end=new_end,
            voucher_code=vouchers.display(code) if code else None,
            voucher_expires_at=expires_at if code else None,
            left_while_dark=left, clock=settings.venue.clock, cut_start=outage.started_at, cut_end=outage.ended_at,
            ups_minutes=settings.seat_terms[order.seat_id].ups_minutes,
            left_at=order.session.facts.ended_at if left else None, carried_minutes=order.figures.carried_minutes,
            voucher_minutes=voucher_minutes, closing=closing if voucher_minutes else None,
            dark_basis=order.figures.dark_basis, seat_fault=outage.scope_kind == ScopeKind.SEATS))
        notices.append((order.compensation_id, None, language, text))
    if topup_notices:
        # The adjustments get their ids.
        uow.db.flush()
    for order, form, code, new_end in topup_notices:
        assert order.adjustment is not None
        language, text = compose_topup(catalog_for(uow), order.session.row.language, LetterFacts(
            venue_name=settings.venue.name, timezone=settings.venue.tz, customer_name=order.session.row.customer_name,
            cuts=(CutFacts(kind=outage.kind, dark_start=order.figures.dark_start, dark_end=order.figures.dark_end,
                           lost_minutes=order.figures.lost_minutes, credit_minutes=order.minutes, form=form,
                           voucher_code=vouchers.display(code) if code else None, cut_start=outage.started_at,
                           cut_end=outage.ended_at, seat_fault=outage.scope_kind == ScopeKind.SEATS),),
            new_end=new_end, voucher_expires_at=expires_at if code else None, clock=settings.venue.clock))
        notices.append((order.compensation_id, order.adjustment.id, language, text))
    # One executemany per table, whatever the number of rows; the notices' ids are reserved
    # first, so that the views of the compensations can give them without reading them back.
    reserved = reserve_ids(uow.db, Notice.__table__, len(notices))
    # The views of an outage's compensations name their first notice.
    notice_ids = {compensation_id: notice_id for (compensation_id, adjustment_id, _, _), notice_id
                  in zip(notices, reserved, strict=True) if adjustment_id is None}
    insert_tuples(uow.db, LedgerEntry.__table__, ENTRY_COLUMNS, entries)
    insert_tuples(uow.db, Voucher.__table__, VOUCHER_COLUMNS, new_vouchers)
    insert_tuples(uow.db, Notice.__table__, NOTICE_COLUMNS,
                  [(notice_id, compensation_id, adjustment_id, language, text, now)
                   for notice_id, (compensation_id, adjustment_id, language, text) in zip(reserved, notices,
                                                                                       strict=True)])
    return Delivered(forms, codes_given, notice_ids)
