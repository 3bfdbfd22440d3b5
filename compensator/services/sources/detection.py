"""Heartbeat detection: seats falling silent raise a suspected outage; their return gives it its end.

One run (the scheduler's job, every few seconds) reads every seat's last heartbeat, the open
sessions and the open silences in a fixed number of statements whatever the seat count, asks
the pure core (``domain.silence``) whether a new silence calls for an outage, and records it
with the outage in one transaction. A silence whose seats beat again is closed, and its outage
ended at the first heartbeat back: a suspected one waits for Confirm with its end, a confirmed
one is compensated at once, a dismissed one is left alone. Seats of an open silence never
raise a second outage. A silence over the scope of an outage already open (the attendant
pressed Power cut first) is recorded against that outage and leaves it to whoever opened it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from compensator.domain.kinds import OutageKind, OutageSource, OutageStatus, ScopeKind, SessionState
from compensator.domain.ledger import balance
from compensator.domain.silence import SeatBeat, Silence, detect_silence, first_back, is_silent, seat_ranges
from compensator.services.outages import use_cases as outages
from compensator.services.outages.views import OutageView
from compensator.services.parsing import MAX_NOTE_LENGTH
from compensator.services.sessions.views import OPEN_SESSIONS
from compensator.store.database import UnitOfWork
from compensator.store.models import Outage
from compensator.store.operations import HeartbeatSilence, SeatHeartbeat

log = logging.getLogger(__name__)
DETECTION_ACTOR = "heartbeats"


@dataclass(frozen=True, slots=True)
class DetectionRun:
    """What one run did: the suspected outage it raised, if any, and the outages it gave an end."""

    raised: OutageView | None = None
    ended: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class SilentSeat:
    """A seat that stopped answering, and when it was last heard from."""

    seat_id: str
    last_seen_at: datetime


def _seat_beats(uow: UnitOfWork, now: datetime) -> tuple[list[SeatBeat], dict[str, datetime]]:
    """Every seat of the venue with its last heartbeat and whether a session runs on it; and each run's start."""
    heard = {seat: (last, since) for seat, last, since in uow.db.execute(
        select(SeatHeartbeat.seat_id, SeatHeartbeat.last_seen_at, SeatHeartbeat.beating_since)).tuples()}
    running = set()
    for loaded in OPEN_SESSIONS.load(uow.db).values():
        state = balance(loaded.facts, now)
        if state.state is SessionState.RUNNING:
            running.add(state.seat_id)
    beats = [SeatBeat(seat.id, seat.zone_id, heard.get(seat.id, (None, None))[0], seat.id in running)
             for seat in uow.settings.seats]
    since = {seat: moment for seat, (_, moment) in heard.items() if moment is not None}
    return beats, since


def detect(uow: UnitOfWork) -> DetectionRun:
    """Close the silences whose seats beat again, then raise the suspected outage a new silence calls for."""
    now = uow.now()
    beats, beating_since = _seat_beats(uow, now)
    open_silences = uow.db.execute(
        select(HeartbeatSilence, Outage.status, Outage.source).join(Outage, Outage.id == HeartbeatSilence.outage_id)
        .where(HeartbeatSilence.ended_at.is_(None)).order_by(HeartbeatSilence.id)).tuples().all()
    ended = []
    covered: set[str] = set()
    for silence, status, source in open_silences:
        last_seen = {seat: datetime.fromisoformat(moment) for seat, moment in silence.last_seen.items()}
        back = first_back(last_seen, beats, beating_since)
        if back is None:
            covered.update(last_seen)
            continue
        silence.ended_at = back
        # An outage someone else opened for the same scope (Power cut) is ended by them, not here.
        if source is OutageSource.HEARTBEAT and status in (OutageStatus.SUSPECTED, OutageStatus.ONGOING):
            with uow.commit_held():
                outages.end_outage(uow, silence.outage_id, ended_at=back, actor=DETECTION_ACTOR)
            ended.append(silence.outage_id)
        uow.commit()
        log.info("heartbeats: %d seat(s) silent since %s beat again at %s; outage %d ends then", len(last_seen),
                 silence.started_at.isoformat(), back.isoformat(), silence.outage_id)
    found = detect_silence(beats, now, uow.settings.heartbeats, frozenset(covered))
    raised = _raise(uow, found) if found is not None else None
    return DetectionRun(raised, tuple(ended))


def _note(silence: Silence) -> str:
    """The outage's note: which seats went silent, as ranges, or only how many when that is too long to keep."""
    named = f"seats {seat_ranges(silence.seat_ids)} stopped answering"
    return named if len(named) <= MAX_NOTE_LENGTH else f"{len(silence.seat_ids)} seats stopped answering"


def _raise(uow: UnitOfWork, silence: Silence) -> OutageView:
    zones = list(silence.scope_ids) if silence.scope_kind is ScopeKind.ZONES else None
    seats = list(silence.scope_ids) if silence.scope_kind is ScopeKind.SEATS else None
    with uow.commit_held():
        outage = outages.start_outage(uow, kind=OutageKind.POWER, zones=zones, seats=seats,
                                      started_at=silence.started_at, source=OutageSource.HEARTBEAT, suspected=True,
                                      actor=DETECTION_ACTOR, note=_note(silence))
    uow.db.add(HeartbeatSilence(outage_id=outage.id, started_at=silence.started_at,
                                last_seen={seat: moment.isoformat() for seat, moment in silence.last_seen.items()}))
    uow.commit()
    log.warning("heartbeats: %s since %s; suspected outage %d raised", _note(silence),
                silence.started_at.isoformat(), outage.id)
    return outage


def silent_seats(uow: UnitOfWork) -> list[SilentSeat]:
    """The seats that had been beating and are silent now, with their last heartbeat, in seat order."""
    now = uow.now()
    rule = uow.settings.heartbeats
    order = {seat.id: index for index, seat in enumerate(uow.settings.seats)}
    rows = uow.db.execute(select(SeatHeartbeat.seat_id, SeatHeartbeat.last_seen_at)).tuples()
    silent = [SilentSeat(seat, last) for seat, last in rows if seat in order
              and is_silent(SeatBeat(seat, "", last, False), now, rule)]
    return sorted(silent, key=lambda item: order[item.seat_id])
