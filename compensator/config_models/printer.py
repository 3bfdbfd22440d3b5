"""The ``printer:`` section of ``config.yaml`` (SPEC appendix A): the ESC/POS receipt printer, as a pydantic model.

A network printer needs its ``host``; a USB, serial or file printer needs its ``device``. Those
two keys come last, so that their checks see the ``kind`` already read.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from compensator.config_models.fields import Port, Section, flag, plainly, problem, text
from compensator.settings import PrinterKind, PrinterSettings, RollWidthMm

USB_DEVICE_PATTERN = re.compile(r"^[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}$")
DEVICE_HELP = {
    PrinterKind.USB: 'a USB id "VENDOR:PRODUCT" in hex, such as "04b8:0202"',
    PrinterKind.SERIAL: "a serial port such as /dev/ttyUSB0 or COM3",
    PrinterKind.FILE: "the path of the printer's device file",
}
PRINTER = PrinterSettings()

Kind = Annotated[PrinterKind, plainly("must be none, network, usb, serial or file")]
WidthMm = Annotated[RollWidthMm, plainly("must be 58 or 80 (the roll's width in millimetres)")]


class PrinterModel(Section):
    """``printer:``: how the receipt printer is reached, its roll and whether every notice prints at once."""

    kind: Kind = PRINTER.kind
    port: Port = PRINTER.port
    width_mm: WidthMm = PRINTER.width_mm
    auto_print: flag() = PRINTER.auto_print
    # Checked even when left out: whether they are required depends on the kind.
    host: text(253) | None = Field(default=None, validate_default=True)
    device: text(1000) | None = Field(default=None, validate_default=True)

    @field_validator("host")
    @classmethod
    def _host_for_a_network_printer(cls, host: str | None, info: ValidationInfo) -> str | None:
        if host is None and info.data.get("kind") is PrinterKind.NETWORK:
            raise problem("is required for a network printer (its address, such as 192.168.1.50)")
        return host

    @field_validator("device")
    @classmethod
    def _device_for_a_local_printer(cls, device: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind in DEVICE_HELP and device is None:
            raise problem(f"is required for a {kind.value} printer ({DEVICE_HELP[kind]})")
        if kind is PrinterKind.USB and device is not None and not USB_DEVICE_PATTERN.match(device):
            raise problem(f"must be {DEVICE_HELP[PrinterKind.USB]}")
        return device

    def to_settings(self) -> PrinterSettings:
        """The printer's settings."""
        return PrinterSettings(self.kind, self.host, self.port, self.device, self.width_mm, self.auto_print)
