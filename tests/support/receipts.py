"""The ESC/POS commands a receipt is checked for: the printer reset, the QR code, the cut."""

ESC_INIT = b"\x1b@"
QR_COMMAND = b"\x1d(k"
CUT = b"\x1dV"
