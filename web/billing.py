"""Money at the counter in words: the package buttons' prices, the message when a session ends, its bill.

Every amount goes through ``compensator.notices.format_money`` in the venue's currency, the one
formatter the notices and the end-of-day report use, so that the counter, the customer's bill
and the owner's report show an amount the same way. The numbers come from the services
(``services.prices``, ``domain.bill``); this module only puts them into words.
"""

from __future__ import annotations

from dataclasses import dataclass

from compensator.domain.bill import CreditLine, SessionBill
from compensator.domain.kinds import CreditReason, SessionMode
from compensator.notices import format_money
from compensator.services.prices import zone_prices
from compensator.services.session_views import SeatSessionView
from compensator.timeofday import time_of_day
from web.context import runtime

# What a credit was given for, after "10 min off" or "25 min added"; a count stands for {count}.
CREDIT_PURPOSES = {
    CreditReason.POWER_CUT: ("for the power cut", "for {count} power cuts"),
    CreditReason.NETWORK_FAILURE: ("for the network failure", "for {count} network failures"),
    CreditReason.MANUAL: ("as a manual credit", "as a manual credit"),
    CreditReason.VOUCHER: ("from a voucher", "from a voucher"),
}
# The same, as a line of the bill receipt.
CREDIT_LABELS = {
    CreditReason.POWER_CUT: "Power cut",
    CreditReason.NETWORK_FAILURE: "Network failure",
    CreditReason.MANUAL: "Manual credit",
    CreditReason.VOUCHER: "Voucher",
}


@dataclass(frozen=True, slots=True)
class PackageButton:
    """One package button: its minutes, and its price in each zone as shown (by zone id)."""

    minutes: int
    prices: dict[str, str]


def money(amount_minor: int) -> str:
    """An amount in minor units in the venue's currency, as people read it."""
    return format_money(amount_minor, runtime().settings.venue.currency)


def package_buttons() -> list[PackageButton]:
    """The package buttons, each with its price in every zone (the dialog shows the clicked seat's)."""
    zones = zone_prices(runtime().settings)
    return [PackageButton(minutes, {zone.zone_id: money(zone.packages[index].price_minor) for zone in zones})
            for index, minutes in enumerate(runtime().settings.dashboard.packages_minutes)]


def hourly_prices() -> dict[str, str]:
    """What an hour costs in each zone (a postpaid session's rate), as shown, by zone id."""
    return {zone.zone_id: f"{money(zone.price_minor_per_hour)}/h" for zone in zone_prices(runtime().settings)}


def credit_purpose(line: CreditLine) -> str:
    """What a credit line was given for, in words ("for the power cut")."""
    one, several = CREDIT_PURPOSES[line.reason]
    return several.format(count=line.outages) if line.outages > 1 else one


def end_message(view: SeatSessionView) -> str:
    """The message when a session ends: the amount due and the credits behind it, or that nothing more is due."""
    bill = view.bill
    assert bill is not None
    head = f"Seat {view.seat_id}: session ended."
    if bill.mode is SessionMode.POSTPAID:
        reductions = ", ".join(f"{line.minutes} min off {credit_purpose(line)}" for line in bill.credits)
        return (f"{head} Bill: {bill.billed_minutes} min, {money(bill.due_minor)}"
                + (f" ({reductions})" if reductions else "") + ".")
    details = ([f"paid {money(bill.paid_minor)} for {bill.paid_minutes} min"] if bill.paid_minutes else []) + [
        f"{line.minutes} min added {credit_purpose(line)}" for line in bill.credits]
    return f"{head} Nothing more to pay" + (f" ({'; '.join(details)})" if details else "") + "."


def receipt_lines(view: SeatSessionView) -> list[tuple[str, str]]:
    """An ended session's bill receipt as (label, value) lines: seat, day, times, then the money."""
    assert view.bill is not None and view.ended_at is not None
    settings = runtime().settings
    venue = settings.venue
    return [("Seat", f"{settings.seat(view.seat_id).label} ({settings.zone(view.zone_id).name})"),
            ("Date", view.started_at.astimezone(venue.tz).strftime("%d %b %Y")),
            ("Started", time_of_day(view.started_at, venue.tz, venue.clock)),
            ("Ended", time_of_day(view.ended_at, venue.tz, venue.clock)), *bill_lines(view.bill)]


def bill_lines(bill: SessionBill) -> list[tuple[str, str]]:
    """The bill receipt's money lines as (label, value), ending with the amount due."""
    credits = [(_credit_label(line), f"{'−' if bill.mode is SessionMode.POSTPAID else '+'}{line.minutes} min")
               for line in bill.credits]
    if bill.mode is SessionMode.POSTPAID:
        return [("Time used", f"{bill.used_minutes} min"), *credits, ("Billed", f"{bill.billed_minutes} min"),
                ("Price", f"{money(bill.price_minor_per_hour)}/h"), ("Amount due", money(bill.due_minor))]
    return [("Bought", f"{bill.paid_minutes} min"), *credits, ("Paid", money(bill.paid_minor)),
            ("Amount due", money(bill.due_minor))]


def _credit_label(line: CreditLine) -> str:
    label = CREDIT_LABELS[line.reason]
    return f"{label} ×{line.outages}" if line.outages > 1 else label
