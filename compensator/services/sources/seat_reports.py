"""Corrections from a seat's evidence after Power back (SPEC section 3, rules 1 amended and 11; issue 24).

A seat agent that starts again on a PC that lost power reports when the PC went down, as an
interval in the server's time (its last-alive record, and when the next one was due). The
seat went dark at the start of that interval: the last moment it is known alive, the benefit
of the doubt (at most one record's interval) going to the customer, as seconds are rounded up.
A first heartbeat after a silence whose PC's uptime began before an outage shows the PC stayed
on through it. Either is claimed once per seat and outage and recomputes the outage's
compensations (and those of the outages overlapping it) through the path of a manager's
correction (``settlement.settle_correction``), recorded as
an ``evidence`` revision of the outage: a top-up when the customer lost more, nothing taken
back when less (waived), the waiting letter reworded or a short new one when it was handed over.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from compensator.domain.explanation import measured_words
from compensator.domain.kinds import DarkBasis, OutageKind, OutageStatus, RevisionAction
from compensator.services.outages.scopes import scope_seats
from compensator.services.outages.settlement import CorrectionInProgress, settle_correction
from compensator.services.sources.evidence import (
    EVIDENCE_WINDOW,
    claim,
    compensated,
    evidence_claimed,
    outages_to_correct,
    report_row,
)
from compensator.store.database import UnitOfWork, insert_unless_present
from compensator.store.models import Outage, OutageRevision, SeatPowerReport


def correct_from_evidence(uow: UnitOfWork, outage: Outage, seat_id: str, basis: DarkBasis, dark_from: datetime | None,
                          *, actor: str, report_id: int | None = None) -> bool:
    """Claim the seat's evidence for ``outage`` and recompute its compensations; False when claimed before."""
    if not claim(uow, outage, seat_id, basis, dark_from, actor=actor, report_id=report_id):
        return False
    assert outage.ended_at is not None
    timezone = uow.settings.venue.tz
    rated = uow.settings.seat_terms[seat_id].ups_minutes if seat_id in uow.settings.seat_terms else 0
    if dark_from is None:
        words = f"seat {seat_id}'s PC showed it stayed on through the cut"
    else:
        words = f"seat {seat_id}: " + measured_words(basis, outage.started_at, max(dark_from, outage.started_at),
                                                     rated, timezone)
    revision = OutageRevision(outage_id=outage.id, action=RevisionAction.EVIDENCE, at=uow.now(), actor=actor,
                              started_at=outage.started_at, ended_at=outage.ended_at, status=outage.status,
                              reason=words)
    uow.db.add(revision)
    uow.db.flush()
    correction = CorrectionInProgress(outage.id, revision, outage.started_at, outage.ended_at, outage.started_at,
                                      outage.ended_at, actor.rpartition(":")[2], evidence=words)
    # The seat's evidence moves its darkness over the whole cut it is part of: the outages
    # overlapping this one are recomputed too, as after a manager's correction.
    settle_correction(uow, outage, correction, actor=actor)
    return True


def record_power_report(uow: UnitOfWork, seat_id: str, down_after: datetime, down_before: datetime,
                        booted_at: datetime | None, *, actor: str) -> str:
    """A seat agent's report that its PC went down: recorded once, and each outage it falls in corrected once.

    Returns what it did, in words (also kept with the report).
    """
    known = report_row(uow, seat_id, down_after)
    if known is not None:
        return known.outcome
    outages, why_not = outages_to_correct(uow, seat_id, down_after)
    claimed = evidence_claimed(uow, seat_id, [outage.id for outage in outages], DarkBasis.SEAT_REPORT)
    outcome = "; ".join(
        f"outage {outage.id}: " + ("this seat's evidence was already counted" if outage.id in claimed else "recomputed")
        for outage in outages) or why_not or "nothing to correct"
    values = {"seat_id": seat_id, "down_after": down_after, "down_before": down_before, "booted_at": booted_at,
              "received_at": uow.now(), "outcome": outcome}
    if not insert_unless_present(uow.db, SeatPowerReport.__table__, values):
        # The same report, raced by a repeat of it: that one does the work.
        known = report_row(uow, seat_id, down_after)
        return known.outcome if known is not None else outcome
    report = report_row(uow, seat_id, down_after)
    assert report is not None
    for outage in outages:
        if outage.id not in claimed:
            correct_from_evidence(uow, outage, seat_id, DarkBasis.SEAT_REPORT, down_after, actor=actor,
                                  report_id=report.id)
    return outcome


def uptime_evidence(uow: UnitOfWork, seat_id: str, booted_at: datetime, *, actor: str) -> None:
    """A seat heard from again whose PC booted before recent outages over it: it stayed on through them."""
    since = uow.now() - EVIDENCE_WINDOW
    for outage in uow.db.scalars(select(Outage).where(
            Outage.kind == OutageKind.POWER, Outage.status == OutageStatus.ENDED, Outage.ended_at >= since,
            Outage.started_at >= booted_at).order_by(Outage.started_at, Outage.id)):
        if seat_id not in scope_seats(uow, outage.scope_kind, list(outage.scope_ids)):
            continue
        if compensated(uow, outage.id, seat_id):
            correct_from_evidence(uow, outage, seat_id, DarkBasis.HEARTBEATS, None, actor=actor)
        else:
            # Nothing to correct: the evidence is kept, and a later recomputation uses it.
            claim(uow, outage, seat_id, DarkBasis.HEARTBEATS, None, actor=actor)
