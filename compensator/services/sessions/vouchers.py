"""Redeeming vouchers: a voucher's minutes start a session on a free seat or top up a running one, once.

A voucher keeps its value in money: its minutes at the price of the zone it was issued in. Redeemed
onto a seat of another price it gives that value's minutes there, a started minute counting whole
(fewer in a dearer zone, more in a cheaper one: ``domain.repricing``); the answer says both.

Every refusal says plainly what is wrong, because the attendant reads it to the customer at the
counter: a code with a typing mistake (its check character does not match), a code no voucher
has, a voucher past its expiry (with the date, in the venue's time), one already used (when
and on which seat), or a session a voucher cannot be added to (postpaid, or ended).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from compensator.domain import repricing
from compensator.domain import vouchers as codes
from compensator.domain.kinds import EntryKind, SessionMode, SessionState
from compensator.domain.ledger import balance
from compensator.domain.money import value_minor
from compensator.errors import Conflict, InvalidInput, InvalidState, NotFound, SessionEnded
from compensator.services import audit
from compensator.services.catalog import require_seat
from compensator.services.sessions.use_cases import begin_session, finish_session_change, snapshot
from compensator.services.sessions.views import SeatSessionView, load_session, seat_price
from compensator.store.database import UnitOfWork
from compensator.store.models import LedgerEntry, SeatSession, Voucher, VoucherRedemption

EXAMPLE_CODE = "ABC-DEF-GHJ"


@dataclass(frozen=True, slots=True)
class Redemption:
    """A voucher just redeemed: its code as printed, the minutes it gave, and the session it started or topped up.

    ``issued_minutes`` at ``issued_price_minor_per_hour`` are what it was issued for (its value in
    money, ``value_minor``); ``minutes`` what that value buys at ``price_minor_per_hour``, the
    price of the seat it was redeemed onto. The issuing price is None for a voucher issued before
    it was recorded: it gives its minutes anywhere.
    """

    code: str
    minutes: int
    started: bool
    session: SeatSessionView
    issued_minutes: int
    issued_price_minor_per_hour: int | None
    price_minor_per_hour: int

    @property
    def value_minor(self) -> int | None:
        """What the voucher is worth in money, fixed when it was issued (None if its issuing price is unknown)."""
        if self.issued_price_minor_per_hour is None:
            return None
        return value_minor(self.issued_minutes, self.issued_price_minor_per_hour)


def _local(uow: UnitOfWork, moment: datetime) -> str:
    return moment.astimezone(uow.settings.venue.tz).strftime("%d %b %Y at %H:%M")


def _find(uow: UnitOfWork, code: object) -> Voucher:
    if not isinstance(code, str) or not codes.tidy(code):
        raise InvalidInput("a voucher code is required", field="code")
    # As typed, before capitals: a sign whose capital is a letter of the alphabet ("ſ" is "S") is still no letter of it.
    typed = "".join(code.split()).replace("-", "")
    if len(typed) != codes.LENGTH:
        raise InvalidInput(f"a voucher code has {codes.LENGTH} characters, like {EXAMPLE_CODE}: "
                           f"this one has {len(typed)}", field="code")
    if not all(character.upper() in codes.ALPHABET and character.isascii() for character in typed):
        raise InvalidInput("this code has a character no voucher has (vouchers have no 0, 1, I, L or O): "
                           "check it against the voucher", field="code")
    canonical = codes.normalize(typed)
    if canonical is None:
        # Well formed, but no voucher can have it (its check character does not match): unknown, like any other.
        raise NotFound("this code has a typing mistake: check it against the voucher", field="code")
    # Locked, so that two counters redeeming one voucher queue here and the second hears it is used.
    voucher = uow.db.scalar(select(Voucher).where(Voucher.code == canonical).with_for_update())
    if voucher is None:
        raise NotFound(f"no voucher has the code {codes.display(canonical)}", field="code")
    return voucher


def _already_used(uow: UnitOfWork, voucher: Voucher) -> Conflict | None:
    used = uow.db.execute(select(VoucherRedemption.at, VoucherRedemption.seat_id)
                          .where(VoucherRedemption.voucher_id == voucher.id)).one_or_none()
    if used is None:
        return None
    return Conflict(f"voucher {codes.display(voucher.code)} was already used on {_local(uow, used.at)} "
                    f"on seat {used.seat_id}", field="code")


def _require_usable(uow: UnitOfWork, voucher: Voucher) -> None:
    used = _already_used(uow, voucher)
    if used is not None:
        raise used
    if voucher.expires_at <= uow.now():
        raise InvalidState(f"voucher {codes.display(voucher.code)} expired on {_local(uow, voucher.expires_at)}",
                           field="code")


def _target(seat_id: object, session_id: object) -> None:
    if (seat_id is None) == (session_id is None):
        raise InvalidInput("redeem a voucher onto a free seat or onto a running session: give one of the two",
                           field="seat" if seat_id is None else "session")


def _minutes_at(uow: UnitOfWork, voucher: Voucher, seat_id: str) -> int:
    """The minutes the voucher's value buys at the seat's price (its own minutes at the issuing price)."""
    return repricing.voucher_minutes(voucher.minutes, voucher.price_minor_per_hour, seat_price(uow, seat_id))


def _onto_session(uow: UnitOfWork, session_id: object, voucher: Voucher, note: str,
                  actor: str) -> tuple[LedgerEntry, str, dict[str, object]]:
    loaded = load_session(uow, session_id)
    current = balance(loaded.facts, uow.now())
    if current.state is SessionState.ENDED:
        raise SessionEnded(f"the session on seat {current.seat_id} has ended: redeem the voucher onto a free seat",
                           field="session")
    if loaded.facts.mode is SessionMode.POSTPAID:
        raise InvalidState(f"the session on seat {current.seat_id} is postpaid, billed at the end: a voucher tops "
                           "up a prepaid session, or starts one on a free seat", field="session")
    # The customer paid for these minutes when the voucher was issued: they are not charged again.
    entry = LedgerEntry(seat_session_id=loaded.row.id, kind=EntryKind.VOUCHER_REDEMPTION,
                        minutes=_minutes_at(uow, voucher, current.seat_id),
                        value_minor=0, created_at=uow.now(), actor=actor, note=note)
    uow.db.add(entry)
    return entry, current.seat_id, snapshot(current)


def _onto_free_seat(uow: UnitOfWork, seat_id: object, voucher: Voucher, note: str, customer_name: object,
                    language: object, actor: str) -> tuple[LedgerEntry, str]:
    seat = require_seat(uow, seat_id)
    session_id = begin_session(uow, seat_id=seat, minutes=_minutes_at(uow, voucher, seat),
                               entry_kind=EntryKind.VOUCHER_REDEMPTION,
                               customer_name=customer_name, language=language, actor=actor, note=note, charge=False)
    row = uow.db.get_one(SeatSession, session_id)
    return uow.db.scalars(select(LedgerEntry).where(LedgerEntry.seat_session_id == session_id)).one(), row.seat_id


def redeem_voucher(uow: UnitOfWork, code: object, *, seat_id: object = None, session_id: object = None,
                   customer_name: object = None, language: object = None, actor: str) -> Redemption:
    """Add a voucher's minutes to a running prepaid session, or start a session with them on a free seat; once."""
    _target(seat_id, session_id)
    voucher = _find(uow, code)
    _require_usable(uow, voucher)
    note = f"voucher {codes.display(voucher.code)}"
    before: dict[str, object] | None = None
    if session_id is None:
        entry, seat = _onto_free_seat(uow, seat_id, voucher, note, customer_name, language, actor)
    else:
        entry, seat, before = _onto_session(uow, session_id, voucher, note, actor)
    uow.db.flush()
    try:
        with uow.db.begin_nested():
            uow.db.add(VoucherRedemption(voucher_id=voucher.id, seat_session_id=entry.seat_session_id,
                                         ledger_entry_id=entry.id, seat_id=seat, at=uow.now(), actor=actor))
            uow.db.flush()
    except IntegrityError:
        # The lock in ``_find`` makes a second redemption wait for the first; the unique row is the last guard.
        used = _already_used(uow, voucher)
        assert used is not None
        raise used from None
    audit.record(uow, actor=actor, action="voucher.redeem", target_type="voucher", target_id=voucher.id,
                 after={"session": entry.seat_session_id, "minutes": entry.minutes, "seat": seat,
                        "issued_minutes": voucher.minutes})
    started = session_id is None
    view = finish_session_change(uow, entry.seat_session_id, "session.start" if started else "session.voucher",
                                 actor, before)
    return Redemption(codes.display(voucher.code), entry.minutes, started=started, session=view,
                      issued_minutes=voucher.minutes, issued_price_minor_per_hour=voucher.price_minor_per_hour,
                      price_minor_per_hour=seat_price(uow, seat))
