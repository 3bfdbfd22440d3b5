"""What a fix would save: the arithmetic of a what-if, as plain data (issue 25, item 2).

The service (``services.whatif``) replays a period's real sessions and outages through the
policy twice, with the equipment and policy as they were and as they would be; here are what
it changes in an outage (a generator that restores the power within N minutes), the credits
it adds up, and the saving, the saving per 30 days and the payback those come to. Money stays
in integer minor units, rounded half up.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from compensator.domain.darkness import OutageFacts
from compensator.domain.figures import CompensationFigures
from compensator.domain.kinds import OutageKind
from compensator.domain.records import record

# The saving is also given over this many days, whatever the period's length.
SAVING_DAYS = 30


@record
class Credits:
    """What the policy credits over a period: minutes, their value, and how many compensations gave any."""

    credit_minutes: int = 0
    credit_value_minor: int = 0
    compensations: int = 0

    def plus(self, figures: CompensationFigures) -> Credits:
        """These credits with one compensation's figures added (one with no credit left counts for nothing)."""
        if figures.credit_minutes <= 0:
            return self
        return Credits(self.credit_minutes + figures.credit_minutes, self.credit_value_minor + figures.value_minor,
                       self.compensations + 1)

    def as_dict(self) -> dict[str, int]:
        """The credits under their JSON keys."""
        return {"credit_minutes": self.credit_minutes, "credit_value_minor": self.credit_value_minor,
                "compensations": self.compensations}


def restored_within(outage: OutageFacts, minutes: int | None) -> OutageFacts:
    """``outage`` as a generator restoring the power within ``minutes`` would have made it.

    A power cut that lasted longer ends ``minutes`` after it began; a shorter one, a network
    failure, and any outage without a generator (``minutes`` None) stay as they were.
    """
    if minutes is None or outage.kind is not OutageKind.POWER or outage.ended_at is None:
        return outage
    restored = outage.started_at + timedelta(minutes=minutes)
    return replace(outage, ended_at=restored) if restored < outage.ended_at else outage


def _half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half away from zero, in integers (``denominator`` > 0)."""
    sign = -1 if numerator < 0 else 1
    return sign * ((2 * abs(numerator) + denominator) // (2 * denominator))


@record
class WhatIfOutcome:
    """The credits of a period before and after a change, and what the change would save and repay."""

    days: int
    before: Credits
    after: Credits
    price_minor: int | None = None

    @property
    def saving_minor(self) -> int:
        """The money the change would have saved over the period (negative when it would cost more)."""
        return self.before.credit_value_minor - self.after.credit_value_minor

    @property
    def saving_per_30_days_minor(self) -> int:
        """The saving scaled to 30 days, rounded half up."""
        return _half_up(self.saving_minor * SAVING_DAYS, self.days)

    @property
    def payback_days(self) -> int | None:
        """Days of savings at the period's rate that pay the price, rounded up; None without a price or a saving."""
        if self.price_minor is None or self.saving_minor <= 0:
            return None
        return -(-self.price_minor * self.days // self.saving_minor)

    def as_dict(self) -> dict[str, object]:
        """The outcome under its JSON keys."""
        return {"before": self.before.as_dict(), "after": self.after.as_dict(), "saving_minor": self.saving_minor,
                "saving_per_30_days_minor": self.saving_per_30_days_minor, "payback_days": self.payback_days}


def payback_months(days: int) -> str:
    """A payback in days as months to the nearest half, as people say it: ``4½``, ``1``, ``½``."""
    halves = max(_half_up(days * 2, SAVING_DAYS), 1)
    whole, half = divmod(halves, 2)
    if not half:
        return str(whole)
    return f"{whole}½" if whole else "½"
