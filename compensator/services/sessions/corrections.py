"""Correcting a mistaken sale: a manager reverses a purchase or an extension, in whole or in part.

The ledger is append-only, so a sale is never edited: a ``reversal`` entry is appended that
points at it, with the negated minutes and the money they were charged, and the reason the
manager gave. Only minutes the customer has not used yet can be taken back (while the session
runs, or what was left when it ended), and a sale is corrected once: the entry's ``reverses_id``
is unique, which settles two managers correcting the same sale at once. The bill, the balance
and the day's takings all read the reversal against what it reverses.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from compensator.domain.kinds import SALE_KINDS, EntryKind
from compensator.domain.ledger import MINUTE, EntryRecord, balance
from compensator.errors import Conflict, InvalidInput, InvalidState, NotFound, require_id
from compensator.services import parsing
from compensator.services.sessions.use_cases import finish_session_change, snapshot
from compensator.services.sessions.views import LoadedSession, SeatSessionView, load_session
from compensator.store.database import UnitOfWork
from compensator.store.models import LedgerEntry


def reverse_sale(uow: UnitOfWork, session_id: object, *, entry: object, minutes: object = None, reason: object,
                 actor: str) -> SeatSessionView:
    """Take back ``minutes`` (all by default) of the purchase or extension ``entry`` of a session, with a reason."""
    loaded = load_session(uow, session_id)
    sale = _sale(loaded, require_id(entry, "entry"))
    taken = sale.minutes if minutes is None else parsing.minutes(minutes)
    if taken > sale.minutes:
        raise InvalidState(f"entry {sale.id} sold {sale.minutes} min: at most that can be taken back", field="minutes")
    text_reason = parsing.note(reason, "reason")
    if text_reason is None:
        raise InvalidInput("correcting a sale needs a reason", field="reason")
    current = balance(loaded.facts, uow.now())
    # Whole minutes only: a started minute is being used.
    unused = current.remaining // MINUTE
    if taken > unused:
        raise InvalidState(f"only {unused} min of session {loaded.row.id}'s paid time are still unused: "
                           f"{taken} min cannot be taken back", field="minutes")
    try:
        with uow.db.begin_nested():
            uow.db.add(LedgerEntry(
                seat_session_id=loaded.row.id, kind=EntryKind.REVERSAL, minutes=-taken,
                value_minor=-_share_minor(sale, taken), created_at=uow.now(), actor=actor, note=text_reason,
                reverses_id=sale.id))
            uow.db.flush()
    except IntegrityError:
        raise _already_reversed(sale) from None
    return finish_session_change(uow, loaded.row.id, "session.reverse_sale", actor,
                                 {**snapshot(current), "entry": sale.id, "minutes": taken, "reason": text_reason})


def _sale(loaded: LoadedSession, entry_id: int) -> EntryRecord:
    """The session's purchase or extension ``entry_id``, not reversed yet."""
    entries = loaded.facts.entries
    sale = next((item for item in entries if item.id == entry_id), None)
    if sale is None:
        raise NotFound(f"session {loaded.row.id} has no entry {entry_id}", field="entry")
    if sale.kind not in SALE_KINDS:
        raise InvalidState(f"entry {entry_id} is a {sale.kind.value.replace('_', ' ')}: only a purchase or an "
                           "extension can be taken back", field="entry")
    if any(item.reverses_id == entry_id for item in entries):
        raise _already_reversed(sale)
    return sale


def _already_reversed(sale: EntryRecord) -> Conflict:
    return Conflict(f"entry {sale.id} was corrected already: a sale is corrected once", field="entry")


def _share_minor(sale: EntryRecord, minutes: int) -> int:
    """What ``minutes`` of ``sale`` were charged: its money in proportion, rounded half up (all of it for all)."""
    return (2 * sale.value_minor * minutes + sale.minutes) // (2 * sale.minutes)
