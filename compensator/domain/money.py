"""Money arithmetic in integer minor units (kobo, cents): never floats."""

from __future__ import annotations


def value_minor(minutes: int, price_minor_per_hour: int) -> int:
    """The value of ``minutes`` at an hourly price, rounded half up to a whole minor unit."""
    sign = -1 if minutes < 0 else 1
    # floor(x + 1/2) with x = |minutes| * price / 60, kept in integers.
    return sign * ((2 * abs(minutes) * price_minor_per_hour + 60) // 120)
