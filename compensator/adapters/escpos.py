"""ESC/POS receipts: a notice laid out for a thermal printer, and the printer that prints it.

The receipt is plain data (``Receipt``); ``write_receipt`` turns it into python-escpos calls on
any printer object, so tests hand it python-escpos's ``Dummy`` and read the bytes it collected.
``open_printer`` builds the configured printer; ``send_receipt`` prints on a fresh one and turns
every way a printer can be off or refuse into ``PrinterUnavailable``.

Text is sent as plain ASCII, which every printer's code page holds: an accent is dropped, a
symbol is spelled out ("→" becomes "->"), and a character with no ASCII spelling becomes "?",
so nothing silently disappears from what the customer reads.
"""

from __future__ import annotations

import socket
import textwrap
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from escpos.constants import QR_ECLEVEL_M
from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.exceptions import Error as EscposError
from escpos.printer import File, Network, Serial, Usb

from compensator.errors import PrinterNotConfigured, PrinterUnavailable
from compensator.settings import COLUMNS_BY_WIDTH_MM, PrinterKind, PrinterSettings

# Long enough for a printer on a busy café network, short enough for an attendant to wait for.
NETWORK_TIMEOUT_SECONDS = 5
# Dots per QR module: a voucher code is a 21-module symbol, so at 8 dots a millimetre it prints
# about 26 mm wide on a 58 mm roll and 37 mm on an 80 mm one (issue 11 asks for 25 mm at least).
QR_SIZE_BY_WIDTH_MM = {58: 10, 80: 14}
UNKNOWN_CHARACTER = "?"
TRANSLITERATIONS = {
    "–": "-", "—": "-", "‐": "-", "−": "-", "→": "->", "←": "<-", "‘": "'", "’": "'", "‚": ",", "“": '"',
    "”": '"', "„": '"', "«": '"', "»": '"', "…": "...", "•": "*", "·": ".", "×": "x", "≥": ">=", "≤": "<=",
    "€": "EUR", "£": "GBP", "₦": "NGN", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i",
}

PrinterFactory = Callable[[], Escpos]


class NetworkPrinter(Network):  # type: ignore[misc]  # python-escpos ships no types: Network is Any to mypy
    """python-escpos's network printer, closing the socket of a connection that failed.

    python-escpos drops that socket unclosed, which leaks a file descriptor on every attempt
    at a printer that is off.
    """

    def open(self, raise_not_found: bool = True) -> None:
        """Connect to the printer; ``DeviceNotFoundError`` if it does not answer."""
        try:
            self.device: socket.socket | None = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as error:
            self.device = None
            if raise_not_found:
                raise DeviceNotFoundError(f"no printer answers at {self.host}:{self.port} ({error})") from error


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a printed letter says, in the customer's language, with each of its vouchers."""

    venue_name: str
    seat_line: str
    text: str
    voucher_codes: tuple[str, ...] = ()


def transliterate(text: str) -> str:
    """``text`` in plain ASCII: accents dropped, symbols spelled out, anything else shown as "?"."""
    spelled = []
    for character in text:
        if character.isascii():
            spelled.append(character)
        elif character in TRANSLITERATIONS:
            spelled.append(TRANSLITERATIONS[character])
        else:
            base = "".join(part for part in unicodedata.normalize("NFKD", character)
                           if not unicodedata.combining(part))
            spelled.append(base if base and base.isascii() else UNKNOWN_CHARACTER)
    return "".join(spelled)


def wrap(text: str, columns: int) -> list[str]:
    """The lines of ``text`` at most ``columns`` wide, blank lines kept and over-long words broken."""
    lines: list[str] = []
    for line in text.splitlines():
        lines.extend(textwrap.wrap(line, columns, break_on_hyphens=False) or [""])
    return lines


def write_receipt(printer: Escpos, receipt: Receipt, width_mm: int) -> None:
    """Send ``receipt`` to ``printer`` laid out for a ``width_mm`` roll, from initialisation to the cut."""
    columns = COLUMNS_BY_WIDTH_MM[width_mm]
    printer.hw("INIT")
    printer.set(align="center", bold=True, double_height=True)
    printer.text("\n".join(wrap(transliterate(receipt.venue_name), columns)) + "\n")
    printer.set(align="center", bold=False, normal_textsize=True)
    printer.text(transliterate(receipt.seat_line) + "\n\n")
    printer.set(align="left", normal_textsize=True)
    printer.text("\n".join(wrap(transliterate(receipt.text), columns)) + "\n")
    for code in receipt.voucher_codes:
        printer.set(align="center", bold=True, double_height=True)
        printer.text(f"\n{transliterate(code)}\n")
        printer.set(align="center", bold=False, normal_textsize=True)
        # The printer draws the QR itself (GS ( k): sharper than an image and a fraction of the bytes;
        # error correction M, as on the screen and the browser receipt.
        printer.qr(code, native=True, ec=QR_ECLEVEL_M, size=QR_SIZE_BY_WIDTH_MM[width_mm])
    # python-escpos feeds a few lines before the cut (GS V), so the last line clears the blade.
    printer.cut()


def open_printer(settings: PrinterSettings) -> Escpos:
    """The configured printer, not connected yet (python-escpos connects on the first byte)."""
    if settings.kind is PrinterKind.NETWORK:
        return NetworkPrinter(settings.host or "", settings.port, timeout=NETWORK_TIMEOUT_SECONDS)
    if settings.kind is PrinterKind.USB:
        vendor, product = (settings.device or "0:0").split(":")
        return Usb(int(vendor, 16), int(product, 16))
    if settings.kind is PrinterKind.SERIAL:
        return Serial(settings.device or "")
    if settings.kind is PrinterKind.FILE:
        return File(settings.device or "")
    raise PrinterNotConfigured("no receipt printer is configured (printer.kind is none in config.yaml)")


def send_receipt(printer_factory: PrinterFactory, receipt: Receipt, width_mm: int) -> None:
    """Print ``receipt`` on a fresh printer from ``printer_factory``; ``PrinterUnavailable`` if it cannot."""
    printer = printer_factory()
    try:
        write_receipt(printer, receipt, width_mm)
    # Refused or timed-out connections and missing devices are OSError or escpos errors; a
    # missing USB library is a RuntimeError. Each means the receipt did not come out.
    except (EscposError, OSError, RuntimeError) as error:
        raise PrinterUnavailable(f"the receipt printer is off or refused the receipt: {error}") from error
    finally:
        try:
            printer.close()
        except (EscposError, OSError):
            # A printer that just failed may fail to close too; what was printed is known already.
            pass
