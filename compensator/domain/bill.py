"""A seat session's bill at the counter: what was paid, what the credits were, and what is due.

Plain data in, plain data out. A prepaid session is paid as its minutes are bought (purchases
and extensions, at the price of the seat's zone then), so nothing more is due when it ends. A
postpaid session is billed at the end for its active minutes less every credit it received
(outage bill reductions, manual credits), never below zero, at its zone's price (each seat's
price for its time there, when it moved: ``domain.repricing``). A move of a prepaid session to
a seat of another price is paid (or refunded) at the move, and counts with what was paid. The minutes
are the ledger's (``domain.ledger``); this module prices them and says where the credits came from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from compensator.domain.kinds import PAID_KINDS, CreditReason, EntryKind, OutageKind, SessionMode
from compensator.domain.ledger import Balance, EntryRecord, SessionFacts, ceil_minutes
from compensator.domain.repricing import postpaid_due_minor

REASON_OF_KIND = {EntryKind.MANUAL_CREDIT: CreditReason.MANUAL, EntryKind.VOUCHER_REDEMPTION: CreditReason.VOUCHER}
REASON_OF_OUTAGE = {OutageKind.POWER: CreditReason.POWER_CUT, OutageKind.NETWORK: CreditReason.NETWORK_FAILURE}


@dataclass(frozen=True, slots=True)
class CreditSource:
    """The outage an outage credit or top-up entry was given for."""

    outage_id: int
    kind: OutageKind


@dataclass(frozen=True, slots=True)
class CreditLine:
    """The minutes a session was given for one reason; ``outages`` counts the outages behind them."""

    reason: CreditReason
    minutes: int
    outages: int = 0


@dataclass(frozen=True, slots=True)
class SessionBill:
    """What a session comes to at the counter.

    ``used_minutes`` are the active minutes (a started minute counts whole); ``paid_minutes`` and
    ``paid_minor`` what was bought and charged (prepaid); ``credits`` the minutes given, by reason,
    in the order first given; ``billed_minutes`` the used minutes less the credits, never below
    zero (postpaid, None for prepaid); ``due_minor`` what is left to pay: the billed minutes at
    the zone's price for a postpaid session, 0 for a prepaid one.
    """

    mode: SessionMode
    price_minor_per_hour: int
    used_minutes: int
    paid_minutes: int
    paid_minor: int
    credits: tuple[CreditLine, ...]
    billed_minutes: int | None
    due_minor: int

    @property
    def credit_minutes(self) -> int:
        """Every credited minute, whatever its reason."""
        return sum(line.minutes for line in self.credits)


def session_bill(facts: SessionFacts, position: Balance, price_minor_per_hour: int,
                 sources: Mapping[int, CreditSource], price_of_seat: Callable[[str], int]) -> SessionBill:
    """The bill of a session at ``position`` (its balance), shown at the price of the zone it is billed in.

    A postpaid session that moved is billed at each seat's price for its time there (``price_of_seat``).

    ``sources`` names the outage behind each outage credit or top-up entry, by entry id. A
    reversal counts against what it reverses: a purchase's money and minutes, or a credit's minutes.
    """
    by_id = {entry.id: entry for entry in facts.entries}
    paid_minutes = paid_minor = 0
    minutes: dict[CreditReason, int] = {}
    outages: dict[CreditReason, set[int]] = {}
    for entry in facts.entries:
        # A reversal counts as what it reverses; one that names nothing known counts as itself.
        reversed_id = entry.reverses_id if entry.kind is EntryKind.REVERSAL else None
        target = entry if reversed_id is None else by_id.get(reversed_id, entry)
        if target.kind in PAID_KINDS:
            paid_minutes += entry.minutes
            paid_minor += entry.value_minor
            continue
        reason, outage_id = _reason(target, sources)
        minutes[reason] = minutes.get(reason, 0) + entry.minutes
        if outage_id is not None:
            outages.setdefault(reason, set()).add(outage_id)
    billed = position.billed_minutes if facts.mode is SessionMode.POSTPAID else None
    return SessionBill(
        mode=facts.mode,
        price_minor_per_hour=price_minor_per_hour,
        used_minutes=ceil_minutes(position.elapsed_active),
        paid_minutes=paid_minutes,
        paid_minor=paid_minor,
        credits=tuple(CreditLine(reason, total, len(outages.get(reason, ())))
                      for reason, total in minutes.items() if total),
        billed_minutes=billed,
        due_minor=amount_due_minor(position, price_of_seat),
    )


def amount_due_minor(position: Balance, price_of_seat: Callable[[str], int]) -> int:
    """What is left to pay at ``position``: a postpaid session's billed minutes at each seat's price, 0 when prepaid."""
    return postpaid_due_minor(position, price_of_seat)


def _reason(entry: EntryRecord, sources: Mapping[int, CreditSource]) -> tuple[CreditReason, int | None]:
    """Why an unpaid entry gave its minutes, and the outage behind it if there was one."""
    if entry.kind in (EntryKind.OUTAGE_CREDIT, EntryKind.OUTAGE_TOPUP):
        source = sources[entry.id]
        return REASON_OF_OUTAGE[source.kind], source.outage_id
    return REASON_OF_KIND[entry.kind], None
