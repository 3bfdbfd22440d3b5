"""Delivering compensations: ledger credits, vouchers and apology notices, written in batches.

Whatever the number of sessions, one call issues a fixed number of statements: one to check
new voucher codes, then one multi-row INSERT per table. Every automatic write carries a
deterministic idempotency key under a UNIQUE constraint, so nothing is ever credited twice.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from compensator.domain import vouchers
from compensator.domain.kinds import CompensationForm, EntryKind
from compensator.domain.ledger import balance
from compensator.domain.money import value_minor
from compensator.domain.policy import choose_form
from compensator.notices import NoticeCatalog, NoticeFacts, compose
from compensator.services.sessions import LoadedSession
from compensator.store.database import UnitOfWork
from compensator.store.models import Compensation, LedgerEntry, Notice, Outage, Voucher


@dataclass(frozen=True, slots=True)
class CreditOrder:
    """Minutes to deliver for one compensation: its first credit, or a top-up after a correction."""

    compensation: Compensation
    session: LoadedSession
    minutes: int
    topup: bool
    revision_id: int | None = None

    @property
    def key(self) -> str:
        """The deterministic idempotency key of what this order writes."""
        suffix = f"topup:{self.revision_id}" if self.topup else "credit"
        return f"compensation:{self.compensation.id}:{suffix}"


@functools.lru_cache(maxsize=8)
def notice_catalog(default_language: str, override_directory: str | None) -> NoticeCatalog:
    """The notice wording for a venue, read once per process."""
    return NoticeCatalog.load(default_language, override_directory)


def catalog_for(uow: UnitOfWork) -> NoticeCatalog:
    """The notice wording configured for the unit of work's venue."""
    settings = uow.settings
    return notice_catalog(settings.venue.default_language, settings.notices.templates_directory)


def _unique_codes(uow: UnitOfWork, count: int) -> list[str]:
    codes: list[str] = []
    while len(codes) < count:
        batch = {vouchers.new_code() for _ in range(count - len(codes))} - set(codes)
        taken = set(uow.db.scalars(select(Voucher.code).where(Voucher.code.in_(batch))))
        codes.extend(sorted(batch - taken))
    return codes


def apply_credits(uow: UnitOfWork, orders: list[CreditOrder], *, outage: Outage, actor: str) -> None:
    """Write the credit entries, vouchers and notices for ``orders``."""
    if not orders:
        return
    now = uow.now()
    settings = uow.settings
    positions = {id(order): balance(order.session.facts, now) for order in orders}
    forms = {id(order): choose_form(order.session.facts.mode, positions[id(order)].state) for order in orders}
    voucher_orders = [order for order in orders if forms[id(order)] is CompensationForm.VOUCHER]
    codes = iter(_unique_codes(uow, len(voucher_orders)))
    expires_at = now + timedelta(days=settings.policy.voucher_valid_days)
    catalog = catalog_for(uow)
    entries: list[dict[str, object]] = []
    new_vouchers: list[dict[str, object]] = []
    notices: list[dict[str, object]] = []
    for order in orders:
        form = forms[id(order)]
        row = order.compensation
        if not order.topup:
            row.form = form
        price = settings.zone(settings.seat(row.seat_id).zone_id).price_minor_per_hour
        code: str | None = None
        new_end: datetime | None = None
        if form is CompensationForm.VOUCHER:
            code = next(codes)
            new_vouchers.append(dict(code=code, minutes=order.minutes, expires_at=expires_at, created_at=now,
                                     compensation_id=row.id, idempotency_key=order.key))
        else:
            entries.append(dict(
                seat_session_id=order.session.row.id,
                kind=EntryKind.OUTAGE_TOPUP if order.topup else EntryKind.OUTAGE_CREDIT,
                minutes=order.minutes, value_minor=value_minor(order.minutes, price), created_at=now,
                actor=actor, compensation_id=row.id, idempotency_key=order.key,
                note=f"outage {outage.id}"))
            paid_end = positions[id(order)].paid_end
            new_end = paid_end + timedelta(minutes=order.minutes) if paid_end else None
        if order.topup:
            continue
        language, text = compose(catalog, order.session.row.language, NoticeFacts(
            venue_name=settings.venue.name, timezone=settings.venue.tz, currency=settings.venue.currency,
            customer_name=order.session.row.customer_name, kind=outage.kind, started_at=outage.started_at,
            ended_at=outage.ended_at or now, lost_minutes=row.lost_minutes, credit_minutes=order.minutes,
            form=form, value_minor=row.value_minor, new_end=new_end,
            voucher_code=vouchers.display(code) if code else None,
            voucher_expires_at=expires_at if code else None))
        notices.append(dict(compensation_id=row.id, language=language, text=text, created_at=now))
    uow.db.flush()
    # Plain multi-row INSERTs: one statement per table, whatever the number of rows.
    for model, rows in ((LedgerEntry, entries), (Voucher, new_vouchers), (Notice, notices)):
        if rows:
            uow.db.execute(insert(model.__table__), rows)
