"""Seats and seat sessions: the bodies that start and change a session, and the session as answered."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from compensator.domain.kinds import CompensationForm, CreditReason, EntryKind, SeatState, SessionMode, SessionState
from web.schemas.common import Time
from web.schemas.fields import Closed, Id, Language, Minutes, Name, Reason, SeatId, Shape


class StartSession(Closed):
    """``{seat, minutes}`` for prepaid time, or ``{seat, postpaid: true}``; minutes are required unless postpaid."""

    # What the server enforces beyond each field (400 otherwise): minutes unless postpaid, never both.
    model_config = ConfigDict(json_schema_extra={
        "oneOf": [
            {"title": "prepaid", "required": ["minutes"],
             "properties": {"minutes": {"type": "integer"}, "postpaid": {"const": False}}},
            {"title": "postpaid", "required": ["postpaid"],
             "properties": {"postpaid": {"const": True}, "minutes": {"type": "null"}}},
        ],
        "examples": [{"seat": "A1", "minutes": 60, "customer_name": "Ngozi", "language": "en"},
                     {"seat": "A2", "postpaid": True}],
    })

    seat: SeatId
    minutes: Minutes | None = None
    postpaid: bool = False
    customer_name: Name | None = None
    language: Language | None = None


class ExtendSession(Closed):
    """Sell more minutes."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"minutes": 30}]})

    minutes: Minutes


class ReverseSale(Closed):
    """Managers: take back minutes of a mistaken purchase or extension (all of it by default), saying why."""

    entry: Id
    minutes: Minutes | None = None
    reason: Reason


class MoveSession(Closed):
    """Move the session to a free seat."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"seat": "A5"}]})

    seat: SeatId


class Seat(Shape):
    """A seat on the board."""

    seat: str
    label: str
    zone: str
    state: SeatState = Field(description="free; in_session (time left, or postpaid); paused; time_up (the prepaid "
                                         "time has run out and the session is not ended yet); dark (no power, "
                                         "whatever the session: this comes first)")
    session: int | None
    remaining_minutes: int | None
    paid_end: Time | None
    nearly_up: bool
    on_ups: bool


class SeatList(Shape):
    """Every seat."""

    seats: list[Seat]


class Entry(Shape):
    """A ledger entry of a session."""

    id: Id
    kind: EntryKind
    minutes: int
    value_minor: int
    created_at: Time
    reverses: int | None
    actor: str
    note: str | None


class BillCredit(Shape):
    """The minutes a session was given for one reason."""

    reason: CreditReason
    minutes: int
    outages: int


class Bill(Shape):
    """An ended session's final bill; money in minor units."""

    price_minor_per_hour: int
    used_minutes: int
    paid_minutes: int
    paid_minor: int
    credits: list[BillCredit]
    billed_minutes: int | None
    due_minor: int


class LeavingCredit(Shape):
    """A credit given as the customer left while their seat was dark (ending a session answers with it)."""

    compensation: Id
    outage: Id
    credit_minutes: int
    carried_minutes: int
    form: CompensationForm
    awaiting_approval: bool
    notice: Id | None
    voucher_codes: list[str]


class MoveRepricing(Shape):
    """A prepaid session moved to a seat of another price: its paid time left re-priced there.

    ``difference_minor`` is to pay when positive and refunded when negative: the difference for
    the time left to the second, a charge rounded down and a refund rounded up (to the customer).
    """

    minutes_left: int
    from_price_minor_per_hour: int
    to_price_minor_per_hour: int
    difference_minor: int


class Session(Shape):
    """A session with its ledger entries and derived balance."""

    id: Id
    seat: str
    start_seat: str
    zone: str
    mode: SessionMode
    state: SessionState
    started_at: Time
    ended_at: Time | None
    customer_name: str | None
    language: str | None
    paid_minutes: int
    remaining_minutes: int
    paid_end: Time | None
    billed_minutes: int | None
    bill_minor: int | None
    bill: Bill | None
    # Paid minutes that fall after the venue's closing time and cannot be used.
    past_closing_minutes: int
    # Only in a move's answer, when the seats' prices differ and paid time was left; null otherwise.
    moved: MoveRepricing | None
    entries: list[Entry]
    owed_on_leaving: list[LeavingCredit]


class RedeemedVoucher(Shape):
    """What a redeemed voucher was worth and gave: its value in money is kept in a zone of another price.

    ``value_minor`` is ``issued_minutes`` at ``issued_price_minor_per_hour`` (null for a voucher
    issued before its price was recorded: it gives its minutes anywhere); ``minutes`` is what that
    value buys at ``price_minor_per_hour``, the seat's, a started minute counting whole.
    """

    code: str
    issued_minutes: int
    issued_price_minor_per_hour: int | None
    value_minor: int | None
    price_minor_per_hour: int
    minutes: int


class RedeemedSession(Session):
    """The session a voucher started or topped up, with what the voucher was worth and gave."""

    voucher: RedeemedVoucher
