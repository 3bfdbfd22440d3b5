"""Printing letters on the ESC/POS receipt printer: one on request, or every one still pending.

A receipt is printed first and recorded ``printed`` only once it came out; a printer that is
off raises ``PrinterUnavailable`` and the notices stay pending. A letter (every pending notice
of one customer) prints as one receipt; the API can also print one notice by itself. The printer
arrives as a factory, so the API, the dashboard, the auto-print job and the tests each say which.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from sqlalchemy import select

from compensator.adapters.escpos import PrinterFactory, Receipt, send_receipt
from compensator.domain.kinds import Delivery
from compensator.errors import InvalidState, PrinterUnavailable
from compensator.services.handover.letters import (
    LetterView,
    PendingLetter,
    deliver_letter,
    letter_for,
    pending_letters,
    single,
)
from compensator.services.handover.notices import NoticeView, deliver_notice, get_notice
from compensator.services.outages.credits import catalog_for
from compensator.store.database import UnitOfWork
from compensator.store.models import SeatSession


@dataclass(frozen=True, slots=True)
class PrintRun:
    """What printing the pending letters did: those printed, and those left pending with the reason."""

    printed: tuple[LetterView, ...]
    failed: tuple[PendingLetter, ...]
    reason: str | None = None


def receipt_for(uow: UnitOfWork, letter: LetterView) -> Receipt:
    """The receipt of a letter, in its language."""
    settings = uow.settings
    seat = settings.seats_by_id.get(letter.seat_id)
    wording = catalog_for(uow).text(letter.language, "receipt.seat")
    seat_line = string.Template(wording).safe_substitute(seat=seat.label if seat else letter.seat_id)
    return Receipt(settings.venue.name, seat_line, letter.text, letter.voucher_codes)


def print_notice(uow: UnitOfWork, notice_id: object, *, printer: PrinterFactory, actor: str) -> NoticeView:
    """Print one notice's receipt by itself and record it ``printed``; a printer that is off leaves it pending."""
    notice = get_notice(uow, notice_id)
    send_receipt(printer, receipt_for(uow, single(uow, notice)), uow.settings.printer.width_mm)
    return deliver_notice(uow, notice.id, how=Delivery.PRINTED, actor=actor)


def print_letter(uow: UnitOfWork, notice_id: object, *, printer: PrinterFactory, actor: str,
                 again: bool = False) -> LetterView:
    """Print the letter a notice belongs to and record each of its notices ``printed``.

    A letter already handed over is refused unless ``again`` asks for another copy: the Print
    button and the auto-print job racing for one letter then print it once.
    """
    notice = get_notice(uow, notice_id)
    # The second of two printers of one letter waits here until the first has recorded it.
    uow.db.execute(select(SeatSession.id).where(SeatSession.id == notice.session_id).with_for_update()).all()
    letter = letter_for(uow, notice.id)
    if letter.status != "pending" and not again:
        raise InvalidState(f"the letter for seat {letter.seat_id} was already {letter.status}: "
                           "print it again from its page if the customer wants another copy", field="notice")
    send_receipt(printer, receipt_for(uow, letter), uow.settings.printer.width_mm)
    return deliver_letter(uow, letter.first.id, how=Delivery.PRINTED, actor=actor)


def print_pending(uow: UnitOfWork, *, printer: PrinterFactory, actor: str) -> PrintRun:
    """Print every pending letter, the one waiting longest first, stopping at the first the printer refuses."""
    pending = pending_letters(uow)
    printed: list[LetterView] = []
    for position, letter in enumerate(pending):
        try:
            printed.append(print_letter(uow, letter.first_notice_id, printer=printer, actor=actor))
        except InvalidState:
            # Handed over meanwhile, at the counter or by the other printing run: nothing to print.
            continue
        except PrinterUnavailable as error:
            # A printer that refused one receipt refuses the next too; trying each would only
            # make the attendant wait a timeout per letter.
            return PrintRun(tuple(printed), tuple(pending[position:]), error.message)
    return PrintRun(tuple(printed), ())
