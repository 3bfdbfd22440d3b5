"""Conditions on the stored history that several reads share, written once.

An outage *overlaps* a window when it began before the window's end and had not ended by its
start (still going on, or ended after it): an outage that ended exactly when a day began belongs
to the day before. The report, its stamp, the outages of a date and the dashboard's today all
use this one spelling.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, true

from compensator.domain.kinds import COUNTED_OUTAGE_STATUSES
from compensator.store.models import Outage


def outage_overlaps(start: datetime | Any | None, end: datetime | Any | None) -> ColumnElement[bool]:
    """An outage, of any status, overlaps ``[start, end)``; either may be a bound parameter, or None
    for a window open on that side."""
    began_before_end = true() if end is None else Outage.started_at < end
    not_over_at_start = true() if start is None else or_(Outage.ended_at.is_(None), Outage.ended_at > start)
    return and_(began_before_end, not_over_at_start)


def outage_counts() -> ColumnElement[bool]:
    """An outage that happened: ongoing or ended, neither suspected nor dismissed."""
    return Outage.status.in_(COUNTED_OUTAGE_STATUSES)
