"""Time at another price: a prepaid session moved to a dearer or cheaper seat, a postpaid bill over
several seats, and a voucher redeemed in another zone. Integer money, every rounding in the customer's favour.

- **A prepaid move.** The paid time left is re-priced at the new seat's price: the difference for
  the time left, to the second, is charged (rounded down) or refunded (rounded up, to the
  customer). It is written as two ``price_change`` ledger entries at the move: the minutes left
  taken off at the old price, and put back at the new one; the minutes net to nothing, and each
  zone's takings keep the money of the time spent in it.
- **A postpaid bill.** Each seat's active time is billed at its own zone's price. The used
  minutes (a started minute counting whole) are split by price, the started minute going to the
  cheapest; the credits (bill reductions) come off the dearest minutes first.
- **A voucher.** Its value in money is fixed when it is issued (its minutes at the issuing zone's
  price): redeemed in a zone of another price it gives that value's minutes there, a started
  minute counting whole (fewer minutes in a dearer zone, more in a cheaper one).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from compensator.domain.ledger import MINUTE, Balance, ceil_minutes
from compensator.domain.records import record

SECOND = timedelta(seconds=1)
SECONDS_PER_HOUR = 3600


@record
class MoveDifference:
    """What a prepaid session's move to a seat of another price comes to.

    ``difference_minor`` is to pay when positive, refunded when negative; ``left_value_minor``
    is the time left's value at the old price (taken off the old zone, with the new price's
    value put on the new one).
    """

    minutes_left: int
    from_price_minor_per_hour: int
    to_price_minor_per_hour: int
    left_value_minor: int
    difference_minor: int


def move_difference(remaining: timedelta, from_price: int, to_price: int) -> MoveDifference:
    """The price difference for the paid time ``remaining``, from one hourly price to another.

    Counted to the whole second left, then floored: a charge rounds down and a refund rounds
    up, both to the customer.
    """
    seconds = max(remaining // SECOND, 0)
    left_value = (2 * seconds * from_price + SECONDS_PER_HOUR) // (2 * SECONDS_PER_HOUR)
    difference = seconds * (to_price - from_price) // SECONDS_PER_HOUR
    return MoveDifference(ceil_minutes(remaining), from_price, to_price, left_value, difference)


def postpaid_due_minor(position: Balance, price_of_seat: Callable[[str], int]) -> int:
    """A postpaid session's bill at ``position``: each seat's time at its zone's price, credits off the dearest.

    ``position`` must be a balance replayed with its history (its ``intervals``).
    """
    if position.billed_minutes is None:
        return 0
    by_price: dict[int, timedelta] = {}
    for interval in position.intervals:
        price = price_of_seat(interval.seat_id)
        by_price[price] = by_price.get(price, timedelta(0)) + (interval.end - interval.start)
    used = ceil_minutes(position.elapsed_active)
    if not by_price:
        by_price[price_of_seat(position.seat_id)] = timedelta(0)
    cheapest_first = sorted(by_price)
    minutes = {price: by_price[price] // MINUTE for price in cheapest_first}
    minutes[cheapest_first[0]] += used - sum(minutes.values())
    # The billed minutes are the used ones less the credits: the cheapest minutes stay billed.
    left = position.billed_minutes
    total = 0
    for price in cheapest_first:
        billed = min(left, minutes[price])
        total += 2 * billed * price
        left -= billed
    return (total + 60) // 120


def voucher_minutes(minutes: int, issued_price: int | None, price: int) -> int:
    """The minutes a voucher issued for ``minutes`` at ``issued_price`` gives in a zone at ``price``.

    Its value in money is kept, a started minute counting whole; a voucher whose issuing price
    is unknown (issued before prices were recorded on vouchers) gives its minutes anywhere.
    """
    if issued_price is None or issued_price == price or price <= 0:
        return minutes
    return -(-(minutes * issued_price) // price)
