"""What the venue owes in vouchers at a moment, what the period issued, redeemed and let expire, and who came back.

A voucher is outstanding at a moment when it was issued before it, not redeemed before it and
not yet expired; it is worth its minutes at the price it keeps (``rows.vouchers``). Its age is
counted from its issue to that moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from compensator.domain.intervals import Span
from compensator.report.period import rows
from compensator.report.period.data import AgeBand, Owed, Retention
from compensator.report.period.rows import VoucherRow
from compensator.store.database import UnitOfWork

# The age bands of the vouchers outstanding: (label, oldest age in days, or None for no limit).
AGE_BANDS = (("up to 7 days", 7), ("8 to 30 days", 30), ("over 30 days", None))
SOON = timedelta(days=7)


def owed(rows: Sequence[VoucherRow], window: Span) -> Owed:
    """The vouchers outstanding at the window's end, and the window's issues, redemptions and expiries."""
    start, end = window
    outstanding = [row for row in rows if outstanding_at(row, end)]
    banded: list[list[VoucherRow]] = [[] for _ in AGE_BANDS]
    for row in outstanding:
        age = end - row.created_at
        banded[next(index for index, (_, days) in enumerate(AGE_BANDS)
                    if days is None or age <= timedelta(days=days))].append(row)
    bands = [AgeBand(label, len(band), sum(row.minutes for row in band), sum(row.value_minor for row in band))
             for (label, _), band in zip(AGE_BANDS, banded, strict=True)]
    expiring = [row for row in outstanding if row.expires_at <= end + SOON]
    expired = [row for row in rows if start <= row.expires_at < end
               and (row.redeemed_at is None or row.redeemed_at >= row.expires_at)]
    return Owed(
        outstanding_count=len(outstanding), outstanding_minutes=sum(row.minutes for row in outstanding),
        outstanding_value_minor=sum(row.value_minor for row in outstanding), by_age=tuple(bands),
        expiring_7_days_count=len(expiring), expiring_7_days_value_minor=sum(row.value_minor for row in expiring),
        issued=sum(1 for row in rows if start <= row.created_at < end),
        redeemed=sum(1 for row in rows if row.redeemed_at is not None and start <= row.redeemed_at < end),
        expired=len(expired), expired_value_minor=sum(row.value_minor for row in expired))


def outstanding_at(row: VoucherRow, moment: datetime) -> bool:
    """Whether a voucher was owed at ``moment``: issued before, not redeemed before, not yet expired."""
    return (row.created_at < moment and (row.redeemed_at is None or row.redeemed_at >= moment)
            and row.expires_at > moment)


def retention(rows: Sequence[VoucherRow], window: Span) -> Retention:
    """Of the vouchers issued in the window, how many were redeemed within 7 and within 30 days of their issue."""
    start, end = window
    issued = [row for row in rows if start <= row.created_at < end]

    def back_within(days: int) -> int:
        return sum(1 for row in issued
                   if row.redeemed_at is not None and row.redeemed_at - row.created_at <= timedelta(days=days))

    return Retention(len(issued), back_within(7), back_within(30))


# The manager page's window for what was issued, redeemed and let expire: the last 30 days.
RECENT = timedelta(days=30)


def owed_now(uow: UnitOfWork) -> Owed:
    """What the venue owes in vouchers now, with the last 30 days' issues, redemptions and expiries."""
    now = uow.now()
    return owed(rows.vouchers(uow, now), (now - RECENT, now))
