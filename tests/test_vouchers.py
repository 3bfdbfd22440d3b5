"""Voucher codes (pure) and their redemption through the service layer."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from compensator.domain import vouchers
from compensator.domain.kinds import EntryKind
from compensator.errors import Conflict, InvalidInput, InvalidState, NotFound, SeatBusy
from compensator.services import outages, sessions
from compensator.services.vouchers import redeem_voucher
from compensator.store.models import VoucherRedemption

ACTOR = "attendant:ada"


def test_codes_avoid_characters_that_are_read_wrongly() -> None:
    assert not set("0O1IL") & set(vouchers.ALPHABET)
    rng = random.Random(7)
    for _ in range(200):
        code = vouchers.new_code(rng.choice)
        assert len(code) == 9
        assert set(code) <= set(vouchers.ALPHABET)
        assert vouchers.normalize(code) == code


def test_every_single_mistyped_character_is_rejected() -> None:
    code = vouchers.new_code(random.Random(3).choice)
    for index in range(len(code)):
        for replacement in vouchers.ALPHABET:
            if replacement != code[index]:
                assert vouchers.normalize(code[:index] + replacement + code[index + 1:]) is None


def test_every_swap_of_two_neighbouring_characters_is_rejected() -> None:
    rng = random.Random(11)
    for _ in range(50):
        code = vouchers.new_code(rng.choice)
        for index in range(len(code) - 1):
            swapped = code[:index] + code[index + 1] + code[index] + code[index + 2:]
            if swapped != code:
                assert vouchers.normalize(swapped) is None


def test_a_code_may_be_typed_in_lower_case_with_dashes_and_spaces() -> None:
    code = vouchers.new_code(random.Random(5).choice)
    assert vouchers.normalize(" " + vouchers.display(code).lower() + " ") == code
    assert vouchers.normalize("0O1IL") is None


@pytest.fixture
def voucher_code(uow, clock) -> str:
    with uow() as unit:
        sessions.start_session(unit, seat_id="G1", minutes=30, actor=ACTOR)
    clock.advance(minutes=20)
    with uow() as unit:
        outage = outages.start_outage(unit, actor=ACTOR)
    clock.advance(minutes=30)
    with uow() as unit:
        ended = outages.end_outage(unit, outage.id, actor=ACTOR)
    return ended.compensations[0].voucher_codes[0]


def test_redeeming_a_voucher_starts_a_session_with_its_minutes_free_of_charge(uow, voucher_code) -> None:
    with uow() as unit:
        view = redeem_voucher(unit, vouchers.display(voucher_code).lower(), seat_id="A3", actor=ACTOR)
    assert view.seat_id == "A3"
    assert [(entry.kind, entry.minutes, entry.value_minor) for entry in view.entries] == [
        (EntryKind.VOUCHER_REDEMPTION, 25, 0)]
    with uow() as unit:
        assert unit.db.scalar(select(VoucherRedemption.seat_session_id)) == view.id


def test_a_voucher_is_redeemed_exactly_once(uow, voucher_code) -> None:
    with uow() as unit:
        redeem_voucher(unit, voucher_code, seat_id="A3", actor=ACTOR)
    with pytest.raises(Conflict, match="already been used"):
        with uow() as unit:
            redeem_voucher(unit, voucher_code, seat_id="A4", actor=ACTOR)


def test_a_failed_redemption_leaves_the_voucher_usable(uow, voucher_code) -> None:
    with uow() as unit:
        sessions.start_session(unit, seat_id="A3", minutes=30, actor=ACTOR)
    with pytest.raises(SeatBusy):
        with uow() as unit:
            redeem_voucher(unit, voucher_code, seat_id="A3", actor=ACTOR)
    with uow() as unit:
        assert redeem_voucher(unit, voucher_code, seat_id="A4", actor=ACTOR).seat_id == "A4"


def test_an_expired_voucher_is_refused(uow, clock, voucher_code) -> None:
    clock.advance(timedelta(days=31))
    with pytest.raises(InvalidState, match="expired"):
        with uow() as unit:
            redeem_voucher(unit, voucher_code, seat_id="A3", actor=ACTOR)


def test_a_mistyped_or_unknown_code_is_refused(uow, voucher_code) -> None:
    typo = voucher_code[:-1] + ("2" if voucher_code[-1] != "2" else "3")
    with pytest.raises(InvalidInput, match="typing mistake"):
        with uow() as unit:
            redeem_voucher(unit, typo, seat_id="A3", actor=ACTOR)
    stranger = vouchers.new_code(random.Random(99).choice)
    with pytest.raises(NotFound):
        with uow() as unit:
            redeem_voucher(unit, stranger, seat_id="A3", actor=ACTOR)
