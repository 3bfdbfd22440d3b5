"""Money at the counter in words: the package buttons' prices, the message when a session ends, its bill.

Every amount goes through ``compensator.notices.wording.format_money`` in the venue's currency, the one
formatter the notices and the end-of-day report use, so that the counter, the customer's bill
and the owner's report show an amount the same way. The numbers come from the services
(``services.prices``, ``domain.bill``); this module only puts them into words.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.dates import format_date

from compensator.domain.bill import CreditLine, SessionBill
from compensator.domain.kinds import CreditReason, SessionMode
from compensator.notices.wording import format_money
from compensator.services.counter.prices import zone_prices
from compensator.services.sessions.views import SeatSessionView
from compensator.timeofday import time_of_day
from web.context import runtime
from web.i18n import N_, gettext, ngettext, ui_language

# What a credit was given for, after "10 min off" or "25 min added" (for one outage; see ``credit_purpose``).
CREDIT_PURPOSES = {
    CreditReason.POWER_CUT: N_("for the power cut"),
    CreditReason.NETWORK_FAILURE: N_("for the network failure"),
    CreditReason.MANUAL: N_("as a manual credit"),
    CreditReason.VOUCHER: N_("from a voucher"),
}
# The same, as a line of the bill receipt.
CREDIT_LABELS = {
    CreditReason.POWER_CUT: N_("Power cut"),
    CreditReason.NETWORK_FAILURE: N_("Network failure"),
    CreditReason.MANUAL: N_("Manual credit"),
    CreditReason.VOUCHER: N_("Voucher"),
}


@dataclass(frozen=True, slots=True)
class PackageButton:
    """One package button: its minutes, and its price in each zone as shown (by zone id)."""

    minutes: int
    prices: dict[str, str]


def money(amount_minor: int) -> str:
    """An amount in minor units in the venue's currency, as people read it in the page's language."""
    return format_money(amount_minor, runtime().settings.venue.currency, ui_language())


def move_message(view: SeatSessionView, from_seat: str) -> str | None:
    """What a move to a seat of another price came to: the minutes left at the new price, and the difference."""
    moved = view.moved
    if moved is None:
        return None
    where = gettext("Seat %(from_seat)s moved to %(seat)s: %(minutes)s min left at %(price)s/h;", from_seat=from_seat,
                    seat=view.seat_id, minutes=moved.minutes_left, price=money(moved.to_price_minor_per_hour))
    if moved.difference_minor > 0:
        return where + " " + gettext("%(amount)s more to pay.", amount=money(moved.difference_minor))
    if moved.difference_minor < 0:
        return where + " " + gettext("refund %(amount)s to the customer.", amount=money(-moved.difference_minor))
    return where + " " + gettext("nothing more to pay.")


def package_buttons() -> list[PackageButton]:
    """The package buttons, each with its price in every zone (the dialog shows the clicked seat's)."""
    zones = zone_prices(runtime().settings)
    return [PackageButton(minutes, {zone.zone_id: money(zone.packages[index].price_minor) for zone in zones})
            for index, minutes in enumerate(runtime().settings.dashboard.packages_minutes)]


def hourly_prices() -> dict[str, str]:
    """What an hour costs in each zone (a postpaid session's rate), as shown, by zone id."""
    return {zone.zone_id: gettext("%(price)s/h", price=money(zone.price_minor_per_hour))
            for zone in zone_prices(runtime().settings)}


def credit_purpose(line: CreditLine) -> str:
    """What a credit line was given for, in words ("for the power cut")."""
    if line.outages > 1 and line.reason is CreditReason.POWER_CUT:
        return ngettext("for %(num)d power cut", "for %(num)d power cuts", line.outages)
    if line.outages > 1 and line.reason is CreditReason.NETWORK_FAILURE:
        return ngettext("for %(num)d network failure", "for %(num)d network failures", line.outages)
    return gettext(CREDIT_PURPOSES[line.reason])


def end_message(view: SeatSessionView) -> str:
    """The message when a session ends: the amount due and the credits behind it, or that nothing more is due."""
    bill = view.bill
    assert bill is not None
    head = gettext("Seat %(seat)s: session ended.", seat=view.seat_id)
    if bill.mode is SessionMode.POSTPAID:
        reductions = ", ".join(gettext("%(minutes)s min off %(purpose)s", minutes=line.minutes,
                                       purpose=credit_purpose(line)) for line in bill.credits)
        due = gettext("Bill: %(minutes)s min, %(amount)s", minutes=bill.billed_minutes, amount=money(bill.due_minor))
        return f"{head} {due}" + (f" ({reductions})" if reductions else "") + "."
    details = ([gettext("paid %(amount)s for %(minutes)s min", amount=money(bill.paid_minor),
                        minutes=bill.paid_minutes)] if bill.paid_minutes else []) + [
        gettext("%(minutes)s min added %(purpose)s", minutes=line.minutes, purpose=credit_purpose(line))
        for line in bill.credits]
    nothing_due = gettext("Nothing more to pay")
    return f"{head} {nothing_due}" + (f" ({'; '.join(details)})" if details else "") + "."


def owed_message(view: SeatSessionView) -> str:
    """What a customer who left while their seat was dark is owed now, said to the attendant; empty if nothing."""
    words = []
    for credit in view.owed_on_leaving:
        if credit.awaiting_approval:
            words.append(gettext("Owed for the outage: %(minutes)s min, waiting for a manager's approval; take the "
                                 "customer's name or number so the voucher reaches them.",
                                 minutes=credit.credit_minutes))
        elif credit.voucher_codes:
            words.append(gettext("Owed for the outage: a voucher for %(minutes)s min (%(code)s). Hand over the letter "
                                 "before the customer leaves.", minutes=credit.credit_minutes,
                                 code=", ".join(credit.voucher_codes)))
    return " ".join(words)


def receipt_lines(view: SeatSessionView) -> list[tuple[str, str]]:
    """An ended session's bill receipt as (label, value) lines: seat, day, times, then the money."""
    assert view.bill is not None and view.ended_at is not None
    settings = runtime().settings
    venue = settings.venue
    language = ui_language()
    return [(gettext("Seat"), f"{settings.seat(view.seat_id).label} ({settings.zone(view.zone_id).name})"),
            (gettext("Date"), format_date(view.started_at.astimezone(venue.tz).date(), "dd MMM yyyy", locale=language)),
            (gettext("Started"), time_of_day(view.started_at, venue.tz, venue.clock, language)),
            (gettext("Ended"), time_of_day(view.ended_at, venue.tz, venue.clock, language)), *bill_lines(view.bill)]


def bill_lines(bill: SessionBill) -> list[tuple[str, str]]:
    """The bill receipt's money lines as (label, value), ending with the amount due."""
    sign = "−" if bill.mode is SessionMode.POSTPAID else "+"
    credits = [(_credit_label(line), sign + _minutes(line.minutes)) for line in bill.credits]
    if bill.mode is SessionMode.POSTPAID:
        assert bill.billed_minutes is not None, "a postpaid bill has its billed minutes"
        return [(gettext("Time used"), _minutes(bill.used_minutes)), *credits,
                (gettext("Billed"), _minutes(bill.billed_minutes)),
                (gettext("Price"), gettext("%(price)s/h", price=money(bill.price_minor_per_hour))),
                (gettext("Amount due"), money(bill.due_minor))]
    return [(gettext("Bought"), _minutes(bill.paid_minutes)), *credits, (gettext("Paid"), money(bill.paid_minor)),
            (gettext("Amount due"), money(bill.due_minor))]


def _minutes(minutes: int) -> str:
    return gettext("%(minutes)s min", minutes=minutes)


def _credit_label(line: CreditLine) -> str:
    label = gettext(CREDIT_LABELS[line.reason])
    return f"{label} ×{line.outages}" if line.outages > 1 else label
