"""Building a period's evidence from the database: rows read, then the outages, seats and totals.

The period is whole venue days, from the first day's midnight in the venue's time zone to the
midnight after the last; an outage that overlaps either edge is included whole. Every outage is
told, whatever its status: counted (ongoing or ended), suspected, or dismissed with its reason.
A compensation's figures are those standing after the latest correction; its value counts as
paid once it reached the customer (applied), as in the daily report.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from compensator.domain.kinds import CompensationStatus, RevisionAction
from compensator.domain.venue_day import date_of, day_bounds
from compensator.errors import InvalidInput
from compensator.report import rows as day_rows
from compensator.report.build import EARLIEST_REPORT_DATE
from compensator.report.data import CompensationRow
from compensator.report.evidence import rows, witness
from compensator.report.evidence.data import (
    STANDING_OF_STATUS,
    AdjustmentRow,
    CreditRow,
    Evidence,
    EvidenceOutage,
    EvidenceTotals,
    SeatLoss,
    Standing,
)
from compensator.services import parsing
from compensator.services.sources.equipment import StatusChange, changes_of
from compensator.store.database import UnitOfWork


def check_period(uow: UnitOfWork, first: object, last: object) -> tuple[date, date]:
    """The period from ``first`` to ``last`` (days like 2026-11-22), or ``InvalidInput`` naming the faulty field."""
    first_day = first if isinstance(first, date) else parsing.venue_day(first, field="from")
    last_day = last if isinstance(last, date) else parsing.venue_day(last, field="to")
    if first_day > last_day:
        raise InvalidInput(f"from {first_day.isoformat()} is after to {last_day.isoformat()}", field="from")
    today = date_of(uow.now(), uow.settings.venue.tz)
    if last_day > today:
        raise InvalidInput(f"{last_day.isoformat()} is in the future: there is no evidence for it yet", field="to")
    if first_day < EARLIEST_REPORT_DATE:
        raise InvalidInput(f"there is no evidence before {EARLIEST_REPORT_DATE.isoformat()}", field="from")
    return first_day, last_day


def _whole_minutes(start: datetime, end: datetime | None) -> int | None:
    return None if end is None else (end - start) // timedelta(minutes=1)


def _credit(row: CompensationRow, adjusted: tuple[AdjustmentRow, ...]) -> CreditRow:
    figures = row.figures
    paid = row.given_value_minor if row.status is CompensationStatus.APPLIED else 0
    return CreditRow(
        compensation_id=row.id, outage_id=row.outage_id, session_id=row.session_id, seat_id=row.seat_id,
        dark_start=figures.dark_start, dark_end=figures.dark_end, lost_minutes=figures.lost_minutes,
        credit_minutes=figures.credit_minutes, granted_minutes=row.granted_minutes, form=figures.form,
        value_minor=paid, status=row.status, decided_by=row.decided_by, decision_reason=row.decision_reason,
        explanation=row.explanation, adjustments=adjusted)


def build_evidence(uow: UnitOfWork, first: object, last: object) -> Evidence:
    """The evidence of every outage overlapping the venue days ``first`` to ``last``."""
    first_day, last_day = check_period(uow, first, last)
    settings = uow.settings
    tz = settings.venue.tz
    window_start, window_end = day_bounds(first_day, tz)[0], day_bounds(last_day, tz)[1]
    catalog = day_rows.load_catalog(uow)
    outages = day_rows.overlapping_outages(uow, window_start, window_end)
    ids = [outage.id for outage in outages]
    compensations = day_rows.day_compensations(uow, outages, set(ids), catalog).rows
    corrections = day_rows.corrections(uow, ids)
    revisions = rows.revisions(uow, ids)
    silences = rows.silences(uow, ids)
    gaps = rows.gaps(uow, ids)
    adjustments = rows.adjustments(uow, ids)

    credits_by_outage: dict[int, list[CreditRow]] = defaultdict(list)
    for compensation in compensations:
        credits_by_outage[compensation.outage_id].append(_credit(compensation, adjustments.get(compensation.id, ())))
    found = []
    for outage in outages:
        history = revisions.get(outage.id, [])
        dismissal = next((item for item in reversed(history) if item.action is RevisionAction.DISMISS), None)
        found.append(EvidenceOutage(
            id=outage.id, kind=outage.kind, scope_kind=outage.scope_kind, scope_ids=outage.scope_ids,
            source=outage.source, status=outage.status, standing=STANDING_OF_STATUS[outage.status],
            dismissed_reason=dismissal.reason if dismissal else None, started_at=outage.started_at,
            ended_at=outage.ended_at, minutes=_whole_minutes(outage.started_at, outage.ended_at), flaps=outage.flaps,
            actor=outage.actor, note=outage.note,
            traces=witness.traces(history, silences.get(outage.id, []), gaps.get(outage.id), outage.flaps, tz,
                                  _status_changes(uow, history, outage.started_at, outage.ended_at or window_end)),
            corrections=corrections.get(outage.id, ()), credits=tuple(credits_by_outage.get(outage.id, ()))))
    credits = [credit for outage in found for credit in outage.credits]
    return Evidence(
        venue_name=settings.venue.name, currency=settings.venue.currency, timezone=settings.venue.timezone,
        clock=settings.venue.clock, first_day=first_day, last_day=last_day, window_start=window_start,
        window_end=window_end, generated_at=uow.now(), outages=tuple(found),
        seats=_seats(credits, catalog), totals=_totals(found, credits))


def _status_changes(uow: UnitOfWork, history: list[rows.RevisionRow], start: datetime,
                    end: datetime) -> list[StatusChange]:
    """The status changes the UPSes that recorded an outage made during it, oldest first (none for another outage)."""
    names = tuple(sorted({item.actor.removeprefix(witness.UPS_PREFIX) for item in history
                          if item.actor.startswith(witness.UPS_PREFIX)}))
    return list(reversed(changes_of(uow, names, since=start, until=end))) if names else []


def _seats(credits: list[CreditRow], catalog: day_rows.Catalog) -> tuple[SeatLoss, ...]:
    """Each seat that lost time or got a credit, in seat order."""
    by_seat: dict[str, list[CreditRow]] = defaultdict(list)
    for credit in credits:
        by_seat[credit.seat_id].append(credit)
    return tuple(
        SeatLoss(seat_id=seat, zone_name=catalog.zone_names.get(catalog.zone_of_seat.get(seat, ""), ""),
                 outages=len({credit.outage_id for credit in items}),
                 lost_minutes=sum(credit.lost_minutes for credit in items),
                 granted_minutes=sum(credit.granted_minutes for credit in items),
                 value_minor=sum(credit.value_minor for credit in items))
        for seat, items in sorted(by_seat.items(), key=lambda pair: _seat_order(pair[0])))


def _seat_order(seat_id: str) -> tuple[str, int, str]:
    """A1, A2, ..., A10 rather than A1, A10, A2."""
    stem = seat_id.rstrip("0123456789")
    number = seat_id[len(stem):]
    return (stem, int(number) if number else -1, seat_id)


def _totals(outages: list[EvidenceOutage], credits: list[CreditRow]) -> EvidenceTotals:
    standings = [outage.standing for outage in outages]
    return EvidenceTotals(
        outages=len(outages), counted=standings.count(Standing.COUNTED), suspected=standings.count(Standing.SUSPECTED),
        dismissed=standings.count(Standing.DISMISSED),
        counted_minutes=sum(outage.minutes or 0 for outage in outages if outage.standing is Standing.COUNTED),
        corrections=sum(len(outage.corrections) for outage in outages), compensations=len(credits),
        lost_minutes=sum(credit.lost_minutes for credit in credits),
        granted_minutes=sum(credit.granted_minutes for credit in credits),
        value_minor=sum(credit.value_minor for credit in credits))
