"""Voucher codes: short, read aloud without confusion, and self-checking.

The alphabet leaves out 0/O and 1/I/L. The last character is a check character: the sum of
each character's value times its position (1, 2, 3...) is a multiple of 31. Because 31 is
prime and larger than every position, any single mistyped character and any swap of two
neighbours changes that sum, so the mistake is caught at the counter instead of redeeming
someone else's voucher or none.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
DATA_LENGTH = 8
LENGTH = DATA_LENGTH + 1
GROUP = 3


def _weighted_sum(characters: str) -> int:
    return sum((position + 1) * ALPHABET.index(character) for position, character in enumerate(characters))


def check_character(data: str) -> str:
    """The check character that makes ``data`` + it a valid code."""
    base = len(ALPHABET)
    weight = len(data) + 1
    return ALPHABET[(-_weighted_sum(data) * pow(weight, -1, base)) % base]


def new_code(choose: Callable[[str], str] = secrets.choice) -> str:
    """A new random voucher code in its canonical form (no separators)."""
    data = "".join(choose(ALPHABET) for _ in range(DATA_LENGTH))
    return data + check_character(data)


def tidy(text: str) -> str:
    """``text`` as typed or scanned without its spaces and dashes, in capitals: a code if it is one."""
    return "".join(text.split()).replace("-", "").upper()


def normalize(text: str) -> str | None:
    """The canonical code typed as ``text`` (any case, spaces or dashes), or None if it is not one."""
    code = tidy(text)
    if len(code) != LENGTH or any(character not in ALPHABET for character in code):
        return None
    if _weighted_sum(code) % len(ALPHABET) != 0:
        return None
    return code


def display(code: str) -> str:
    """The code grouped for reading aloud: ``ABC-DEF-GHJ``."""
    return "-".join(code[index:index + GROUP] for index in range(0, len(code), GROUP))
