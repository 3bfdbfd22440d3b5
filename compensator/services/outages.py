"""Outage use cases: start, end, correct, confirm, dismiss, and settling their compensations.

Ending an outage compensates every affected seat session in the same transaction: the policy
runs in memory over data loaded in a fixed number of statements, and the credits, vouchers
and notices are written in batches, so the work does not grow in statements with the number
of sessions. Each (outage, session) pair has one compensation, ever, under a UNIQUE
constraint; a retried or raced end finds the outage already ended and changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, or_, select, union
from sqlalchemy.exc import IntegrityError

from compensator.domain.darkness import OutageFacts, SeatDarkness
from compensator.domain.figures import CompensationFigures
from compensator.domain.kinds import (
    CompensationForm,
    CompensationStatus,
    OutageKind,
    OutageSource,
    OutageStatus,
    RevisionAction,
)
from compensator.domain.policy import CompensationInput, CompensationResult, PriorCompensation, compensate
from compensator.domain.terms import ZoneTerms
from compensator.errors import InvalidInput, InvalidState, NotFound, require_id
from compensator.services import audit, parsing
from compensator.services.outage_views import CompensationView, OutageView, outage_views
from compensator.services.scopes import resolve_scope, scope_key, scope_seats
from compensator.services.credits import CreditOrder, Delivered, apply_credits
from compensator.services.sessions import LoadedSession, load_sessions, sessions_not_ended_before
from compensator.store.database import UnitOfWork
from compensator.store.models import (
    Compensation,
    CompensationAdjustment,
    Notice,
    Outage,
    OutageRevision,
    SeatSession,
)

COUNTED_STATUSES = (OutageStatus.ONGOING, OutageStatus.ENDED)


# --- input checks -------------------------------------------------------------------------


# --- reading


def _lock_outage(uow: UnitOfWork, outage_id: object) -> Outage:
    outage_id = require_id(outage_id, "outage")
    outage = uow.db.scalar(select(Outage).where(Outage.id == outage_id).with_for_update())
    if outage is None:
        raise NotFound(f"unknown outage {outage_id}", field="outage")
    return outage


# --- starting -----------------------------------------------------------------------------


def _revision(uow: UnitOfWork, outage: Outage, action: RevisionAction, actor: str, reason: str | None = None) -> OutageRevision:
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
        raise InvalidInput("ended_at must not be before started_at", field="ended_at")
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
            Outage.status.in_((OutageStatus.SUSPECTED, OutageStatus.ONGOING))))
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
    return OutageView(**{**_as_dict(view), "created": created})


def _as_dict(view: OutageView) -> dict[str, object]:
    return {name: getattr(view, name) for name in OutageView.__slots__}


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
        raise InvalidInput("ended_at must not be before the outage started", field="ended_at")
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
    _revision(uow, outage, RevisionAction.DISMISS, actor, parsing.note(reason, "reason"))
    audit.record(uow, actor=actor, action="outage.dismiss", target_type="outage", target_id=outage.id,
                 after={"status": outage.status.value})
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
        raise InvalidInput("the outage cannot end before it starts", field="ended_at")
    if (start, end) == (outage.started_at, outage.ended_at):
        shown = " to ".join(_seconds(uow, moment) for moment in (start, end) if moment is not None)
        raise InvalidInput(f"the correction changes nothing: outage {outage.id} already runs {shown}",
                           field="started_at" if started_at is not None else "ended_at")
    before = {"started_at": outage.started_at.isoformat(),
              "ended_at": outage.ended_at.isoformat() if outage.ended_at else None}
    outage.started_at, outage.ended_at = start, end
    revision = _revision(uow, outage, RevisionAction.CORRECT, actor, text_reason)
    uow.db.flush()
    if outage.status is OutageStatus.ENDED:
        settle(uow, outage, actor=actor, revision=revision)
    audit.record(uow, actor=actor, action="outage.correct", target_type="outage", target_id=outage.id,
                 before=before, after={"started_at": start.isoformat(),
                                       "ended_at": end.isoformat() if end else None, "reason": text_reason})
    uow.db.flush()
    view = outage_views(uow, [outage])[0]
    uow.commit()
    return view


def _seconds(uow: UnitOfWork, moment: datetime) -> str:
    return moment.astimezone(uow.settings.venue.tz).strftime("%d %b %H:%M:%S")


# --- settling compensations ---------------------------------------------------------------


def _facts(uow: UnitOfWork, outage: Outage) -> OutageFacts:
    return OutageFacts(outage.id, outage.kind, outage.started_at, outage.ended_at,
                       scope_seats(uow, outage.scope_kind, list(outage.scope_ids)))


@dataclass(frozen=True, slots=True)
class NewCompensation:
    """The columns of a compensation row about to be written."""

    outage_id: int
    seat_session_id: int
    seat_id: str
    dark_start: datetime
    dark_end: datetime
    lost_minutes: int
    restart_minutes: int
    lost_work_minutes: int
    goodwill_minutes: int
    extras_minutes: int
    credit_minutes: int
    granted_minutes: int
    opened_stretch: bool
    form: CompensationForm
    value_minor: int
    status: CompensationStatus
    policy_fingerprint: str
    explanation: str
    created_at: datetime
    applied_at: datetime | None

    def row(self) -> dict[str, object]:
        """The column values, for an INSERT."""
        return {name: getattr(self, name) for name in self.__slots__}

    def view(self, compensation_id: int, notice_id: int | None, voucher_codes: tuple[str, ...]) -> CompensationView:
        """The view of the row once written under ``compensation_id``."""
        return CompensationView(
            id=compensation_id, outage_id=self.outage_id, session_id=self.seat_session_id, seat_id=self.seat_id,
            lost_minutes=self.lost_minutes, restart_minutes=self.restart_minutes,
            lost_work_minutes=self.lost_work_minutes, goodwill_minutes=self.goodwill_minutes,
            extras_minutes=self.extras_minutes, credit_minutes=self.credit_minutes,
            granted_minutes=self.granted_minutes, waived_minutes=max(self.granted_minutes - self.credit_minutes, 0),
            form=self.form, value_minor=self.value_minor, status=self.status, explanation=self.explanation,
            policy_fingerprint=self.policy_fingerprint, dark_start=self.dark_start, dark_end=self.dark_end,
            created_at=self.created_at, applied_at=self.applied_at, approved_by=None, notice_id=notice_id,
            voucher_codes=voucher_codes)


def _new_compensation(result: CompensationResult, outage: Outage, session_id: int, now: datetime) -> NewCompensation:
    """The new compensation row of ``result``."""
    assert result.figures is not None and result.seat_id
    status = CompensationStatus.AWAITING_APPROVAL if result.needs_approval else CompensationStatus.APPLIED
    return NewCompensation(
        outage_id=outage.id, seat_session_id=session_id, seat_id=result.seat_id, **result.figures.columns(),
        granted_minutes=0 if result.needs_approval else result.figures.credit_minutes, status=status,
        policy_fingerprint=result.policy_fingerprint, explanation=result.explanation, created_at=now,
        applied_at=None if result.needs_approval else now,
    )


def settle(uow: UnitOfWork, outage: Outage, *, actor: str,
           revision: OutageRevision | None = None) -> tuple[CompensationView, ...] | None:
    """Compute and write the compensations of an ended outage; unchanged figures write nothing.

    A session compensated already is left as it is, unless ``revision`` (a correction of the
    outage's times) asks for its compensation to be recomputed. Settling an outage for the
    first time returns the views of its compensations (read back otherwise: None).
    """
    assert outage.ended_at is not None
    now = uow.now()
    settings = uow.settings
    candidate_ids = sessions_not_ended_before(outage.started_at, outage.ended_at)
    # The rows to recompute after a correction, or only which sessions already have one.
    already: dict[int, Compensation] = {}
    if revision is not None:
        already = {row.seat_session_id: row for row in uow.db.scalars(
            select(Compensation).where(Compensation.outage_id == outage.id))}
        compensated = set(already)
    else:
        compensated = set(uow.db.scalars(
            select(Compensation.seat_session_id).where(Compensation.outage_id == outage.id)))
    if already:
        # A correction may have shrunk the outage: sessions compensated before stay in view.
        candidate_ids = select(SeatSession.id).where(SeatSession.id.in_(union(
            candidate_ids, select(Compensation.seat_session_id).where(Compensation.outage_id == outage.id))))
    candidates = load_sessions(uow.db, candidate_ids)
    if not candidates:
        return None if compensated else ()
    earliest = min(item.facts.started_at for item in candidates.values())
    outages = tuple(
        _facts(uow, other) for other in uow.db.scalars(select(Outage).where(
            Outage.status.in_(COUNTED_STATUSES), Outage.started_at <= now,
            or_(Outage.ended_at.is_(None), Outage.ended_at >= earliest)))
    )
    prior: dict[int, list[PriorCompensation]] = defaultdict(list)
    for session_id, *figures in uow.db.execute(
            select(Compensation.seat_session_id, Compensation.outage_id, Compensation.lost_minutes,
                   Compensation.extras_minutes, Compensation.opened_stretch)
            .where(Compensation.seat_session_id.in_(candidate_ids), Compensation.outage_id != outage.id)
    ).tuples():
        prior[session_id].append(PriorCompensation(*figures))
    seat_terms = {
        seat.id: ZoneTerms(settings.zone(seat.zone_id).ups_minutes, settings.zone(seat.zone_id).price_minor_per_hour)
        for seat in settings.seats
    }
    this = _facts(uow, outage)
    darkness = SeatDarkness(this, outages, seat_terms, now)
    new_rows: list[tuple[NewCompensation, CompensationResult]] = []
    orders: list[CreditOrder] = []
    for session_id, loaded in candidates.items():
        if session_id in compensated and revision is None:
            continue
        result = compensate(CompensationInput(
            session=loaded.facts, outage=this, outages=outages, prior=tuple(prior[session_id]),
            seat_terms=seat_terms, policy=settings.policy, timezone=settings.venue.tz, now=now, darkness=darkness))
        if session_id in already:
            assert revision is not None
            order = _adjust(uow, already[session_id], result, loaded, revision, now)
            if order is not None:
                orders.append(order)
        elif result.compensated:
            new_rows.append((_new_compensation(result, outage, session_id, now), result))
    created: list[tuple[int, NewCompensation]] = []
    if new_rows:
        # One multi-row INSERT, then one SELECT for the new ids, whatever the number of sessions.
        uow.db.execute(insert(Compensation.__table__), [row.row() for row, _ in new_rows])
        written = {row.seat_session_id: (row, result) for row, result in new_rows}
        for compensation_id, session_id in uow.db.execute(
                select(Compensation.id, Compensation.seat_session_id)
                .where(Compensation.outage_id == outage.id).order_by(Compensation.id)).tuples():
            if session_id not in written:
                continue
            row, result = written[session_id]
            created.append((compensation_id, row))
            if row.status is not CompensationStatus.APPLIED:
                continue
            assert result.seat_id is not None and result.figures is not None
            # The policy chose the form and saw the paid end at this same instant.
            orders.append(CreditOrder(
                compensation_id=compensation_id, seat_id=result.seat_id, lost_minutes=result.figures.lost_minutes,
                value_minor=result.figures.value_minor, session=candidates[session_id],
                minutes=result.figures.credit_minutes, form=result.figures.form, paid_end=result.paid_end))
    delivered = apply_credits(uow, orders, outage=outage, actor=actor)
    if compensated:
        return None
    return _created_views(uow, outage, created, delivered)


def _created_views(uow: UnitOfWork, outage: Outage, created: list[tuple[int, NewCompensation]],
                   delivered: Delivered) -> tuple[CompensationView, ...]:
    """The views of an outage's first compensations, from what was just written (and the notices' ids)."""
    if not created:
        return ()
    notices = dict(uow.db.execute(
        select(Notice.compensation_id, Notice.id).join(Compensation, Compensation.id == Notice.compensation_id)
        .where(Compensation.outage_id == outage.id)).tuples().all())
    return tuple(row.view(compensation_id, notices.get(compensation_id),
                          delivered.voucher_codes.get(compensation_id, ()))
                 for compensation_id, row in created)


def _adjust(uow: UnitOfWork, row: Compensation, result: CompensationResult, loaded: LoadedSession,
            revision: OutageRevision, now: datetime) -> CreditOrder | None:
    """Bring an existing compensation to the recomputed figures; never take anything back."""
    previous_credit = row.credit_minutes
    # A session that no longer lost anything keeps its dark span and form, with every amount at zero.
    figures = result.figures or CompensationFigures.from_columns(row).cleared()
    unchanged = (figures.lost_minutes, figures.credit_minutes, result.explanation) == (
        row.lost_minutes, row.credit_minutes, row.explanation)
    if unchanged:
        return None
    for name, value in figures.columns().items():
        # The form stays the one the credit was given in; only an approval below sets it.
        if name != "form":
            setattr(row, name, value)
    row.policy_fingerprint = result.policy_fingerprint
    row.explanation = result.explanation
    order: CreditOrder | None = None
    topup = 0
    if row.status is CompensationStatus.AWAITING_APPROVAL:
        if not result.needs_approval and figures.credit_minutes > 0:
            # The correction brought the credit under the approval threshold: it applies now.
            row.status = CompensationStatus.APPLIED
            row.applied_at = now
            row.granted_minutes = figures.credit_minutes
            row.form = figures.form
            order = CreditOrder(compensation_id=row.id, seat_id=row.seat_id, lost_minutes=row.lost_minutes,
                                value_minor=row.value_minor, session=loaded, minutes=figures.credit_minutes,
                                form=figures.form, paid_end=result.paid_end)
    elif figures.credit_minutes > row.granted_minutes:
        topup = figures.credit_minutes - row.granted_minutes
        row.granted_minutes = figures.credit_minutes
        order = CreditOrder(compensation_id=row.id, seat_id=row.seat_id, lost_minutes=row.lost_minutes,
                            value_minor=row.value_minor, session=loaded, minutes=topup, topup=True,
                            revision_id=revision.id, form=figures.form, paid_end=result.paid_end)
    waived = max(row.granted_minutes - figures.credit_minutes, 0) if row.status is CompensationStatus.APPLIED else 0
    uow.db.add(CompensationAdjustment(
        compensation_id=row.id, revision_id=revision.id, at=now, previous_credit_minutes=previous_credit,
        credit_minutes=figures.credit_minutes, topup_minutes=topup, waived_minutes=waived,
        explanation=result.explanation))
    return order


# --- approval -----------------------------------------------------------------------------


def approve_compensation(uow: UnitOfWork, compensation_id: object, *, actor: str) -> CompensationView:
    """A manager accepts a large credit: it is applied now."""
    compensation_id = require_id(compensation_id, "compensation")
    row = uow.db.scalar(select(Compensation).where(Compensation.id == compensation_id).with_for_update())
    if row is None:
        raise NotFound(f"unknown compensation {compensation_id}", field="compensation")
    if row.status is not CompensationStatus.AWAITING_APPROVAL:
        raise InvalidState(f"compensation {row.id} is already applied")
    outage = uow.db.get(Outage, row.outage_id)
    assert outage is not None
    loaded = load_sessions(uow.db, [row.seat_session_id])[row.seat_session_id]
    row.status = CompensationStatus.APPLIED
    row.applied_at = uow.now()
    row.approved_by = actor
    row.granted_minutes = row.credit_minutes
    delivered = apply_credits(uow, [CreditOrder(
        compensation_id=row.id, seat_id=row.seat_id, lost_minutes=row.lost_minutes, value_minor=row.value_minor,
        session=loaded, minutes=row.credit_minutes)], outage=outage, actor=actor)
    row.form = delivered.forms[row.id]
    audit.record(uow, actor=actor, action="compensation.approve", target_type="compensation", target_id=row.id,
                 after={"credit_minutes": row.credit_minutes})
    uow.db.flush()
    view = next(item for item in outage_views(uow, [outage])[0].compensations if item.id == row.id)
    uow.commit()
    return view
