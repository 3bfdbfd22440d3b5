"""Settling an ended outage: compute each affected session's compensation and write it, once.

The policy runs in memory over data loaded in a fixed number of statements (once for all the
sessions alike, ``domain.batch``), and the new compensations are written in one driver-level
``executemany`` under ids reserved first (``store.bulk``; their credits, vouchers and notices by
``credits.apply_credits``), so the work does not grow in statements with the number of
sessions. Each (outage, session) pair has one compensation, ever, under a UNIQUE constraint.

After a correction of the outage's times the compensations are recomputed, and what follows
for each credit is rule 11's (``domain.policy.correct_credit``): a compensation keeps its first
figures and explanation, and each change is appended as an adjustment with its own figures and
its own explanation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Select, bindparam, exists, or_, select, union

from compensator.domain.batch import CompensationBatch
from compensator.domain.breakdown import CorrectionChange, CorrectionOutcome
from compensator.domain.darkness import OutageFacts
from compensator.domain.explanation import explain_correction
from compensator.domain.figures import CompensationFigures
from compensator.domain.kinds import CompensationStatus, OutageStatus
from compensator.domain.ledger import balance
from compensator.domain.policy import CompensationInput, CompensationResult, choose_form, compensate, correct_credit
from compensator.domain.records import record
from compensator.domain.stretches import PriorCompensation
from compensator.domain.venue_day import next_closing
from compensator.services.outages.credits import CreditOrder, Delivered, apply_credits
from compensator.services.outages.scopes import scope_seats
from compensator.services.outages.views import CompensationView, adjustments_of
from compensator.services.sessions.views import LoadedSession, SessionLoader, load_sessions, sessions_not_ended_before
from compensator.services.sources.evidence import claim_heartbeats_at_power_back, dark_evidence
from compensator.store.bulk import fetch_tuples, insert_tuples, reserve_ids
from compensator.store.conditions import outage_counts
from compensator.store.database import UnitOfWork
from compensator.store.models import Compensation, CompensationAdjustment, Outage, OutageRevision, SeatSession

# The columns a new compensation is written with, in the order of ``NewCompensation.values``.
COMPENSATION_COLUMNS = ("id", "outage_id", "seat_session_id", "seat_id", "policy_fingerprint", "granted_minutes",
                        "status", "explanation", "created_at", "applied_at", *CompensationFigures.names())


@dataclass(frozen=True, slots=True)
class CorrectionInProgress:
    """A correction being settled: the corrected outage, its revision, its times before and after, and who made it.

    Settling another outage with it recomputes that outage's compensations for a correction of
    an overlapping one (the minutes they counted moved).
    """

    outage_id: int
    revision: OutageRevision
    started_before: datetime
    ended_before: datetime
    started_after: datetime
    ended_after: datetime
    by: str
    # Set for a correction from a seat's evidence rather than of the outage's times: what it said, in words.
    evidence: str | None = None


@record
class NewCompensation:
    """A compensation row about to be written: whose it is, its figures, and the state of its credit."""

    outage_id: int
    seat_session_id: int
    seat_id: str
    figures: CompensationFigures
    policy_fingerprint: str
    granted_minutes: int
    status: CompensationStatus
    explanation: str
    created_at: datetime
    applied_at: datetime | None

    def values(self, compensation_id: int) -> tuple[object, ...]:
        """The row's values under ``compensation_id``, in the order of ``COMPENSATION_COLUMNS``."""
        return (compensation_id, self.outage_id, self.seat_session_id, self.seat_id, self.policy_fingerprint,
                self.granted_minutes, self.status, self.explanation, self.created_at, self.applied_at,
                *self.figures.values())

    def view(self, compensation_id: int, notice_id: int | None, voucher_codes: tuple[str, ...]) -> CompensationView:
        """The view of the row once written under ``compensation_id``."""
        return CompensationView(
            id=compensation_id, outage_id=self.outage_id, session_id=self.seat_session_id, seat_id=self.seat_id,
            figures=self.figures, granted_minutes=self.granted_minutes, status=self.status,
            explanation=self.explanation, policy_fingerprint=self.policy_fingerprint, created_at=self.created_at,
            applied_at=self.applied_at, approved_by=None, notice_id=notice_id, voucher_codes=voucher_codes)

    @classmethod
    def of(cls, result: CompensationResult, outage: Outage, session_id: int, now: datetime,
           explanation: str) -> NewCompensation:
        """The new compensation row of ``result``, whose explanation is ``explanation``."""
        assert result.figures is not None and result.seat_id
        waits = result.needs_approval
        return cls(
            outage_id=outage.id, seat_session_id=session_id, seat_id=result.seat_id, figures=result.figures,
            policy_fingerprint=result.policy_fingerprint, granted_minutes=0 if waits else result.figures.credit_minutes,
            status=CompensationStatus.AWAITING_APPROVAL if waits else CompensationStatus.APPLIED,
            explanation=explanation, created_at=now, applied_at=None if waits else now)


def outage_facts(uow: UnitOfWork, outage: Outage) -> OutageFacts:
    """An outage as the policy sees it."""
    return OutageFacts(outage.id, outage.kind, outage.started_at, outage.ended_at,
                       scope_seats(uow, outage.scope_kind, list(outage.scope_ids)))


def adjusted_figures(uow: UnitOfWork,
                     compensation_ids: Select[tuple[int]] | list[int]) -> dict[int, CompensationFigures]:
    """The figures of the newest adjustment of each compensation selected that a correction adjusted."""
    return {compensation_id: adjustments[-1].figures
            for compensation_id, adjustments in adjustments_of(uow, compensation_ids).items()}


def current_figures(uow: UnitOfWork, compensation_ids: Select[tuple[int]]) -> dict[int, CompensationFigures]:
    """The figures that stand now for each compensation selected: its newest adjustment's, or its first."""
    current = adjusted_figures(uow, compensation_ids)
    for compensation_id, *values in uow.db.execute(
            select(Compensation.id, *(getattr(Compensation, name) for name in CompensationFigures.names()))
            .where(Compensation.id.in_(compensation_ids))).tuples():
        if compensation_id not in current:
            current[compensation_id] = CompensationFigures.from_values(values)
    return current


def settle(uow: UnitOfWork, outage: Outage, *, actor: str,
           correction: CorrectionInProgress | None = None) -> tuple[CompensationView, ...] | None:
    """Compute and write the compensations of an ended outage; unchanged figures write nothing.

    A session compensated already is left as it is, unless ``correction`` (of the outage's
    times) asks for its compensation to be recomputed. Settling an outage for the first time
    returns the views of its compensations (read back otherwise: None).
    """
    assert outage.ended_at is not None
    now = uow.now()
    settings = uow.settings
    own_ids = select(Compensation.id).where(Compensation.outage_id == outage.id)
    # The rows to recompute after a correction, or only which sessions already have one.
    already: dict[int, Compensation] = {}
    if correction is not None:
        already = {row.seat_session_id: row for row in uow.db.scalars(
            select(Compensation).where(Compensation.outage_id == outage.id))}
        compensated = set(already)
    else:
        compensated = {session_id for (session_id,) in fetch_tuples(uow.db, COMPENSATED, {"outage_id": outage.id})}
    if correction is None:
        # At Power back: the seats whose PCs stayed on through the cut, by their heartbeats.
        claim_heartbeats_at_power_back(uow, outage)
    reads = RECOMPUTED_CANDIDATES if already else FIRST_CANDIDATES
    window = {"start": outage.started_at, "end": outage.ended_at, "outage_id": outage.id}
    candidates = reads.sessions.load(uow.db, window)
    if not candidates:
        return None if compensated else ()
    earliest = min(item.facts.started_at for item in candidates.values())
    outages = _outages_since(uow, earliest, now)
    prior = _prior(uow, reads, window)
    standing = current_figures(uow, own_ids) if already else {}
    this = outage_facts(uow, outage)
    # Sessions alike share the policy's work (``domain.batch``).
    batch = CompensationBatch(this, outages, settings.seat_terms, settings.policy, settings.venue.tz, now,
                              closing=next_closing(now, settings.venue.tz, settings.venue.closing_time),
                              evidence=dark_evidence(uow, {other.id for other in outages} | {outage.id}))
    new_rows: list[tuple[NewCompensation, CompensationResult]] = []
    orders: list[CreditOrder] = []
    for session_id, loaded in candidates.items():
        if session_id in compensated and correction is None:
            continue
        result = batch.compensate(loaded.facts, tuple(prior[session_id]))
        if session_id in already:
            assert correction is not None
            row = already[session_id]
            order = _adjust(uow, row, standing[row.id], result, loaded, correction)
            if order is not None:
                orders.append(order)
        elif result.compensated:
            new_rows.append((NewCompensation.of(result, outage, session_id, now, batch.explanation(result)), result))
    created = _insert(uow, new_rows, candidates, orders)
    delivered = apply_credits(uow, orders, outage=outage, actor=actor)
    if compensated:
        return None
    return _created_views(created, delivered)


def settle_leaver(uow: UnitOfWork, outage: Outage, session_id: int, *, actor: str,
                  at: datetime) -> tuple[CompensationView, ...]:
    """Compensate a customer who ended their session while their seat was dark, as they leave (rule 2, amended).

    What they lost is known then, ``at`` the end of their session: all the paid time they had
    left. ``outage`` may still be going on; when it ends, this session is compensated already and
    left as it is. Nothing is written for a session the outage did not leave dark at its end (its
    UPS still held, say).
    """
    if uow.db.scalar(select(Compensation.id).where(Compensation.outage_id == outage.id,
                                                   Compensation.seat_session_id == session_id)) is not None:
        return ()
    now = at
    settings = uow.settings
    candidates = load_sessions(uow.db, [session_id], authors=False)
    loaded = candidates[session_id]
    window = {"start": outage.started_at, "end": now, "outage_id": outage.id}
    prior = _prior(uow, FIRST_CANDIDATES, window)[session_id]
    result = compensate(CompensationInput(
        session=loaded.facts, outage=outage_facts(uow, outage),
        outages=_outages_since(uow, loaded.facts.started_at, now), prior=tuple(prior),
        seat_terms=settings.seat_terms, policy=settings.policy, timezone=settings.venue.tz, now=now))
    if not result.left_while_dark or not result.compensated:
        return ()
    orders: list[CreditOrder] = []
    created = _insert(uow, [(NewCompensation.of(result, outage, session_id, now, result.explanation), result)],
                      candidates, orders)
    return _created_views(created, apply_credits(uow, orders, outage=outage, actor=actor))


# The statements of a close, built once as named constants (building one costs several times
# what running it does) and run with their parameters bound (``store.bulk.fetch_tuples``).
COMPENSATED = select(Compensation.seat_session_id).where(Compensation.outage_id == bindparam("outage_id"))
OUTAGES_AROUND = select(Outage.id, Outage.kind, Outage.started_at, Outage.ended_at, Outage.scope_kind,
                        Outage.scope_ids).where(
    outage_counts(), Outage.started_at <= bindparam("now"),
    or_(Outage.ended_at.is_(None), Outage.ended_at >= bindparam("earliest"))).order_by(Outage.started_at, Outage.id)


class CandidateReads:
    """The reads of the sessions an outage may compensate, and of what each already received for other outages."""

    def __init__(self, candidate_ids: Select[tuple[int]]) -> None:
        self.sessions = SessionLoader(candidate_ids)
        # The compensations a correction adjusted are flagged, so that only those have their
        # adjustments read (rarely any).
        adjusted_flag = exists().where(CompensationAdjustment.compensation_id == Compensation.id)
        self.received = select(
            Compensation.id, Compensation.seat_session_id, Compensation.outage_id, Compensation.lost_minutes,
            Compensation.extras_minutes, Compensation.opened_stretch, adjusted_flag).where(
            Compensation.seat_session_id.in_(candidate_ids), Compensation.outage_id != bindparam("outage_id"))


# The sessions that held a seat during ``[start, end)``; after a correction also those compensated
# already for ``outage_id`` (a correction may have shrunk the outage).
HELD_DURING = sessions_not_ended_before(bindparam("start"), bindparam("end"))
FIRST_CANDIDATES = CandidateReads(HELD_DURING)
RECOMPUTED_CANDIDATES = CandidateReads(select(SeatSession.id).where(SeatSession.id.in_(union(
    HELD_DURING, select(Compensation.seat_session_id).where(Compensation.outage_id == bindparam("outage_id"))))))


def _outages_since(uow: UnitOfWork, earliest: datetime, now: datetime) -> tuple[OutageFacts, ...]:
    """The counted outages that began by ``now`` and went on at ``earliest`` or later, as the policy sees them."""
    return tuple(
        OutageFacts(outage_id, kind, started_at, ended_at, scope_seats(uow, scope_kind, list(scope_ids)))
        for outage_id, kind, started_at, ended_at, scope_kind, scope_ids in fetch_tuples(
            uow.db, OUTAGES_AROUND, {"earliest": earliest, "now": now}))


def _prior(uow: UnitOfWork, reads: CandidateReads,
           window: dict[str, object]) -> dict[int, list[PriorCompensation]]:
    """What each candidate session already received for other outages, as it stands after corrections.

    One statement, which also tells which of them a correction adjusted; only those (rarely
    any) have their adjustments read, in a second one.
    """
    rows = fetch_tuples(uow.db, reads.received, window)
    adjusted_ids = [row[0] for row in rows if row[-1]]
    adjusted = adjusted_figures(uow, adjusted_ids) if adjusted_ids else {}
    prior: dict[int, list[PriorCompensation]] = defaultdict(list)
    for compensation_id, session_id, outage_id, lost, extras, opened, _ in rows:
        # As ``current_figures`` gives them, from the columns just read when no correction adjusted it.
        figures = adjusted.get(compensation_id)
        if figures is not None:
            lost, extras, opened = figures.lost_minutes, figures.extras_minutes, figures.opened_stretch
        prior[session_id].append(PriorCompensation(outage_id, lost, extras, opened))
    return prior


def _insert(uow: UnitOfWork, new_rows: list[tuple[NewCompensation, CompensationResult]],
            candidates: dict[int, LoadedSession], orders: list[CreditOrder]) -> list[tuple[int, NewCompensation]]:
    """Write the new compensations and add the credits of those applied at once to ``orders``."""
    if not new_rows:
        return []
    # Their ids are reserved first, so that their credits and notices can name them: one
    # statement for the ids, one for the rows, whatever the number of sessions.
    ids = reserve_ids(uow.db, Compensation.__table__, len(new_rows))
    created = [(compensation_id, row) for compensation_id, (row, _) in zip(ids, new_rows, strict=True)]
    insert_tuples(uow.db, Compensation.__table__, COMPENSATION_COLUMNS,
                  [row.values(compensation_id) for compensation_id, row in created])
    for compensation_id, (row, result) in zip(ids, new_rows, strict=True):
        if row.status is CompensationStatus.APPLIED:
            # The policy chose the form and saw the paid end at this same instant.
            orders.append(_first_credit(compensation_id, row.seat_id, row.figures, candidates[row.seat_session_id],
                                        result))
    return created


def _first_credit(compensation_id: int, seat_id: str, figures: CompensationFigures, session: LoadedSession,
                  result: CompensationResult) -> CreditOrder:
    """The whole credit of a compensation, in the form the policy chose at this same instant."""
    return CreditOrder(compensation_id=compensation_id, seat_id=seat_id, figures=figures, session=session,
                       minutes=figures.credit_minutes, form=figures.form, paid_end=result.paid_end,
                       left_while_dark=result.left_while_dark)


def _created_views(created: list[tuple[int, NewCompensation]], delivered: Delivered) -> tuple[CompensationView, ...]:
    """The views of an outage's first compensations, from what was just written."""
    return tuple(row.view(compensation_id, delivered.notice_ids.get(compensation_id),
                          delivered.voucher_codes.get(compensation_id, ()))
                 for compensation_id, row in created)


def _adjust(uow: UnitOfWork, row: Compensation, current: CompensationFigures, result: CompensationResult,
            loaded: LoadedSession, correction: CorrectionInProgress) -> CreditOrder | None:
    """Append the recomputation of ``row`` as an adjustment, as rule 11 decides (``policy.correct_credit``).

    Nothing is written when the amounts stand as they were. The compensation's own figures and
    explanation stay as first written; only the state of its credit moves (what was granted, and
    an approval that a smaller credit no longer needs).
    """
    decided = correct_credit(row.status, row.granted_minutes, current, result.figures, result.needs_approval)
    if decided is None:
        return None
    now = uow.now()
    figures = decided.figures
    order: CreditOrder | None = None
    if decided.status is not row.status:
        row.status, row.applied_at = decided.status, now
    if decided.outcome is CorrectionOutcome.NOW_APPLIED or (decided.topup_minutes and row.granted_minutes == 0):
        # Nothing was ever given (it waited for a manager, or nothing was due): this is its first credit.
        row.form = figures.form
        order = _first_credit(row.id, row.seat_id, figures, loaded, result)
    else:
        # What was given keeps its form (a bill reduction stays one once the bill is closed); a
        # top-up takes the form the session can take now (a voucher once it has ended). Figures
        # of which nothing is due any more say what the recomputation rested on.
        figures = replace(figures, form=row.form, dark_basis=result.breakdown.basis)
        if decided.topup_minutes:
            position = balance(loaded.facts, now)
            topup_form = choose_form(loaded.facts.mode, position.state)
            order = CreditOrder(compensation_id=row.id, seat_id=row.seat_id, figures=figures, session=loaded,
                                minutes=decided.topup_minutes, topup=True, revision_id=correction.revision.id,
                                form=topup_form, paid_end=position.paid_end)
    row.granted_minutes = decided.granted_minutes
    change = CorrectionChange(
        started_before=correction.started_before, started_after=correction.started_after,
        ended_before=correction.ended_before, ended_after=correction.ended_after, by=correction.by,
        lost_before=current.lost_minutes, lost_after=figures.lost_minutes, credit_before=current.credit_minutes,
        credit_after=figures.credit_minutes, outcome=decided.outcome, topup_minutes=decided.topup_minutes,
        topup_form=order.form if order is not None and decided.topup_minutes else None,
        waived_minutes=decided.waived_minutes,
        corrected_outage_id=None if correction.outage_id == row.outage_id else correction.outage_id,
        evidence=correction.evidence)
    adjustment = CompensationAdjustment(
        compensation_id=row.id, revision_id=correction.revision.id, at=now,
        previous_credit_minutes=current.credit_minutes, topup_minutes=decided.topup_minutes,
        waived_minutes=decided.waived_minutes,
        explanation=explain_correction(change, result.breakdown, uow.settings.venue.tz),
        policy_fingerprint=result.policy_fingerprint, **figures.columns())
    uow.db.add(adjustment)
    # A top-up names its adjustment: once the first letter was handed over, it has a short letter of its own.
    return replace(order, adjustment=adjustment) if order is not None and order.topup else order


def settle_correction(uow: UnitOfWork, outage: Outage, correction: CorrectionInProgress, *, actor: str) -> None:
    """Recompute the compensations of a corrected outage, then of every ended outage overlapping it.

    An overlapping outage counted only the minutes the corrected one had not: when those move,
    its compensations move too (a cut that counted nothing may now be owed minutes). The outages
    that overlap or touch the corrected one's old or new times, and those that touch them in
    turn, are recomputed in the order they began.
    """
    settle(uow, outage, actor=actor, correction=correction)
    low = min(correction.started_before, correction.started_after)
    high = max(correction.ended_before, correction.ended_after)
    ended = list(uow.db.scalars(select(Outage).where(
        Outage.status == OutageStatus.ENDED, Outage.id != outage.id).order_by(Outage.started_at, Outage.id)))
    affected: list[Outage] = []
    grown = True
    while grown:
        grown = False
        for other in ended:
            assert other.ended_at is not None
            if other not in affected and other.started_at <= high and other.ended_at >= low:
                affected.append(other)
                low, high = min(low, other.started_at), max(high, other.ended_at)
                grown = True
    for other in sorted(affected, key=lambda item: (item.started_at, item.id)):
        settle(uow, other, actor=actor, correction=correction)
