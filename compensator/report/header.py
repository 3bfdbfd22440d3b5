"""What a report of a period of venue days states first: the venue, its money and clock, the days and when it was made.

The period report (``period.data.PeriodReportData``) and the evidence (``evidence.data.Evidence``)
are both such a report: each is a ``PeriodHeader`` with its own figures after these fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from compensator.timeofday import ClockStyle


@dataclass(frozen=True, slots=True)
class PeriodHeader:
    """The venue and the period of venue days, from the first's midnight to the night after the last."""

    venue_name: str
    currency: str
    timezone: str
    clock: ClockStyle
    first_day: date
    last_day: date
    window_start: datetime
    window_end: datetime
    generated_at: datetime
