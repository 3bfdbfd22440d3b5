"""Heartbeats: seat PCs saying they are alive, and the credit message their answer carries.

A seat's row is overwritten by each heartbeat; the first heartbeat after a silence also sets
``beating_since``, the moment the seat came back (the end of a heartbeat outage). The answer
carries the seat's newest undelivered credit, as one line the seat agent shows the customer.

A seat agent of this version also says how long its PC has been up (``up_seconds``: the row
keeps the boot moment) and, after its PC lost power, when it went down (``went_down``): evidence
of when the seat went dark (``seat_reports``). Agents that say neither keep working as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, select, update

from compensator.clock import as_utc
from compensator.domain.kinds import CompensationStatus
from compensator.errors import InvalidInput
from compensator.notices.compose import seat_message
from compensator.services.catalog import require_seat
from compensator.services.outages.credits import catalog_for
from compensator.services.sources.seat_reports import record_power_report, uptime_evidence
from compensator.store.database import UnitOfWork, insert_unless_present
from compensator.store.models import Compensation, Notice, NoticeDelivery, OpenSeatSession, Outage
from compensator.store.operations import SeatHeartbeat


@dataclass(frozen=True, slots=True)
class SeatMessage:
    """The credit a seat's screen shows: its notice, the line in the customer's language, the minutes."""

    notice_id: int
    text: str
    credit_minutes: int


@dataclass(frozen=True, slots=True)
class HeartbeatView:
    """When a seat was last heard from, and the credit message for its screen, if any."""

    seat_id: str
    last_seen_at: datetime
    message: SeatMessage | None = None
    # What a report that the PC went down did, in words (None without a report): the agent stops repeating it.
    went_down: str | None = None


@dataclass(frozen=True, slots=True)
class PowerDown:
    """A seat agent's report that its PC lost power: alive at ``after`` by its last record, whose next was due
    by ``before`` (both in the server's time)."""

    after: datetime
    before: datetime


def record_seat_heartbeat(uow: UnitOfWork, *, seat_id: object, up_seconds: int | None = None,
                          went_down: PowerDown | None = None, actor: str = "device:seat-agent") -> HeartbeatView:
    """Note that a seat PC is alive now, with its evidence if any; answer with its newest undelivered credit."""
    seat = require_seat(uow, seat_id)
    now = uow.now()
    cutoff = now - timedelta(seconds=uow.settings.heartbeats.silent_after_seconds)
    booted_at = now - timedelta(seconds=up_seconds) if up_seconds is not None else None
    last_seen = uow.db.scalar(select(SeatHeartbeat.last_seen_at).where(SeatHeartbeat.seat_id == seat))
    # A seat's first two heartbeats may race (a restarted agent, a retry): the second updates.
    if not insert_unless_present(uow.db, SeatHeartbeat.__table__,
                                 {"seat_id": seat, "last_seen_at": now, "beating_since": now,
                                  "booted_at": booted_at}):
        # After a silence the run of heartbeats starts again now; within a run it keeps its start.
        uow.db.execute(update(SeatHeartbeat).where(SeatHeartbeat.seat_id == seat).values(
            beating_since=case((SeatHeartbeat.last_seen_at <= cutoff, now), else_=SeatHeartbeat.beating_since),
            last_seen_at=now, booted_at=booted_at))
    outcome = None
    if went_down is not None:
        after, before = (as_utc(went_down.after), as_utc(went_down.before))
        if not after <= before or after > now:
            raise InvalidInput("went_down must run from after to before, after being past", field="went_down")
        # The next record was due by ``before``; a PC back that fast (an agent restarted) came back by now.
        before = min(before, now)
        outcome = record_power_report(uow, seat, after, before, booted_at, actor=actor)
    elif booted_at is not None and (last_seen is None or last_seen <= cutoff):
        # Heard from again after a silence: a PC up since before a cut stayed on through it.
        uptime_evidence(uow, seat, booted_at, actor=actor)
    message = newest_message(uow, seat)
    uow.commit()
    return HeartbeatView(seat, now, message, outcome)


def newest_message(uow: UnitOfWork, seat_id: str) -> SeatMessage | None:
    """The newest applied credit of the session running on ``seat_id`` whose notice nobody delivered yet.

    Only a session still open counts: the next customer on the seat must not read the last
    one's apology.
    """
    delivered = exists().where(NoticeDelivery.notice_id == Notice.id)
    row = uow.db.execute(
        select(Notice.id, Notice.language, Compensation.granted_minutes, Compensation.form, Outage.kind)
        .join(Compensation, Compensation.id == Notice.compensation_id)
        .join(Outage, Outage.id == Compensation.outage_id)
        .join(OpenSeatSession, OpenSeatSession.seat_session_id == Compensation.seat_session_id)
        .where(and_(Compensation.seat_id == seat_id, Compensation.status == CompensationStatus.APPLIED,
                    ~delivered))
        .order_by(Notice.id.desc()).limit(1)).first()
    if row is None:
        return None
    notice_id, language, minutes, form, kind = row
    return SeatMessage(notice_id, seat_message(catalog_for(uow), language, kind, form, minutes), minutes)

