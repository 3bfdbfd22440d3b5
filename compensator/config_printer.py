"""The ``printer:`` section of ``config.yaml`` (SPEC appendix A): the ESC/POS receipt printer.

Read like every other section: unknown keys are errors with a "did you mean", and every
problem is reported with its key path. A network printer needs its ``host``; a USB, serial or
file printer needs its ``device``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from compensator.config_values import text_value, whole_number
from compensator.settings import COLUMNS_BY_WIDTH_MM, PrinterKind, PrinterSettings

PRINTER_KEYS = ("kind", "host", "port", "device", "width_mm", "auto_print")
USB_DEVICE_PATTERN = re.compile(r"^[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}$")
DEVICE_HELP = {
    PrinterKind.USB: 'a USB id "VENDOR:PRODUCT" in hex, such as "04b8:0202"',
    PrinterKind.SERIAL: "a serial port such as /dev/ttyUSB0 or COM3",
    PrinterKind.FILE: "the path of the printer's device file",
}


def parse_printer(data: Mapping[str, Any], problems: list[str]) -> PrinterSettings:
    """The printer's settings from its section, adding a problem for each bad key."""
    kind = _kind(data.get("kind", PrinterKind.NONE.value), problems)
    port = whole_number(data, "port", "printer", problems, default=9100, minimum=1, maximum=65535)
    width_mm = data.get("width_mm", 80)
    if width_mm not in COLUMNS_BY_WIDTH_MM or isinstance(width_mm, bool):
        problems.append("printer.width_mm: must be 58 or 80 (the roll's width in millimetres)")
        width_mm = 80
    auto_print = data.get("auto_print", False)
    if not isinstance(auto_print, bool):
        problems.append("printer.auto_print: must be true or false")
        auto_print = False
    host = _optional_text(data, "host", problems, maximum=253)
    device = _optional_text(data, "device", problems, maximum=1000)
    # A key given but unusable has its problem already; only a missing one is reported here.
    if kind is PrinterKind.NETWORK and data.get("host") is None:
        problems.append("printer.host: is required for a network printer (its address, such as 192.168.1.50)")
    if kind in DEVICE_HELP and data.get("device") is None:
        problems.append(f"printer.device: is required for a {kind.value} printer ({DEVICE_HELP[kind]})")
    if kind is PrinterKind.USB and device is not None and not USB_DEVICE_PATTERN.match(device):
        problems.append(f"printer.device: must be {DEVICE_HELP[PrinterKind.USB]}")
    return PrinterSettings(kind or PrinterKind.NONE, host, port or 9100, device, width_mm, auto_print)


def _optional_text(data: Mapping[str, Any], key: str, problems: list[str], *, maximum: int) -> str | None:
    if data.get(key) is None:
        return None
    return text_value(data, key, "printer", problems, default="", maximum=maximum) or None


def _kind(value: object, problems: list[str]) -> PrinterKind | None:
    try:
        return PrinterKind(value)
    except ValueError:
        problems.append("printer.kind: must be none, network, usb, serial or file")
        return None
