"""What a session comes to at the counter: the amount due when it ends, prepaid and postpaid, after bill reductions.

Service-layer tests on a real database with the fake clock; the venue is the test venue
(standard seats at 300 NGN/h behind a 10-minute UPS, gaming seats at 600 NGN/h without one).
"""

from __future__ import annotations

import pytest

from compensator.domain.bill import CreditLine
from compensator.domain.kinds import CreditReason, SessionMode
from compensator.errors import InvalidState
from compensator.services.counter.prices import zone_prices
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions import views as session_views
from tests.support.known_day import do

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def test_a_prepaid_session_owes_nothing_more_when_it_ends_and_its_bill_says_what_was_paid(uow, clock) -> None:
    started = do(uow, sessions.start_session, seat_id="A1", minutes=60)
    clock.advance(minutes=20)
    do(uow, sessions.extend_session, started.id, minutes=30)
    clock.advance(minutes=50)
    bill = do(uow, sessions.end_session, started.id).bill
    assert bill is not None
    assert (bill.mode, bill.paid_minutes, bill.paid_minor, bill.credits) == (SessionMode.PREPAID, 90, 45000, ())
    assert (bill.billed_minutes, bill.due_minor) == (None, 0)


def test_a_postpaid_session_is_billed_its_minutes_at_its_zones_price(uow, clock) -> None:
    started = do(uow, sessions.start_session, seat_id="G1", postpaid=True)
    clock.advance(minutes=94, seconds=10)
    ended = do(uow, sessions.end_session, started.id)
    # A started minute is billed whole: 95 minutes at 600 NGN an hour.
    assert (ended.bill.used_minutes, ended.bill.billed_minutes, ended.bill.due_minor) == (95, 95, 95000)
    assert ended.bill.due_minor == ended.bill_minor
    assert ended.bill.price_minor_per_hour == 60000


def test_a_power_cut_comes_off_a_postpaid_bill_as_in_the_spec_example(uow, clock) -> None:
    # SPEC §3, example 9, on a seat without a UPS: postpaid from 14:00, cut 14:30–14:50, ended 15:30.
    started = do(uow, sessions.start_session, seat_id="G1", postpaid=True)
    clock.advance(minutes=30)
    outage = do(uow, outages.start_outage)
    clock.advance(minutes=20)
    do(uow, outages.end_outage, outage.id)
    clock.advance(minutes=40)
    bill = do(uow, sessions.end_session, started.id).bill
    assert bill.used_minutes == 90
    assert bill.credits == (CreditLine(CreditReason.POWER_CUT, 35, 1),)
    assert (bill.billed_minutes, bill.due_minor) == (55, 55000)


def test_credits_of_two_cuts_and_a_network_failure_are_told_apart_on_one_bill(uow, clock) -> None:
    started = do(uow, sessions.start_session, seat_id="G1", postpaid=True)
    for kind in ("power", "network", "power"):
        clock.advance(minutes=30)
        outage = do(uow, outages.start_outage, kind=kind)
        clock.advance(minutes=5)
        do(uow, outages.end_outage, outage.id)
    clock.advance(minutes=10)
    bill = do(uow, sessions.end_session, started.id).bill
    # Each cut: lost 5 + restart 3 + lost work 10 = 18, rounded to 20.
    assert bill.credits == (CreditLine(CreditReason.POWER_CUT, 40, 2), CreditLine(CreditReason.NETWORK_FAILURE, 20, 1))
    assert (bill.used_minutes, bill.billed_minutes) == (115, 55)


def test_a_bill_never_goes_below_zero_when_the_credit_is_larger_than_the_time_used(uow, clock) -> None:
    started = do(uow, sessions.start_session, seat_id="G1", postpaid=True)
    clock.advance(minutes=2)
    outage = do(uow, outages.start_outage)
    clock.advance(minutes=5)
    do(uow, outages.end_outage, outage.id)
    bill = do(uow, sessions.end_session, started.id).bill
    assert (bill.used_minutes, bill.credit_minutes, bill.billed_minutes, bill.due_minor) == (7, 10, 0, 0)


def test_a_session_still_running_has_no_final_bill_yet(uow) -> None:
    started = do(uow, sessions.start_session, seat_id="A1", postpaid=True)
    assert started.bill is None
    with uow() as unit, pytest.raises(InvalidState, match="has not ended"):
        session_views.get_bill(unit, started.id)


def test_a_package_button_costs_what_buying_the_package_is_charged_in_every_zone(uow, settings) -> None:
    charged = {}
    for prices, seat in zip(zone_prices(settings), ("A1", "G1"), strict=True):
        for package in prices.packages:
            view = do(uow, sessions.start_session, seat_id=seat, minutes=package.minutes)
            charged[(prices.zone_id, package.minutes)] = (package.price_minor, view.entries[0].value_minor)
            do(uow, sessions.end_session, view.id)
    assert all(shown == entry for shown, entry in charged.values())
    assert charged[("standard", 30)] == (15000, 15000) and charged[("gaming", 120)] == (120000, 120000)
