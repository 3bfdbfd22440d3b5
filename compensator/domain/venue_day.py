"""The venue day: a calendar day in the venue's time zone, from its midnight to the next, whose
business ends at closing time.

Everything that speaks of "a day" (the dashboard's today, the outages of a date, the end-of-day
report, its archiving) takes the day's bounds from here, in the venue's zone rather than UTC.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MIDNIGHT = time(0)


def date_of(moment: datetime, timezone: ZoneInfo) -> date:
    """The venue day ``moment`` falls in."""
    return moment.astimezone(timezone).date()


def day_bounds(day: date, timezone: ZoneInfo) -> tuple[datetime, datetime]:
    """The venue day ``day`` from its midnight to the next, in the venue's zone."""
    return (datetime.combine(day, MIDNIGHT, tzinfo=timezone),
            datetime.combine(day + timedelta(days=1), MIDNIGHT, tzinfo=timezone))


def next_closing(moment: datetime, timezone: ZoneInfo, closing_time: time) -> datetime:
    """The first closing time after ``moment``: today's, or tomorrow's once today's has passed.

    A venue that closes after midnight (``02:00``) closes at 02:00 of the next calendar day.
    """
    today = date_of(moment, timezone)
    for day in (today - timedelta(days=1), today, today + timedelta(days=1)):
        closing = closing_of(day, timezone, closing_time)
        if closing > moment:
            return closing
    return closing_of(today + timedelta(days=2), timezone, closing_time)


def minutes_past(end: datetime, closing: datetime) -> int:
    """The whole minutes (a started one counting) of time paid to run until ``end`` that fall after ``closing``."""
    return -(-max(end - closing, timedelta(0)) // timedelta(minutes=1))


def closing_of(day: date, timezone: ZoneInfo, closing_time: time) -> datetime:
    """When the business of the venue day ``day`` ends: its closing time, or the next midnight for ``00:00``."""
    closing_day = day + timedelta(days=1) if closing_time == MIDNIGHT else day
    return datetime.combine(closing_day, closing_time, tzinfo=timezone)
