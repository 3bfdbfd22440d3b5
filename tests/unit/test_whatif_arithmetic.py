"""The what-if's arithmetic (issue 25, item 2): the saving per 30 days, the payback, a generator's cut."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from compensator.domain.darkness import OutageFacts
from compensator.domain.figures import CompensationFigures
from compensator.domain.kinds import CompensationForm, OutageKind
from compensator.domain.whatif import Credits, WhatIfOutcome, payback_months, restored_within

T0 = datetime(2026, 11, 22, 13, 0, tzinfo=UTC)


def outcome(before: int, after: int, days: int = 30, price: int | None = None) -> WhatIfOutcome:
    return WhatIfOutcome(days, Credits(0, before, 1), Credits(0, after, 1), price)


def test_the_saving_per_30_days_is_rounded_half_up() -> None:
    assert outcome(4100000, 0).saving_per_30_days_minor == 4100000
    # 7 × 30 / 4 = 52.5 → 53; a loss rounds away from zero too.
    assert outcome(7, 0, days=4).saving_per_30_days_minor == 53
    assert outcome(0, 7, days=4).saving_per_30_days_minor == -53


def test_the_payback_is_in_whole_days_rounded_up_and_null_without_a_price_or_a_saving() -> None:
    # NGN 180,000 against NGN 41,000 a month: 131.7… → 132 days, said as 4½ months.
    assert outcome(4100000, 0, price=18000000).payback_days == 132
    assert payback_months(132) == "4½"
    assert payback_months(30) == "1" and payback_months(3) == "½"
    assert outcome(4100000, 0).payback_days is None
    assert outcome(100, 100, price=5).payback_days is None
    assert outcome(100, 200, price=5).payback_days is None
    assert outcome(100, 0, price=0).payback_days == 0


def test_a_compensation_left_with_no_credit_counts_for_nothing() -> None:
    given = CompensationFigures(T0, T0 + timedelta(minutes=10), 10, 3, 10, 0, 13, 25, True, CompensationForm.TIME,
                                25000)
    total = Credits().plus(given).plus(given.cleared())
    assert total.as_dict() == {"credit_minutes": 25, "credit_value_minor": 25000, "compensations": 1}


def test_a_generator_ends_only_the_power_cuts_that_lasted_longer() -> None:
    long_cut = OutageFacts(1, OutageKind.POWER, T0, T0 + timedelta(minutes=30), frozenset({"A1"}))
    short_cut = OutageFacts(2, OutageKind.POWER, T0, T0 + timedelta(minutes=5), frozenset({"A1"}))
    network = OutageFacts(3, OutageKind.NETWORK, T0, T0 + timedelta(minutes=30), frozenset({"A1"}))
    assert restored_within(long_cut, 10).ended_at == T0 + timedelta(minutes=10)
    assert restored_within(short_cut, 10) == short_cut
    assert restored_within(network, 10) == network
    assert restored_within(long_cut, None) == long_cut
