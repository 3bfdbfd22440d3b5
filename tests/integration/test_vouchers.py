"""Vouchers redeemed through the service layer."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from compensator.domain import vouchers
from compensator.domain.kinds import EntryKind
from compensator.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    InvalidState,
    NotFound,
    SeatBusy,
    SessionEnded,
)
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions.vouchers import Redemption, redeem_voucher
from compensator.store.models import VoucherRedemption

ACTOR = "attendant:ada"
ON_BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def voucher_code(uow, clock) -> str:
    """A 25-minute voucher issued at 14:50 (Lagos) on 22 Nov 2026 to G1's customer, whose time ran out in a cut."""
    with uow() as unit:
        sessions.start_session(unit, seat_id="G1", minutes=30, actor=ACTOR)
    clock.advance(minutes=20)
    with uow() as unit:
        outage = outages.start_outage(unit, actor=ACTOR)
    clock.advance(minutes=30)
    with uow() as unit:
        ended = outages.end_outage(unit, outage.id, actor=ACTOR)
    return ended.compensations[0].voucher_codes[0]


def redeem(uow, code: str, **target) -> Redemption:
    """Redeem ``code`` in a unit of work of its own."""
    with uow() as unit:
        return redeem_voucher(unit, code, actor=ACTOR, **target)


def refusal(uow, code: str, **target) -> DomainError:
    """The error redeeming ``code`` is refused with."""
    with pytest.raises(DomainError) as refused:
        redeem(uow, code, **target)
    return refused.value


@ON_BOTH_DATABASES
def test_redeeming_a_voucher_onto_a_free_seat_starts_a_session_with_its_minutes_free_of_charge(uow,
                                                                                               voucher_code) -> None:
    # A seat of the gaming zone the voucher was issued in: its own minutes (tests/web/test_voucher_value.py
    # redeems in a zone of another price).
    redeemed = redeem(uow, vouchers.display(voucher_code).lower(), seat_id="G3")
    assert (redeemed.code, redeemed.minutes, redeemed.started) == (vouchers.display(voucher_code), 25, True)
    assert redeemed.session.seat_id == "G3"
    assert [(entry.kind, entry.minutes, entry.value_minor) for entry in redeemed.session.entries] == [
        (EntryKind.VOUCHER_REDEMPTION, 25, 0)]
    with uow() as unit:
        row = unit.db.scalars(select(VoucherRedemption)).one()
    assert (row.seat_session_id, row.ledger_entry_id, row.seat_id) == (
        redeemed.session.id, redeemed.session.entries[0].id, "G3")


@ON_BOTH_DATABASES
def test_redeeming_a_voucher_onto_a_running_session_adds_its_minutes_without_charging_them(uow, voucher_code) -> None:
    with uow() as unit:
        running = sessions.start_session(unit, seat_id="G4", minutes=60, actor=ACTOR)
    redeemed = redeem(uow, voucher_code, session_id=running.id)
    assert not redeemed.started
    assert redeemed.session.id == running.id
    assert redeemed.session.paid_minutes == 85
    assert redeemed.session.remaining_minutes == running.remaining_minutes + 25
    added = redeemed.session.entries[-1]
    assert (added.kind, added.minutes, added.value_minor) == (EntryKind.VOUCHER_REDEMPTION, 25, 0)
    assert added.note == f"voucher {vouchers.display(voucher_code)}"
    with uow() as unit:
        row = unit.db.scalars(select(VoucherRedemption)).one()
    assert (row.seat_session_id, row.ledger_entry_id, row.seat_id) == (running.id, added.id, "G4")


@ON_BOTH_DATABASES
def test_a_voucher_cannot_top_up_a_postpaid_session_and_stays_usable(uow, voucher_code) -> None:
    with uow() as unit:
        postpaid = sessions.start_session(unit, seat_id="A7", postpaid=True, actor=ACTOR)
    refused = refusal(uow, voucher_code, session_id=postpaid.id)
    assert isinstance(refused, InvalidState)
    assert refused.message.startswith("the session on seat A7 is postpaid, billed at the end")
    assert redeem(uow, voucher_code, seat_id="A8").started


@ON_BOTH_DATABASES
def test_a_voucher_cannot_top_up_an_ended_session(uow, voucher_code) -> None:
    with uow() as unit:
        ended = sessions.start_session(unit, seat_id="A7", minutes=30, actor=ACTOR)
    with uow() as unit:
        sessions.end_session(unit, ended.id, actor=ACTOR)
    refused = refusal(uow, voucher_code, session_id=ended.id)
    assert isinstance(refused, SessionEnded)
    assert refused.message == "the session on seat A7 has ended: redeem the voucher onto a free seat"


@ON_BOTH_DATABASES
def test_a_second_redemption_says_when_and_on_which_seat_the_voucher_was_used(uow, clock, voucher_code) -> None:
    clock.advance(minutes=10)
    redeem(uow, voucher_code, seat_id="A3")
    clock.advance(minutes=5)
    refused = refusal(uow, voucher_code, seat_id="A4")
    assert isinstance(refused, Conflict)
    assert refused.message == (f"voucher {vouchers.display(voucher_code)} was already used on 22 Nov 2026 at 15:00 "
                               "on seat A3")


@ON_BOTH_DATABASES
def test_an_expired_voucher_is_refused_with_its_expiry_in_the_venues_time(uow, clock, voucher_code) -> None:
    clock.advance(timedelta(days=31))
    refused = refusal(uow, voucher_code, seat_id="A3")
    assert isinstance(refused, InvalidState)
    assert refused.message == f"voucher {vouchers.display(voucher_code)} expired on 22 Dec 2026 at 14:50"


@ON_BOTH_DATABASES
def test_a_code_whose_check_character_fails_is_called_a_typing_mistake(uow, voucher_code) -> None:
    typo = voucher_code[:-1] + ("2" if voucher_code[-1] != "2" else "3")
    refused = refusal(uow, typo, seat_id="A3")
    # Well formed, it names no voucher: unknown, as the API document says (404).
    assert isinstance(refused, NotFound)
    assert refused.message == "this code has a typing mistake: check it against the voucher"


@ON_BOTH_DATABASES
@pytest.mark.parametrize("sign", ["0", "I", "ſ", "\uff21", "é"])
def test_a_code_with_a_character_no_voucher_has_is_refused_as_bad_input(uow, voucher_code, sign) -> None:
    # "ſ" is a capital S once upper-cased and "Ａ" is a full-width A: neither is on a voucher.
    refused = refusal(uow, voucher_code[:4] + sign + voucher_code[5:], seat_id="A3")
    assert isinstance(refused, InvalidInput)
    assert refused.message.startswith("this code has a character no voucher has")


@ON_BOTH_DATABASES
def test_a_well_typed_code_that_no_voucher_has_is_called_unknown(uow, voucher_code) -> None:
    stranger = vouchers.new_code(random.Random(99).choice)
    refused = refusal(uow, stranger, seat_id="A3")
    assert isinstance(refused, NotFound)
    assert refused.message == f"no voucher has the code {vouchers.display(stranger)}"


@ON_BOTH_DATABASES
def test_a_code_of_the_wrong_length_or_none_at_all_is_refused_before_any_lookup(uow, voucher_code) -> None:
    assert refusal(uow, voucher_code[:-1], seat_id="A3").message == (
        "a voucher code has 9 characters, like ABC-DEF-GHJ: this one has 8")
    assert refusal(uow, " - ", seat_id="A3").message == "a voucher code is required"


@ON_BOTH_DATABASES
def test_a_redemption_names_either_a_seat_or_a_session_never_both_nor_neither(uow, voucher_code) -> None:
    with uow() as unit:
        running = sessions.start_session(unit, seat_id="G4", minutes=60, actor=ACTOR)
    for target in ({}, {"seat_id": "A3", "session_id": running.id}):
        refused = refusal(uow, voucher_code, **target)
        assert isinstance(refused, InvalidInput)
        assert "onto a free seat or onto a running session" in refused.message
    assert redeem(uow, voucher_code, session_id=running.id).session.paid_minutes == 85


@ON_BOTH_DATABASES
def test_a_failed_redemption_leaves_the_voucher_usable(uow, voucher_code) -> None:
    with uow() as unit:
        sessions.start_session(unit, seat_id="A3", minutes=30, actor=ACTOR)
    with pytest.raises(SeatBusy):
        redeem(uow, voucher_code, seat_id="A3")
    assert redeem(uow, voucher_code, seat_id="A4").session.seat_id == "A4"


@ON_BOTH_DATABASES
def test_two_counters_redeeming_one_voucher_at_once_use_it_once(uow, voucher_code) -> None:
    with uow() as unit:
        running = sessions.start_session(unit, seat_id="A7", minutes=60, actor=ACTOR)
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def counter(**target: object) -> None:
        start.wait()
        try:
            outcomes.append(redeem(uow, voucher_code, **target))
        except DomainError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=counter, kwargs={"seat_id": "A3"}),
               threading.Thread(target=counter, kwargs={"session_id": running.id})]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [outcome for outcome in outcomes if isinstance(outcome, Redemption)]
    losers = [outcome for outcome in outcomes if isinstance(outcome, Conflict)]
    assert (len(winners), len(losers)) == (1, 1), outcomes
    assert "was already used on" in losers[0].message
    assert f"on seat {winners[0].session.seat_id}" in losers[0].message
    with uow() as unit:
        assert len(unit.db.scalars(select(VoucherRedemption)).all()) == 1
