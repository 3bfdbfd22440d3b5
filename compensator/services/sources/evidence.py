"""What seats measured of their own power, turned into the policy's evidence (SPEC section 3, rule 1 amended).

Two moments bring evidence. At Power back (the outage's first settlement), a seat whose
heartbeats kept arriving through the cut, or whose PC's uptime shows it was on before the cut
and is heard from at its end, stayed on: ``heartbeats``. After Power back, a seat agent that
started again on a PC that lost power reports when it went down (``record_power_report``), and
the first heartbeat after a silence may show by its uptime that the PC never went down: each
is a correction from evidence, through the same adjustment path as a manager's correction of
the outage (``settlement``, rule 11: top up, never take back). Each seat's evidence for an
outage is claimed once (``SeatDarkEvidence``, UNIQUE per seat and outage) in the transaction
of its effect, so a report repeated, raced or replayed corrects exactly once. A report that
arrives more than ``EVIDENCE_WINDOW`` after the outage ended, or that no outage covers, changes
nothing and is recorded with why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select

from compensator.domain.darkness import DarkEvidence
from compensator.domain.kinds import DarkBasis, OutageKind, OutageStatus
from compensator.services.outages.scopes import scope_seats
from compensator.store.database import UnitOfWork, insert_unless_present
from compensator.store.models import Compensation, Outage, SeatDarkEvidence, SeatPowerReport
from compensator.store.operations import SeatHeartbeat

# A report later than this after the outage's end is recorded but changes nothing.
EVIDENCE_WINDOW = timedelta(hours=24)
# A PC's last record may be this much older than the moment the cut was recorded to begin (a
# click made after the lights went out) and still belong to the cut.
EARLY_SLACK = timedelta(minutes=2)


def dark_evidence(uow: UnitOfWork, outage_ids: Iterable[int]) -> dict[str, tuple[DarkEvidence, ...]]:
    """The evidence claimed for ``outage_ids``, by seat, as the policy takes it."""
    ids = list(outage_ids)
    found: dict[str, list[DarkEvidence]] = defaultdict(list)
    if ids:
        for seat_id, outage_id, basis, dark_from in uow.db.execute(
                select(SeatDarkEvidence.seat_id, SeatDarkEvidence.outage_id, SeatDarkEvidence.basis,
                       SeatDarkEvidence.dark_from).where(SeatDarkEvidence.outage_id.in_(ids))).tuples():
            found[seat_id].append(DarkEvidence(outage_id, DarkBasis(basis), dark_from))
    return {seat_id: tuple(items) for seat_id, items in found.items()}


def claim(uow: UnitOfWork, outage: Outage, seat_id: str, basis: DarkBasis, dark_from: datetime | None, *,
          actor: str, report_id: int | None = None) -> bool:
    """Claim the evidence of ``seat_id`` for ``outage`` on ``basis``; False when claimed before (nothing to do)."""
    held_until = dark_from if dark_from is not None else outage.ended_at
    assert held_until is not None
    # Looked for first: SQLite's guard of a kept row refuses even an insert that would do nothing
    # on its key. A race past this (two transactions at once) fails on the key and is retried.
    if uow.db.scalar(select(SeatDarkEvidence.id).where(
            SeatDarkEvidence.seat_id == seat_id, SeatDarkEvidence.outage_id == outage.id,
            SeatDarkEvidence.basis == basis)) is not None:
        return False
    return insert_unless_present(uow.db, SeatDarkEvidence.__table__, {
        "seat_id": seat_id, "outage_id": outage.id, "basis": basis.value, "dark_from": dark_from,
        "held_seconds": max(round((held_until - outage.started_at).total_seconds()), 0),
        "rated_minutes": uow.settings.seat_terms[seat_id].ups_minutes if seat_id in uow.settings.seat_terms else 0,
        "report_id": report_id, "at": uow.now(), "actor": actor})


def claim_heartbeats_at_power_back(uow: UnitOfWork, outage: Outage) -> None:
    """At an outage's first settlement: the seats whose PCs stayed on through it, by their heartbeats or uptime."""
    if outage.kind is not OutageKind.POWER or outage.ended_at is None:
        return
    seats = scope_seats(uow, outage.scope_kind, list(outage.scope_ids))
    # Heard from at the end: a heartbeat within the silence allowed before Power back, or after it.
    heard_by = outage.ended_at - timedelta(seconds=uow.settings.heartbeats.silent_after_seconds)
    for seat_id, beating_since, booted_at in uow.db.execute(
            select(SeatHeartbeat.seat_id, SeatHeartbeat.beating_since, SeatHeartbeat.booted_at).where(
                SeatHeartbeat.seat_id.in_(sorted(seats)), SeatHeartbeat.last_seen_at >= heard_by)).tuples():
        beating = beating_since is not None and beating_since <= outage.started_at
        up = booted_at is not None and booted_at <= outage.started_at
        if beating or up:
            claim(uow, outage, seat_id, DarkBasis.HEARTBEATS, None, actor="system:heartbeats")


def outages_to_correct(uow: UnitOfWork, seat_id: str, moment: datetime) -> tuple[list[Outage], str | None]:
    """The ended power outages over ``seat_id`` during which ``moment`` fell; else why none, in words."""
    now = uow.now()
    candidates = [outage for outage in uow.db.scalars(
        select(Outage).where(Outage.kind == OutageKind.POWER, Outage.status == OutageStatus.ENDED,
                             Outage.started_at <= moment + EARLY_SLACK, Outage.ended_at >= moment)
        .order_by(Outage.started_at, Outage.id))
        if seat_id in scope_seats(uow, outage.scope_kind, list(outage.scope_ids))]
    if not candidates:
        return [], "no ended power cut over this seat at that moment"
    recent = [outage for outage in candidates if outage.ended_at is not None
              and now - outage.ended_at <= EVIDENCE_WINDOW]
    if not recent:
        return [], f"too late: more than {EVIDENCE_WINDOW.total_seconds() / 3600:.0f} h after the cut ended"
    return recent, None


def compensated(uow: UnitOfWork, outage_id: int, seat_id: str) -> bool:
    """Whether a session on ``seat_id`` has a compensation for the outage."""
    return uow.db.scalar(select(Compensation.id).where(Compensation.outage_id == outage_id,
                                                       Compensation.seat_id == seat_id).limit(1)) is not None


def report_row(uow: UnitOfWork, seat_id: str, down_after: datetime) -> SeatPowerReport | None:
    """The report of ``seat_id``'s PC going down after ``down_after``, if it was recorded."""
    return uow.db.scalar(select(SeatPowerReport).where(SeatPowerReport.seat_id == seat_id,
                                                       SeatPowerReport.down_after == down_after))


def evidence_claimed(uow: UnitOfWork, seat_id: str, outage_ids: list[int], basis: DarkBasis) -> set[int]:
    """Those of ``outage_ids`` for which ``seat_id``'s evidence on ``basis`` was claimed already."""
    if not outage_ids:
        return set()
    return set(uow.db.scalars(select(SeatDarkEvidence.outage_id).where(
        SeatDarkEvidence.seat_id == seat_id, SeatDarkEvidence.outage_id.in_(outage_ids),
        SeatDarkEvidence.basis == basis)))
