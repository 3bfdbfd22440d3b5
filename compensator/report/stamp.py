"""What a closed day's report was built from, and whether any of it has changed since.

A report of a day that is over changes only when something about that day changes: one of
its outages is corrected, confirmed or dismissed, an outage is back-dated into it, one of its
compensations is created (a late confirmation), approved or given a notice, a seat's bridge in
a cut ended by then is measured late (its equipment section), or the venue's settings, seats,
zones or UPSes are edited. Everything else written later (the next day's sessions,
heartbeats, credits) is stamped with its own later time, after the day's window.

A ``DayStamp`` holds a digest of the code, the settings and the catalog the report was built
with, the id of the newest row of each table the report reads, and the outages it listed.
``unchanged_since`` asks the database, in one statement, whether any row newer than those
marks concerns the day; it reads only the rows written since (the ids grow), not the day.

Only where ids grow in commit order (``store.database.ids_follow_commits``: a SQLite file);
on PostgreSQL a row with a smaller id than a mark can still appear, and reports are built afresh.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from compensator.store.conditions import outage_overlaps
from compensator.store.database import UnitOfWork, ids_follow_commits
from compensator.store.models import (
    AuditRecord,
    Compensation,
    CompensationAdjustment,
    LedgerEntry,
    Notice,
    NoticeDelivery,
    Outage,
    OutageRevision,
    Seat,
    SeatDarkEvidence,
    SeatSession,
    SessionEvent,
    UpsStatusChange,
    Voucher,
    VoucherRedemption,
    Zone,
)

PACKAGE = Path(__file__).resolve().parent.parent
# The tables a report reads, by the name its marks are kept under.
MARKED: dict[str, Any] = {
    "outage_revisions": OutageRevision, "compensations": Compensation,
    "compensation_adjustments": CompensationAdjustment, "notices": Notice, "notice_deliveries": NoticeDelivery,
    "audit_log": AuditRecord, "ledger_entries": LedgerEntry, "session_events": SessionEvent,
    "seat_sessions": SeatSession, "vouchers": Voucher, "voucher_redemptions": VoucherRedemption,
    # The equipment section's: the seats' measured bridges and the UPSes' status changes.
    "seat_dark_evidence": SeatDarkEvidence, "ups_status_changes": UpsStatusChange,
}


@dataclass(frozen=True, slots=True)
class DayStamp:
    """What one day's report was built from: see the module's docstring."""

    digest: str
    marks: dict[str, int]
    outage_ids: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        """The stamp as JSON values (kept with an archived report)."""
        return {"digest": self.digest, "marks": dict(self.marks), "outage_ids": list(self.outage_ids)}

    @classmethod
    def from_json(cls, value: Any) -> DayStamp | None:
        """The stamp ``to_json`` made, or None for anything else (an archive from before stamps)."""
        try:
            marks = {str(name): int(mark) for name, mark in value["marks"].items()}
            stamp = cls(str(value["digest"]), marks, tuple(int(item) for item in value["outage_ids"]))
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        return stamp if set(marks) == set(MARKED) else None


@cache
def code_digest() -> str:
    """A digest of every file of the engine: a report archived by other code is built again."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _digest(uow: UnitOfWork) -> str:
    """The code, the settings a report uses, and every zone and seat row, as one digest."""
    settings = uow.settings
    digest = hashlib.sha256(code_digest().encode())
    # The UPSes too: the equipment section measures the zones they feed (their passwords are not in their repr).
    digest.update(repr((settings.venue, settings.zones, settings.seats, settings.ups)).encode())
    for zone in uow.db.execute(select(Zone.id, Zone.name, Zone.price_minor_per_hour, Zone.ups_minutes, Zone.retired)
                               .order_by(Zone.id)):
        digest.update(repr(tuple(zone)).encode())
    for seat in uow.db.execute(select(Seat.id, Seat.label, Seat.zone_id, Seat.retired).order_by(Seat.id)):
        digest.update(repr(tuple(seat)).encode())
    return digest.hexdigest()


def _overlapping(window: tuple[datetime, datetime]) -> Select[tuple[int]]:
    return select(Outage.id).where(outage_overlaps(*window))


def take_stamp(uow: UnitOfWork, window: tuple[datetime, datetime]) -> DayStamp:
    """The stamp of the day as the unit of work sees it; take it before building, in the same transaction."""
    names = list(MARKED)
    marks = uow.db.execute(select(*(
        select(func.coalesce(func.max(MARKED[name].id), 0)).scalar_subquery() for name in names))).one()
    outage_ids = tuple(uow.db.scalars(_overlapping(window).order_by(Outage.id)))
    return DayStamp(_digest(uow), dict(zip(names, (int(mark) for mark in marks), strict=True)), outage_ids)


def _newer(model: Any, stamp: DayStamp, name: str, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """Whether a row of ``model`` newer than the stamp's mark meets every condition."""
    return exists(select(model.id).where(model.id > stamp.marks[name], *conditions))


def _unindexed(column: InstrumentedAttribute[Any]) -> ColumnElement[Any]:
    """``column`` as SQLite's ``+column``, which no index serves.

    A time compared with the day's end would otherwise lead SQLite down that time's index,
    through every older row before the day's end, instead of through the few rows written
    since the mark.
    """
    return UnaryExpression(column.__clause_element__(), operator=custom_op("+"), type_=column.type)


def unchanged_since(uow: UnitOfWork, window: tuple[datetime, datetime], stamp: DayStamp) -> bool:
    """Whether the day's report would still be built exactly as it was when ``stamp`` was taken."""
    if not ids_follow_commits(uow.db) or _digest(uow) != stamp.digest:
        return False
    end = window[1]
    overlapping = _overlapping(window)

    def of_day_outages(column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
        # The outages the report listed, and any moved into the day since; asked only of the
        # rows written since the mark, not through an index of the day's thousands of rows.
        outage = _unindexed(column)
        return or_(outage.in_(overlapping), outage.in_(stamp.outage_ids))

    def of_day_compensation(column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
        # Correlated, so that it is asked only of the rows written since the mark, never of the
        # thousands of compensations of a busy day.
        return exists(select(Compensation.id).where(Compensation.id == column,
                                                    of_day_outages(Compensation.outage_id)))

    changed = or_(
        # An outage is written with a revision when it starts and at every change after: a new
        # outage in the day, or one moved into or out of it, leaves a revision of a day outage.
        _newer(OutageRevision, stamp, "outage_revisions", of_day_outages(OutageRevision.outage_id)),
        _newer(Compensation, stamp, "compensations", of_day_outages(Compensation.outage_id)),
        _newer(CompensationAdjustment, stamp, "compensation_adjustments",
               of_day_compensation(CompensationAdjustment.compensation_id)),
        _newer(Notice, stamp, "notices", of_day_compensation(Notice.compensation_id)),
        _newer(NoticeDelivery, stamp, "notice_deliveries", exists(
            select(Notice.id).where(Notice.id == NoticeDelivery.notice_id,
                                    of_day_compensation(Notice.compensation_id)))),
        # A compensation's state changes in place only when it is approved or corrected, and
        # each change is audited; any such change since counts, whichever day it was for.
        _newer(AuditRecord, stamp, "audit_log", AuditRecord.target_type == "compensation"),
        _newer(LedgerEntry, stamp, "ledger_entries", _unindexed(LedgerEntry.created_at) <= end),
        _newer(SessionEvent, stamp, "session_events", _unindexed(SessionEvent.at) <= end),
        _newer(SeatSession, stamp, "seat_sessions", _unindexed(SeatSession.started_at) <= end),
        _newer(Voucher, stamp, "vouchers",
               or_(_unindexed(Voucher.created_at) < end, _unindexed(Voucher.expires_at) < end)),
        _newer(VoucherRedemption, stamp, "voucher_redemptions", or_(
            _unindexed(VoucherRedemption.at) < end,
            exists(select(Voucher.id).where(Voucher.id == VoucherRedemption.voucher_id, Voucher.expires_at < end)))),
        # A seat's bridge measured late (its agent reports after Power back) for a cut ended by the day's end,
        # and a UPS's status change up to it.
        _newer(SeatDarkEvidence, stamp, "seat_dark_evidence", exists(
            select(Outage.id).where(Outage.id == SeatDarkEvidence.outage_id, Outage.ended_at <= end))),
        _newer(UpsStatusChange, stamp, "ups_status_changes", _unindexed(UpsStatusChange.at) <= end),
    )
    # A table whose newest row is older than its mark was put back (a backup restored under a
    # running server): ids written since may repeat those the stamp saw, so nothing holds.
    went_back = or_(*(select(func.coalesce(func.max(model.id), 0)).scalar_subquery() < stamp.marks[name]
                      for name, model in MARKED.items()))
    return not uow.db.scalar(select(or_(went_back, changed)))
