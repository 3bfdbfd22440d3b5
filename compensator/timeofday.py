"""The venue's clock style, and the one helper that shows a local time of day in it.

``venue.clock`` in ``config.yaml`` chooses a 24-hour or a 12-hour clock; the notices, the
dashboard, the manager's pages, the receipts and the reports all show times through
``time_of_day`` so that a customer and an attendant read the same time the same way. The
policy's stored explanations are not shown through it: they are fixed at 24 hours.
"""

from __future__ import annotations

import functools
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo


class ClockStyle(StrEnum):
    """How a venue shows a time of day."""

    TWENTY_FOUR_HOUR = "24h"
    TWELVE_HOUR = "12h"


# Babel patterns rather than strftime, so that the 12-hour clock's AM and PM are the customer's language's.
PATTERNS = {ClockStyle.TWENTY_FOUR_HOUR: "HH:mm", ClockStyle.TWELVE_HOUR: "h:mm a"}


def time_of_day(moment: datetime, timezone: ZoneInfo, clock: ClockStyle, locale: str = "en") -> str:
    """The hour and minute of ``moment`` in the venue's time zone, shown in the venue's clock style."""
    # Only the local hour and minute are shown, so they are the cache key: an outage's hundreds of
    # notices show times that fall on a few hundred minutes.
    local = moment.astimezone(timezone)
    return _wall_clock_text(local.hour, local.minute, clock, locale)


@functools.lru_cache(maxsize=4096)
def _wall_clock_text(hour: int, minute: int, clock: ClockStyle, locale: str) -> str:
    # Babel is loaded when a time is first shown: the settings import ``ClockStyle`` from here, and
    # ``compensator --help`` and ``check-config``, which read the settings, never show a time.
    from babel.dates import format_time

    return format_time(time(hour, minute), PATTERNS[clock], locale=locale)
