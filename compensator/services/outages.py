"""Outage use cases: start, end, correct, confirm, dismiss, and settling their compensations.

Ending an outage compensates every affected seat session in the same transaction: the policy
runs in memory over data loaded in a fixed number of statements, and the credits, vouchers
and notices are written in batches, so the work does not grow in statements with the number
of sessions. Each (outage, session) pair has one compensation, ever, under a UNIQUE
constraint; a retried or raced end finds the outage already ended and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, or_, select, union
from sqlalchemy.exc import IntegrityError

from compensator.clock import as_utc
from compensator.domain.darkness import OutageFacts, SeatDarkness
from compensator.domain.figures import CompensationFigures
from compensator.domain.kinds import (
    CompensationForm,
    CompensationStatus,
    OutageKind,
    OutageSource,
    OutageStatus,
    ScopeKind,
)
from compensator.domain.policy import CompensationInput, CompensationResult, PriorCompensation, compensate
from compensator.domain.terms import ZoneTerms
from compensator.errors import IdempotencyConflict, InvalidInput, InvalidState, NotFound, require_id
from compensator.services import audit
from compensator.services.credits import CreditOrder, Delivered, apply_credits
from compensator.services.sessions import LoadedSession, load_sessions, sessions_not_ended_before
from compensator.store.database import UnitOfWork
from compensator.store.models import (
    Compensation,
    CompensationAdjustment,
    IdempotencyKey,
    Notice,
    Outage,
    OutageRevision,
    SeatSession,
    Voucher,
)

# Back-dating is for a cut noticed late or a server that was down overnight, not for history.
MAX_BACKDATE = timedelta(days=7)
MAX_NOTE_LENGTH = 500
COUNTED_STATUSES = (OutageStatus.ONGOING, OutageStatus.ENDED)


@dataclass(frozen=True, slots=True)
class CompensationView:
    """One compensation with its current totals."""

    id: int
    outage_id: int
    session_id: int
    seat_id: str
    lost_minutes: int
    restart_minutes: int
    lost_work_minutes: int
    goodwill_minutes: int
    extras_minutes: int
    credit_minutes: int
    granted_minutes: int
    waived_minutes: int
    form: CompensationForm
    value_minor: int
    status: CompensationStatus
    explanation: str
    policy_fingerprint: str
    dark_start: datetime
    dark_end: datetime
    created_at: datetime
    applied_at: datetime | None
    approved_by: str | None
    notice_id: int | None
    voucher_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OutageView:
    """An outage with its compensations."""

    id: int
    kind: OutageKind
    scope_kind: ScopeKind
    scope_ids: tuple[str, ...]
    started_at: datetime
    ended_at: datetime | None
    source: OutageSource
    status: OutageStatus
    actor: str
    note: str | None
    revisions: int
    compensations: tuple[CompensationView, ...]
    created: bool = False


# --- input checks -------------------------------------------------------------------------


def _parse_kind(kind: object) -> OutageKind:
    try:
        return OutageKind(kind)
    except ValueError:
        raise InvalidInput("kind must be power or network", field="kind") from None


def _parse_source(source: object) -> OutageSource:
    try:
        return OutageSource(source)
    except ValueError:
        raise InvalidInput("source must be one of " + ", ".join(item.value for item in OutageSource),
                           field="source") from None


def _id_list(value: object, field: str) -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        raise InvalidInput(f"{field} must be a non-empty list", field=field)
    if any(not isinstance(item, str) or not item.strip() for item in value):
        raise InvalidInput(f"{field} must be a list of ids", field=field)
    return sorted({item.strip() for item in value})


def resolve_scope(uow: UnitOfWork, zones: object = None, seats: object = None) -> tuple[ScopeKind, list[str]]:
    """The scope of an outage from optional zone or seat lists; unknown ids are refused."""
    if zones is not None and seats is not None:
        raise InvalidInput("give zones or seats, not both", field="zones")
    if zones is not None:
        zone_ids = _id_list(zones, "zones")
        unknown = [zone for zone in zone_ids if zone not in uow.settings.zones_by_id]
        if unknown:
            raise NotFound("unknown zone " + ", ".join(unknown), field="zones")
        return ScopeKind.ZONES, zone_ids
    if seats is not None:
        seat_ids = _id_list(seats, "seats")
        unknown = [seat for seat in seat_ids if seat not in uow.settings.seats_by_id]
        if unknown:
            raise NotFound("unknown seat " + ", ".join(unknown), field="seats")
        return ScopeKind.SEATS, seat_ids
    return ScopeKind.VENUE, []


def scope_key(scope_kind: ScopeKind, scope_ids: list[str]) -> str:
    """A canonical text of a scope, equal for equal scopes."""
    return scope_kind.value if scope_kind is ScopeKind.VENUE else f"{scope_kind.value}:{','.join(scope_ids)}"


def scope_seats(uow: UnitOfWork, scope_kind: ScopeKind, scope_ids: list[str]) -> frozenset[str]:
    """The seats an outage scope covers."""
    seats = uow.settings.seats
    if scope_kind is ScopeKind.VENUE:
        return frozenset(seat.id for seat in seats)
    if scope_kind is ScopeKind.ZONES:
        return frozenset(seat.id for seat in seats if seat.zone_id in scope_ids)
    return frozenset(scope_ids)


def _moment(uow: UnitOfWork, value: object, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise InvalidInput(f"{field} must be a date and time with its offset", field=field)
    try:
        moment = as_utc(value)
    except ValueError:
        raise InvalidInput(f"{field} must include a time zone offset", field=field) from None
    now = uow.now()
    if moment > now:
        raise InvalidInput(f"{field} cannot be in the future", field=field)
    if moment < now - MAX_BACKDATE:
        raise InvalidInput(f"{field} cannot be more than {MAX_BACKDATE.days} days ago", field=field)
    return moment


def _note(value: object, field: str = "note") -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field=field)
    value = value.strip()
    if len(value) > MAX_NOTE_LENGTH:
        raise InvalidInput(f"{field} must be at most {MAX_NOTE_LENGTH} characters", field=field)
    return value or None


# --- reading ------------------------------------------------------------------------------


def _lock_outage(uow: UnitOfWork, outage_id: object) -> Outage:
    outage_id = require_id(outage_id, "outage")
    outage = uow.db.scalar(select(Outage).where(Outage.id == outage_id).with_for_update())
    if outage is None:
        raise NotFound(f"unknown outage {outage_id}", field="outage")
    return outage


COMPENSATION_COLUMNS = (
    Compensation.outage_id, Compensation.id, Compensation.seat_session_id, Compensation.seat_id,
    Compensation.lost_minutes, Compensation.restart_minutes, Compensation.lost_work_minutes,
    Compensation.goodwill_minutes, Compensation.extras_minutes, Compensation.credit_minutes,
    Compensation.granted_minutes, Compensation.form, Compensation.value_minor, Compensation.status,
    Compensation.explanation, Compensation.policy_fingerprint, Compensation.dark_start, Compensation.dark_end,
    Compensation.created_at, Compensation.applied_at, Compensation.approved_by,
)


def _views(uow: UnitOfWork, outages: list[Outage],
           known: tuple[CompensationView, ...] | None = None) -> list[OutageView]:
    """The views of ``outages``; ``known`` gives the compensations of a single outage when the
    caller has them already."""
    # Plain column rows, not ORM objects: an outage over a whole venue has hundreds of them.
    ids = [outage.id for outage in outages]
    if not ids:
        return []
    rows = [] if known is not None else uow.db.execute(
        select(*COMPENSATION_COLUMNS).where(Compensation.outage_id.in_(ids)).order_by(Compensation.id)).tuples().all()
    notices: dict[int, int] = {}
    codes: dict[int, list[str]] = defaultdict(list)
    if rows:
        # Joined on the outage rather than listing every compensation id.
        notices = dict(uow.db.execute(
            select(Notice.compensation_id, Notice.id).join(Compensation, Compensation.id == Notice.compensation_id)
            .where(Compensation.outage_id.in_(ids))
        ).tuples().all())
        for compensation_id, code in uow.db.execute(
            select(Voucher.compensation_id, Voucher.code).join(Compensation, Compensation.id == Voucher.compensation_id)
            .where(Compensation.outage_id.in_(ids)).order_by(Voucher.id)
        ).tuples():
            codes[compensation_id].append(code)
    compensations: dict[int, list[CompensationView]] = defaultdict(list)
    for (outage_id, compensation_id, session_id, seat_id, lost, restart, lost_work, goodwill, extras, credit,
         granted, form, value, status, explanation, fingerprint, dark_start, dark_end, created_at, applied_at,
         approved_by) in rows:
        compensations[outage_id].append(CompensationView(
            id=compensation_id, outage_id=outage_id, session_id=session_id, seat_id=seat_id, lost_minutes=lost,
            restart_minutes=restart, lost_work_minutes=lost_work, goodwill_minutes=goodwill,
            extras_minutes=extras, credit_minutes=credit, granted_minutes=granted,
            waived_minutes=max(granted - credit, 0), form=form, value_minor=value, status=status,
            explanation=explanation, policy_fingerprint=fingerprint, dark_start=dark_start, dark_end=dark_end,
            created_at=created_at, applied_at=applied_at, approved_by=approved_by,
            notice_id=notices.get(compensation_id), voucher_codes=tuple(codes[compensation_id])))
    if known is not None:
        assert len(outages) == 1
        compensations[outages[0].id] = list(known)
    revisions: dict[int, int] = defaultdict(int)
    for outage_id in uow.db.scalars(select(OutageRevision.outage_id).where(OutageRevision.outage_id.in_(ids))):
        revisions[outage_id] += 1
    return [
        OutageView(
            id=outage.id,
            kind=outage.kind,
            scope_kind=outage.scope_kind,
            scope_ids=tuple(outage.scope_ids),
            started_at=outage.started_at,
            ended_at=outage.ended_at,
            source=outage.source,
            status=outage.status,
            actor=outage.actor,
            note=outage.note,
            revisions=revisions[outage.id],
            compensations=tuple(compensations[outage.id]),
        )
        for outage in outages
    ]


def get_outage(uow: UnitOfWork, outage_id: object) -> OutageView:
    """One outage with its compensations."""
    outage_id = require_id(outage_id, "outage")
    outage = uow.db.get(Outage, outage_id)
    if outage is None:
        raise NotFound(f"unknown outage {outage_id}", field="outage")
    return _views(uow, [outage])[0]


def list_outages(uow: UnitOfWork, *, start: datetime | None = None, end: datetime | None = None,
                 statuses: tuple[OutageStatus, ...] | None = None) -> list[OutageView]:
    """Outages that overlap ``[start, end)`` (all of them by default), oldest first."""
    query = select(Outage).order_by(Outage.started_at, Outage.id)
    if end is not None:
        query = query.where(Outage.started_at < end)
    if start is not None:
        query = query.where(or_(Outage.ended_at.is_(None), Outage.ended_at > start))
    if statuses:
        query = query.where(Outage.status.in_(statuses))
    return _views(uow, list(uow.db.scalars(query)))


def open_outages(uow: UnitOfWork) -> list[OutageView]:
    """The outages still suspected or ongoing."""
    return list_outages(uow, statuses=(OutageStatus.SUSPECTED, OutageStatus.ONGOING))


# --- starting -----------------------------------------------------------------------------


def _request_hash(payload: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _revision(uow: UnitOfWork, outage: Outage, action: str, actor: str, reason: str | None = None) -> OutageRevision:
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
    idempotency_key: str | None = None,
    actor: str,
) -> OutageView:
    """Open an outage, or return the open one of the same kind and scope (``created`` tells which).

    A suspected outage (raised by heartbeats or a server gap) waits for an attendant to confirm
    it; it may already have an end. With ``idempotency_key`` a retry returns the first result.
    """
    outage_kind = _parse_kind(kind)
    outage_source = _parse_source(source)
    scope_kind, scope_ids = resolve_scope(uow, zones, seats)
    start = _moment(uow, started_at, "started_at") if started_at is not None else uow.now()
    end = _moment(uow, ended_at, "ended_at") if ended_at is not None else None
    if end is not None and end < start:
        raise InvalidInput("ended_at must not be before started_at", field="ended_at")
    if end is not None and not suspected:
        raise InvalidInput("only a suspected outage can be recorded with its end", field="ended_at")
    text_note = _note(note)
    key = scope_key(scope_kind, scope_ids)
    request_hash = _request_hash({"kind": outage_kind.value, "scope": key, "started_at": started_at,
                                  "source": outage_source.value, "ended_at": ended_at})

    if idempotency_key is not None:
        previous = uow.db.get(IdempotencyKey, idempotency_key)
        if previous is not None:
            if previous.request_hash != request_hash or previous.resource_type != "outage":
                raise IdempotencyConflict("this Idempotency-Key was used for a different request")
            return get_outage(uow, previous.resource_id)

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
        return _remember_key(uow, idempotency_key, request_hash, existing, created=False)
    _revision(uow, outage, "start", actor)
    audit.record(uow, actor=actor, action="outage.start", target_type="outage", target_id=outage.id,
                 after={"kind": outage_kind.value, "scope": key, "started_at": start.isoformat(),
                        "source": outage_source.value, "status": outage.status.value})
    return _remember_key(uow, idempotency_key, request_hash, outage, created=True)


def _remember_key(uow: UnitOfWork, idempotency_key: str | None, request_hash: str, outage: Outage,
                  *, created: bool) -> OutageView:
    if idempotency_key is not None:
        uow.db.add(IdempotencyKey(key=idempotency_key, request_hash=request_hash, resource_type="outage",
                                  resource_id=outage.id, created_at=uow.now()))
    uow.db.flush()
    view = _views(uow, [outage])[0]
    uow.commit()
    return OutageView(**{**_as_dict(view), "created": created})


def _as_dict(view: OutageView) -> dict[str, object]:
    return {name: getattr(view, name) for name in OutageView.__slots__}


# --- ending, confirming, dismissing -------------------------------------------------------


def end_outage(uow: UnitOfWork, outage_id: object, *, ended_at: object = None, actor: str) -> OutageView:
    """Power is back: end the outage and compensate every affected session, once."""
    outage = _lock_outage(uow, outage_id)
    if outage.status is OutageStatus.ENDED:
        return _views(uow, [outage])[0]
    if outage.status is OutageStatus.DISMISSED:
        raise InvalidState(f"outage {outage.id} was dismissed")
    end = _moment(uow, ended_at, "ended_at") if ended_at is not None else uow.now()
    if outage.ended_at is not None:
        end = outage.ended_at
    if end < outage.started_at:
        raise InvalidInput("ended_at must not be before the outage started", field="ended_at")
    outage.ended_at = end
    if outage.status is OutageStatus.ONGOING:
        outage.status = OutageStatus.ENDED
    _revision(uow, outage, "end", actor)
    created = settle(uow, outage, actor=actor) if outage.status is OutageStatus.ENDED else ()
    audit.record(uow, actor=actor, action="outage.end", target_type="outage", target_id=outage.id,
                 after={"ended_at": end.isoformat(), "status": outage.status.value})
    uow.db.flush()
    # A venue-wide outage has hundreds of compensations: those just written are not read back.
    view = _views(uow, [outage], created)[0]
    uow.commit()
    return view


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
    _revision(uow, outage, "confirm", actor)
    if outage.status is OutageStatus.ENDED:
        settle(uow, outage, actor=actor)
    audit.record(uow, actor=actor, action="outage.confirm", target_type="outage", target_id=outage.id,
                 after={"status": outage.status.value})
    uow.db.flush()
    view = _views(uow, [outage])[0]
    uow.commit()
    return view


def dismiss_outage(uow: UnitOfWork, outage_id: object, *, reason: object = None, actor: str) -> OutageView:
    """Reject a suspected outage: nobody is compensated for it."""
    outage = _lock_outage(uow, outage_id)
    if outage.status is not OutageStatus.SUSPECTED:
        raise InvalidState(f"only a suspected outage can be dismissed; outage {outage.id} is {outage.status.value}")
    outage.status = OutageStatus.DISMISSED
    _revision(uow, outage, "dismiss", actor, _note(reason, "reason"))
    audit.record(uow, actor=actor, action="outage.dismiss", target_type="outage", target_id=outage.id,
                 after={"status": outage.status.value})
    uow.db.flush()
    view = _views(uow, [outage])[0]
    uow.commit()
    return view


def correct_outage(uow: UnitOfWork, outage_id: object, *, started_at: object = None, ended_at: object = None,
                   reason: object, actor: str) -> OutageView:
    """Revise an outage's times; its compensations are recomputed and differences appended."""
    outage = _lock_outage(uow, outage_id)
    text_reason = _note(reason, "reason")
    if text_reason is None:
        raise InvalidInput("a correction needs a reason", field="reason")
    if started_at is None and ended_at is None:
        raise InvalidInput("give started_at, ended_at or both", field="started_at")
    if outage.status is OutageStatus.DISMISSED:
        raise InvalidState(f"outage {outage.id} was dismissed")
    start = _moment(uow, started_at, "started_at") if started_at is not None else outage.started_at
    end = _moment(uow, ended_at, "ended_at") if ended_at is not None else outage.ended_at
    if ended_at is not None and outage.ended_at is None:
        raise InvalidState(f"outage {outage.id} is still going on: end it instead", field="ended_at")
    if end is not None and end < start:
        raise InvalidInput("the outage cannot end before it starts", field="ended_at")
    before = {"started_at": outage.started_at.isoformat(),
              "ended_at": outage.ended_at.isoformat() if outage.ended_at else None}
    outage.started_at, outage.ended_at = start, end
    revision = _revision(uow, outage, "correct", actor, text_reason)
    uow.db.flush()
    if outage.status is OutageStatus.ENDED:
        settle(uow, outage, actor=actor, revision=revision)
    audit.record(uow, actor=actor, action="outage.correct", target_type="outage", target_id=outage.id,
                 before=before, after={"started_at": start.isoformat(),
                                       "ended_at": end.isoformat() if end else None, "reason": text_reason})
    uow.db.flush()
    view = _views(uow, [outage])[0]
    uow.commit()
    return view


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
    view = next(item for item in _views(uow, [outage])[0].compensations if item.id == row.id)
    uow.commit()
    return view


def awaiting_approval(uow: UnitOfWork) -> list[CompensationView]:
    """Credits waiting for a manager, oldest first."""
    outage_ids = set(uow.db.scalars(select(Compensation.outage_id).where(
        Compensation.status == CompensationStatus.AWAITING_APPROVAL)))
    outages = list(uow.db.scalars(select(Outage).where(Outage.id.in_(outage_ids))))
    return sorted(
        (item for view in _views(uow, outages) for item in view.compensations
         if item.status is CompensationStatus.AWAITING_APPROVAL),
        key=lambda item: item.id,
    )

