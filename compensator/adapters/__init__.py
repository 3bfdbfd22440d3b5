"""The engine's doors to devices outside it: the ESC/POS receipt printer (``escpos``) and one
NUT ``upsd`` poller thread per UPS (``nut``).
"""
