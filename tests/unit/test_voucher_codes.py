"""Voucher codes: an alphabet read without mistakes, a check character that catches a typing slip."""

from __future__ import annotations

import random

from compensator.domain import vouchers


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
