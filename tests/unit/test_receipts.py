"""Receipts: the ESC/POS bytes python-escpos's Dummy printer collects for a notice, and the voucher's QR code."""

from __future__ import annotations

import re

from escpos.printer import Dummy

from compensator.adapters.escpos import Receipt, transliterate, wrap, write_receipt
from tests.support.receipts import CUT, ESC_INIT, QR_COMMAND


def test_characters_a_code_page_lacks_are_spelled_in_ascii_never_dropped() -> None:
    assert transliterate("Café") == "Cafe"
    assert transliterate("14:28 – 14:39 → 11 min") == "14:28 - 14:39 -> 11 min"
    assert transliterate("₦1,500 «Désolé» œuvre Straße Łódź") == 'NGN1,500 "Desole" oeuvre Strasse Lodz'
    assert transliterate("14\u202fh\u00a0: 日") == "14 h : ?"


def test_receipt_lines_wrap_at_the_rolls_width() -> None:
    lines = wrap("We have added 31 minutes to your time. Your session now ends at 16:51.\n\nThanks", 32)
    assert all(len(line) <= 32 for line in lines)
    assert lines[-2:] == ["", "Thanks"]
    assert len(wrap("x" * 100, 48)[0]) == 48


def test_the_receipt_initialises_prints_the_notice_and_its_qr_then_cuts() -> None:
    printer = Dummy()
    write_receipt(printer, Receipt("Bright Star Cyber Café", "Seat G1", "Désolé – 14:28 → 14:39", ("ABCD-EFGH-J",)), 80)
    output = printer.output
    assert output.startswith(ESC_INIT)
    for text in (b"Bright Star Cyber Cafe", b"Seat G1", b"Desole - 14:28 -> 14:39", b"ABCD-EFGH-J"):
        assert text in output
    assert QR_COMMAND in output and output.index(QR_COMMAND) > output.index(b"Desole")
    assert output.endswith(CUT + b"\x00")


def test_the_voucher_qr_is_drawn_at_the_width_asked_for_in_millimetres() -> None:
    from web.receipts import voucher_qr

    svg = str(voucher_qr("ABC-DEF-GHJ", 30))
    assert re.match(r'<svg width="30(\.0+\d*)?mm" height="30(\.0+\d*)?mm"', svg)
