"""Outage use cases: start, end, correct, confirm, dismiss an outage, and approve a large credit.

Each is one short function in one unit of work: check the input (``parsing``, ``scopes``),
change the outage and record the change as a revision, settle its compensations in the same
transaction (``settlement``), audit, commit, and return the outage as read back
(``outage_views``). A retried or raced end finds the outage already ended and changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.exc import IntegrityError

from compensator.domain import vouchers
from compensator.domain.kinds import (
    CompensationStatus,
    OutageKind,
    OutageSource,
    OutageStatus,
    RevisionAction,
)
from compensator.errors import InvalidInput, InvalidState, NotFound, TimeOutOfRange, require_id
from compensator.services import audit, parsing
from compensator.services.outages.scopes import resolve_scope, scope_key, scope_seats
from compensator.services.outages.settlement import (
    CorrectionInProgress,
    settle,
    settle_correction,
    settle_leaver,
)
from compensator.services.outages.views import OutageView, outage_views
from compensator.services.sessions.views import LeavingCredit
from compensator.store.database import UnitOfWork
from compensator.store.models import (
    Outage,
    OutageRevision,
)

# --- input checks -------------------------------------------------------------------------


# --- reading


# Built once: every click on an outage runs it.
OUTAGE_FOR_UPDATE = select(Outage).where(Outage.id == bindparam("outage_id")).with_for_update()


def _lock_outage(uow: UnitOfWork, outage_id: object) -> Outage:
    outage_id = require_id(outage_id, "outage")
    outage = uow.db.scalar(OUTAGE_FOR_UPDATE, {"outage_id": outage_id})
    if outage is None:
        raise NotFound(f"unknown outage {outage_id}", field="outage")
    return outage


# --- starting -----------------------------------------------------------------------------


def _revision(uow: UnitOfWork, outage: Outage, action: RevisionAction, actor: str,
              reason: str | None = None) -> OutageRevision:
    revision = OutageRevision(outage_id=outage.id, action=action, at=uow.now(), actor=actor,
                              started_at=outage.started_at, ended_at=outage.ended_at, status=outage.status,
                              reason=reason)
    uow.db.add(revision)
    return revision


def start_outage(
    uow: UnitOfWork,
    *,
    kind: object = OutageKind.POWER,
    zones: object = None,
    seats: object = None,
    started_at: object = None,
    ended_at: object = None,
    source: object = OutageSource.MANUAL,
    note: object = None,
    suspected: bool = False,
    actor: str,
) -> OutageView:
    """Open an outage, or return the open one of the same kind and scope (``created`` tells which).

    A suspected outage (raised by heartbeats or a server gap) waits for an attendant to confirm
    it; it may already have an end.
    """
    outage_kind = parsing.outage_kind(kind)
    outage_source = parsing.outage_source(source)
    scope_kind, scope_ids = resolve_scope(uow, zones, seats)
    start = parsing.past_moment(started_at, "started_at", uow.now()) if started_at is not None else uow.now()
    end = parsing.past_moment(ended_at, "ended_at", uow.now()) if ended_at is not None else None
    if end is not None and end < start:
        raise TimeOutOfRange("ended_at must not be before started_at", field="ended_at")
    if end is not None and not suspected:
        raise InvalidInput("only a suspected outage can be recorded with its end", field="ended_at")
    text_note = parsing.note(note)
    key = scope_key(scope_kind, scope_ids)
    outage = Outage(kind=outage_kind, scope_kind=scope_kind, scope_ids=scope_ids, scope_key=key,
                    started_at=start, ended_at=end, source=outage_source,
                    status=OutageStatus.SUSPECTED if suspected else OutageStatus.ONGOING,
                    actor=actor, note=text_note, created_at=uow.now())
    try:
        with uow.db.begin_nested():
            uow.db.add(outage)
            uow.db.flush()
    except IntegrityError:
        # Another click or counter opened the same outage first: return that one.
        existing = uow.db.scalar(select(Outage).where(
            Outage.kind == outage_kind, Outage.scope_key == key,
            or_(Outage.status == OutageStatus.ONGOING,
                and_(Outage.status == OutageStatus.SUSPECTED, Outage.ended_at.is_(None)))))
        if existing is None:
            raise
        return _opened(uow, existing, created=False)
    _revision(uow, outage, RevisionAction.START, actor)
    audit.record(uow, actor=actor, action="outage.start", target_type="outage", target_id=outage.id,
                 after={"kind": outage_kind.value, "scope": key, "started_at": start.isoformat(),
                        "source": outage_source.value, "status": outage.status.value})
    return _opened(uow, outage, created=True)


def _opened(uow: UnitOfWork, outage: Outage, *, created: bool) -> OutageView:
    uow.db.flush()
    view = outage_views(uow, [outage])[0]
    uow.commit()
    return replace(view, created=created)


# --- ending, confirming, dismissing -------------------------------------------------------


def end_outage(uow: UnitOfWork, outage_id: object, *, ended_at: object = None, actor: str) -> OutageView:
    """Power is back: end the outage and compensate every affected session, once."""
    outage = _lock_outage(uow, outage_id)
    if outage.status is OutageStatus.ENDED:
        return outage_views(uow, [outage])[0]
    if outage.status is OutageStatus.DISMISSED:
        raise InvalidState(f"outage {outage.id} was dismissed")
    end = parsing.past_moment(ended_at, "ended_at", uow.now()) if ended_at is not None else uow.now()
    if outage.ended_at is not None:
        end = outage.ended_at
    if end < outage.started_at:
        raise TimeOutOfRange("ended_at must not be before the outage started", field="ended_at")
    outage.ended_at = end
    if outage.status is OutageStatus.ONGOING:
        outage.status = OutageStatus.ENDED
    _revision(uow, outage, RevisionAction.END, actor)
    created = settle(uow, outage, actor=actor) if outage.status is OutageStatus.ENDED else ()
    audit.record(uow, actor=actor, action="outage.end", target_type="outage", target_id=outage.id,
                 after={"ended_at": end.isoformat(), "status": outage.status.value})
    uow.db.flush()
    # A venue-wide outage has hundreds of compensations: those just written are not read back.
    view = outage_views(uow, [outage], created)[0]
    uow.commit()
    return view


def compensate_leaver(uow: UnitOfWork, session_id: int, seat_id: str, *, actor: str,
                      at: datetime) -> tuple[LeavingCredit, ...]:
    """A customer ending their session while their seat is dark is compensated now, for each outage going on over it.

    What they lost is known as they leave (SPEC section 3, rule 2 amended): the letter and the
    voucher are ready before they walk out, rather than at Power back.
    """
    credits: list[LeavingCredit] = []
    for outage in uow.db.scalars(select(Outage).where(Outage.status == OutageStatus.ONGOING)
                                 .order_by(Outage.started_at, Outage.id)):
        if seat_id not in scope_seats(uow, outage.scope_kind, list(outage.scope_ids)):
            continue
        for view in settle_leaver(uow, outage, session_id, actor=actor, at=at):
            credits.append(LeavingCredit(
                compensation_id=view.id, outage_id=view.outage_id, credit_minutes=view.figures.credit_minutes,
                carried_minutes=view.figures.carried_minutes, form=view.figures.form,
                awaiting_approval=view.status is CompensationStatus.AWAITING_APPROVAL, notice_id=view.notice_id,
                voucher_codes=tuple(vouchers.display(code) for code in view.voucher_codes)))
    return tuple(credits)


def end_ongoing_outages(uow: UnitOfWork, outage_id: object = None, *, actor: str) -> list[OutageView]:
    """Power is back everywhere: end the outage named, or every ongoing one, and compensate."""
    targets = [outage_id] if outage_id is not None else list(uow.db.scalars(
        select(Outage.id).where(Outage.status == OutageStatus.ONGOING).order_by(Outage.id)))
    return [end_outage(uow, target, actor=actor) for target in targets]


def confirm_outage(uow: UnitOfWork, outage_id: object, *, actor: str) -> OutageView:
    """Accept a suspected outage as real; if it already ended, compensate at once."""
    outage = _lock_outage(uow, outage_id)
    if outage.status is not OutageStatus.SUSPECTED:
        raise InvalidState(f"outage {outage.id} is {outage.status.value}, not suspected")
    outage.status = OutageStatus.ENDED if outage.ended_at is not None else OutageStatus.ONGOING
    try:
        with uow.db.begin_nested():
            uow.db.flush()
    except IntegrityError:
        raise InvalidState("an outage of the same kind and scope is already ongoing: dismiss this one") from None
    _revision(uow, outage, RevisionAction.CONFIRM, actor)
    if outage.status is OutageStatus.ENDED:
        settle(uow, outage, actor=actor)
    audit.record(uow, actor=actor, action="outage.confirm", target_type="outage", target_id=outage.id,
                 after={"status": outage.status.value})
    uow.db.flush()
    view = outage_views(uow, [outage])[0]
    uow.commit()
    return view


def dismiss_outage(uow: UnitOfWork, outage_id: object, *, reason: object = None, actor: str) -> OutageView:
    """Reject a suspected outage: nobody is compensated for it."""
    outage = _lock_outage(uow, outage_id)
    if outage.status is not OutageStatus.SUSPECTED:
        raise InvalidState(f"only a suspected outage can be dismissed; outage {outage.id} is {outage.status.value}")
    outage.status = OutageStatus.DISMISSED
    why = parsing.note(reason, "reason")
    _revision(uow, outage, RevisionAction.DISMISS, actor, why)
    audit.record(uow, actor=actor, action="outage.dismiss", target_type="outage", target_id=outage.id,
                 after={"status": outage.status.value, "reason": why})
    uow.db.flush()
    view = outage_views(uow, [outage])[0]
    uow.commit()
    return view


def correct_outage(uow: UnitOfWork, outage_id: object, *, started_at: object = None, ended_at: object = None,
                   reason: object, actor: str) -> OutageView:
    """Revise an outage's times; its compensations are recomputed and differences appended."""
    outage = _lock_outage(uow, outage_id)
    text_reason = parsing.note(reason, "reason")
    if text_reason is None:
        raise InvalidInput("a correction needs a reason", field="reason")
    if started_at is None and ended_at is None:
        raise InvalidInput("the correction changes nothing: give a new started_at, ended_at or both",
                           field="started_at")
    if outage.status is OutageStatus.DISMISSED:
        raise InvalidState(f"outage {outage.id} was dismissed")
    start = parsing.past_moment(started_at, "started_at", uow.now()) if started_at is not None else outage.started_at
    end = parsing.past_moment(ended_at, "ended_at", uow.now()) if ended_at is not None else outage.ended_at
    if ended_at is not None and outage.ended_at is None:
        raise InvalidState(f"outage {outage.id} is still going on: end it instead", field="ended_at")
    if end is not None and end < start:
        raise TimeOutOfRange("the outage cannot end before it starts", field="ended_at")
    if (start, end) == (outage.started_at, outage.ended_at):
        shown = " to ".join(_seconds(uow, moment) for moment in (start, end) if moment is not None)
        raise InvalidState(f"the correction changes nothing: outage {outage.id} already runs {shown}",
                           field="started_at" if started_at is not None else "ended_at")
    before = {"started_at": outage.started_at.isoformat(),
              "ended_at": outage.ended_at.isoformat() if outage.ended_at else None}
    started_before, ended_before = outage.started_at, outage.ended_at
    outage.started_at, outage.ended_at = start, end
    revision = _revision(uow, outage, RevisionAction.CORRECT, actor, text_reason)
    uow.db.flush()
    if outage.status is OutageStatus.ENDED:
        assert ended_before is not None
        # The explanation names the person, as the ledger's actor label holds "role:name".
        assert end is not None
        correction = CorrectionInProgress(outage.id, revision, started_before, ended_before, start, end,
                                          actor.rpartition(":")[2])
        settle_correction(uow, outage, correction, actor=actor)
    audit.record(uow, actor=actor, action="outage.correct", target_type="outage", target_id=outage.id,
                 before=before, after={"started_at": start.isoformat(),
                                       "ended_at": end.isoformat() if end else None, "reason": text_reason})
    uow.db.flush()
    view = outage_views(uow, [outage])[0]
    uow.commit()
    return view


def _seconds(uow: UnitOfWork, moment: datetime) -> str:
    return moment.astimezone(uow.settings.venue.tz).strftime("%d %b %H:%M:%S")
