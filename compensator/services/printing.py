"""Printing notices on the ESC/POS receipt printer: one on request, or every one still pending.

A receipt is printed first and recorded ``printed`` only once it came out; a printer that is
off raises ``PrinterUnavailable`` and the notice stays pending. The printer arrives as a
factory, so the API, the dashboard, the auto-print job and the tests each say which printer.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from compensator.domain import vouchers
from compensator.domain.kinds import Delivery
from compensator.errors import PrinterUnavailable
from compensator.printing import PrinterFactory, Receipt, send_receipt
from compensator.services.credits import catalog_for
from compensator.services.notices import NoticeView, deliver_notice, get_notice, list_notices
from compensator.store.database import UnitOfWork


@dataclass(frozen=True, slots=True)
class PrintRun:
    """What printing the pending notices did: those printed, and those left pending with the reason."""

    printed: tuple[NoticeView, ...]
    failed: tuple[NoticeView, ...]
    reason: str | None = None


def receipt_for(uow: UnitOfWork, notice: NoticeView) -> Receipt:
    """The receipt of a notice, in the notice's language."""
    settings = uow.settings
    seat = settings.seats_by_id.get(notice.seat_id)
    wording = catalog_for(uow).text(notice.language, "receipt.seat")
    seat_line = string.Template(wording).safe_substitute(seat=seat.label if seat else notice.seat_id)
    code = vouchers.display(notice.voucher_code) if notice.voucher_code else None
    return Receipt(settings.venue.name, seat_line, notice.text, code)


def print_notice(uow: UnitOfWork, notice_id: object, *, printer: PrinterFactory, actor: str) -> NoticeView:
    """Print a notice's receipt and record it ``printed``; a printer that is off leaves it pending."""
    notice = get_notice(uow, notice_id)
    send_receipt(printer, receipt_for(uow, notice), uow.settings.printer.width_mm)
    return deliver_notice(uow, notice.id, how=Delivery.PRINTED, actor=actor)


def print_pending(uow: UnitOfWork, *, printer: PrinterFactory, actor: str) -> PrintRun:
    """Print every pending notice, oldest first, stopping at the first the printer refuses."""
    pending = sorted(list_notices(uow, status="pending"), key=lambda notice: notice.id)
    printed: list[NoticeView] = []
    for position, notice in enumerate(pending):
        try:
            printed.append(print_notice(uow, notice.id, printer=printer, actor=actor))
        except PrinterUnavailable as error:
            # A printer that refused one receipt refuses the next too; trying each would only
            # make the attendant wait a timeout per notice.
            return PrintRun(tuple(printed), tuple(pending[position:]), error.message)
    return PrintRun(tuple(printed), ())
