"""The customer's letters and bills: the screen view, the thermal receipts, delivery and printing.

Routes on the dashboard's blueprint (their endpoints stay ``dashboard.*``), all for a logged-in attendant:

    GET  /sessions/<id>/bill            an ended session's bill for a 58 or 80 mm thermal printer
    GET  /notices/<id>                  the large-print letter (the notice with its session's other
                                        pending ones) to turn toward the customer
    GET  /notices/<id>/receipt          the letter's receipt for a 58 or 80 mm thermal printer
    POST /notices/<id>/deliver          shown / printed / declined, with the customer's face
    POST /notices/<id>/print            print the letter's receipt on the ESC/POS printer
    POST /notices/print-pending         print every letter still to hand over
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import segno
from flask import render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from compensator.services.handover import letters
from compensator.services.handover.printing import PrintRun, print_letter, print_pending
from compensator.services.sessions import views as session_views
from web.auth import login_required
from web.billing import receipt_lines
from web.context import printer, reading, runtime
from web.dashboard import actor_label, bp, can_print
from web.forms import submit
from web.i18n import gettext, ngettext
from web.labels import notice_status


@dataclass(frozen=True, slots=True)
class ReceiptLayout:
    """How a receipt is laid out on one roll width."""

    width_mm: int
    # A 58 mm printer prints 48 mm of it, an 80 mm one 72 mm: the rest is margin it cannot print.
    side_margin_mm: int
    font_pt: int
    qr_mm: int
    vertical_margin_mm: int = 3

    @property
    def printable_mm(self) -> int:
        """The width the printer prints on."""
        return self.width_mm - 2 * self.side_margin_mm


RECEIPT_LAYOUTS = {58: ReceiptLayout(58, 5, 9, 30), 80: ReceiptLayout(80, 4, 11, 40)}
DEFAULT_RECEIPT_MM = 80
SCREEN_QR_MM = 40
QR_QUIET_ZONE_MODULES = 4
# Courier's characters are 0.6 em wide; the receipt's lines are 1.3 em apart.
MONOSPACE_CHARACTER_EM = 0.6
LINE_HEIGHT = 1.3
MM_PER_POINT = 25.4 / 72
VOUCHER_CODE_MM = 14
RECEIPT_SLACK_MM = 12


def voucher_qr(code: str, width_mm: int) -> Markup:
    """The voucher code as printed, in a standard QR code ``width_mm`` wide, as inline SVG.

    Drawn by the app itself: no internet, no image files. Always a standard QR code (short data
    would otherwise get a Micro QR, which zbar and most phone scanners do not read), at error
    correction M, with the four-module quiet zone scanners expect.
    """
    qr = segno.make_qr(code, error="m", boost_error=False)
    modules, _ = qr.symbol_size(scale=1, border=QR_QUIET_ZONE_MODULES)
    return Markup(qr.svg_inline(scale=width_mm / modules, unit="mm", border=QR_QUIET_ZONE_MODULES))


def _receipt_height_mm(text: str, layout: ReceiptLayout, vouchers_count: int) -> int:
    """A page as long as the receipt's content: a roll printer then feeds no blank paper."""
    per_line = int(layout.printable_mm / (layout.font_pt * MONOSPACE_CHARACTER_EM * MM_PER_POINT))
    lines = sum(max(1, math.ceil(len(line) / per_line)) for line in text.splitlines())
    height = 2 * layout.vertical_margin_mm + lines * layout.font_pt * LINE_HEIGHT * MM_PER_POINT + RECEIPT_SLACK_MM
    return math.ceil(height + vouchers_count * (layout.qr_mm + VOUCHER_CODE_MM))


def _letter_context(notice_id: int, qr_mm: int = SCREEN_QR_MM) -> dict[str, object]:
    with reading() as uow:
        letter = letters.letter_for(uow, notice_id)
    return {"letter": letter, "vouchers": [(code, voucher_qr(code, qr_mm)) for code in letter.voucher_codes],
            "can_print": can_print()}


def _receipt_layout() -> ReceiptLayout:
    """The layout for the roll width the page asks for (``?width=58`` or 80, the default)."""
    width = request.args.get("width", type=int) or DEFAULT_RECEIPT_MM
    return RECEIPT_LAYOUTS.get(width, RECEIPT_LAYOUTS[DEFAULT_RECEIPT_MM])


@bp.get("/notices/<int:notice_id>")
@login_required
def notice_screen(notice_id: int) -> str:
    """The customer's letter in large print, to turn the screen toward them."""
    return render_template("notice_screen.html", **_letter_context(notice_id))


@bp.get("/notices/<int:notice_id>/receipt")
@login_required
def notice_receipt(notice_id: int) -> str:
    """The customer's letter laid out for a 58 mm or 80 mm thermal printer, printed with the browser."""
    layout = _receipt_layout()
    context = _letter_context(notice_id, layout.qr_mm)
    letter = context["letter"]
    assert isinstance(letter, letters.LetterView)
    height = _receipt_height_mm(letter.text, layout, len(letter.voucher_codes))
    return render_template("notice_receipt.html", layout=layout, height_mm=height, **context)


@bp.get("/sessions/<int:session_id>/bill")
@login_required
def bill_receipt(session_id: int) -> str:
    """An ended session's bill (seat, times, minutes, price, credits, amount due) for a thermal printer."""
    layout = _receipt_layout()
    with reading() as uow:
        view = session_views.get_bill(uow, session_id)
    lines = receipt_lines(view)
    text = "\n".join([runtime().settings.venue.name, gettext("Bill"), *(f"{label} {value}" for label, value in lines)])
    return render_template("bill_receipt.html", layout=layout, height_mm=_receipt_height_mm(text, layout, False),
                           session=view, lines=lines)


@bp.post("/notices/<int:notice_id>/deliver")
@login_required
def deliver(notice_id: int) -> ResponseReturnValue:
    """Record how the letter reached the customer (each of its notices), with their reaction if given."""
    return submit(lambda uow: letters.deliver_letter(
        uow, notice_id, how=request.form.get("how", ""), feedback=request.form.get("feedback") or None,
        actor=actor_label()), lambda letter: ("success", gettext(
            "Letter for seat %(seat)s marked %(status)s.", seat=letter.seat_id, status=notice_status(letter.status))))


@bp.post("/notices/<int:notice_id>/print")
@login_required
def print_receipt(notice_id: int) -> ResponseReturnValue:
    """Print the letter's receipt on the ESC/POS printer and record it printed."""
    again = request.form.get("again") == "1"
    return submit(lambda uow: print_letter(uow, notice_id, printer=printer(), actor=actor_label(), again=again),
                  lambda letter: ("success", gettext("Receipt for seat %(seat)s printed.", seat=letter.seat_id)))


@bp.post("/notices/print-pending")
@login_required
def print_all_pending() -> ResponseReturnValue:
    """Print every letter still to hand over, and say how many came out and which did not."""
    return submit(lambda uow: print_pending(uow, printer=printer(), actor=actor_label()), _print_run_outcome)


def _print_run_outcome(run: PrintRun) -> tuple[str, str]:
    if not run.failed:
        return "success", ngettext("%(num)d receipt printed.", "%(num)d receipts printed.", len(run.printed))
    seats = ", ".join(gettext("seat %(seat)s", seat=letter.seat_id) for letter in run.failed)
    return "error", ngettext("%(num)d receipt printed; not printed: %(seats)s (%(reason)s).",
                             "%(num)d receipts printed; not printed: %(seats)s (%(reason)s).", len(run.printed),
                             seats=seats, reason=run.reason)
