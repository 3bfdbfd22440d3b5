"""What a step of the random simulation asks: a request drawn at random, and its answer as an API renders it.

``draw`` chooses the next use case call from the ``World`` the last check read (mostly one that
makes sense there, sometimes one that will be refused); ``answer_for`` and ``refusal`` render
its result or its refusal for ``run_once``, as ``tests.support.random_steps`` sends it.
"""

from __future__ import annotations

import dataclasses
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from compensator.domain.kinds import OutageStatus
from compensator.errors import Conflict, DomainError, NotFound
from compensator.services.once import Answer
from compensator.services.outages import approvals
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from compensator.services.sources.heartbeats import PowerDown, record_seat_heartbeat
from tests.support.random_world import World

ATTENDANT = "attendant:random"
MANAGER = "manager:random"
# A handful of seats in each zone: few enough that outages, moves and busy seats collide often.
SEATS = ("A1", "A2", "A3", "A4", "G1", "G2", "G3")

# How often each kind of step is drawn. Session starts lead so that there is usually someone
# to compensate; outage steps are frequent enough that outages overlap and get corrected.
WEIGHTS = {
    "session.start": 3.0, "session.extend": 1.0, "session.pause": 0.8, "session.resume": 0.8,
    "session.move": 0.8, "session.end": 1.2, "outage.start": 1.6, "outage.suspect": 0.4,
    "outage.end": 1.5, "outage.correct": 1.6, "outage.confirm": 0.4, "outage.dismiss": 0.3,
    "compensation.approve": 0.8, "seat.report": 0.8,
}
# What a seat agent reports: its PC went down at a random moment of an ended power cut (or a little
# before it), the next record due six seconds later.
AGENT = "token:seat-agent"


# --- requests and their answers --------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One use case call: its name, its arguments as a client would send them, who asks, and how to run it."""

    operation: str
    payload: dict[str, Any]
    actor: str
    run: Callable[[Any], Any]


def plain(value: Any) -> Any:
    """A service's result as JSON-compatible data: dataclasses as dicts, enums as values, times as ISO text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: plain(getattr(value, item.name)) for item in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(name): plain(item) for name, item in value.items()}
    return value


def answer_for(request: Request) -> Callable[[Any], Answer]:
    """How the answer to ``request`` is rendered, as an API would: a status and the result as plain data."""
    status = 201 if request.operation in ("session.start", "outage.start", "outage.suspect") else 200
    return lambda result: Answer(status, plain(result))


def refusal(error: DomainError) -> Answer:
    """A refusal rendered as an API would: a 4xx status and the error's code, message and field."""
    status = 404 if isinstance(error, NotFound) else 409 if isinstance(error, Conflict) else 400
    return Answer(status, {"error": {"code": error.code, "message": error.message, "field": error.field}})


# --- drawing a step ----------------------------------------------------------------------------


def iso(moment: datetime | None) -> str | None:
    """A moment as a client would send it."""
    return moment.isoformat() if moment is not None else None


def pick(rng: random.Random, preferred: list[int], others: list[int]) -> int:
    """Mostly one of ``preferred``; sometimes another (often refused), or an id nobody has."""
    if preferred and rng.random() < 0.85:
        return rng.choice(preferred)
    if others and rng.random() < 0.8:
        return rng.choice(others)
    return 10_000


def draw(rng: random.Random, world: World, now: datetime) -> Request:
    """A random next request, mostly one that makes sense in ``world``, sometimes one that will be refused."""
    operation = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    by_status: dict[OutageStatus, list[int]] = defaultdict(list)
    for row in world.outages:
        by_status[row.status].append(row.id)
    every_outage = [row.id for row in world.outages]
    session_id = pick(rng, world.open_sessions, world.all_sessions)

    if operation == "session.start":
        seat = rng.choice(SEATS)
        postpaid = rng.random() < 0.3
        minutes = None if postpaid else rng.choice([5, 20, 45, 60, 90, 120, 180, 240])
        return Request(operation, {"seat": seat, "minutes": minutes, "postpaid": postpaid}, ATTENDANT,
                       lambda unit: sessions.start_session(unit, seat_id=seat, minutes=minutes, postpaid=postpaid,
                                                           actor=ATTENDANT))
    if operation == "session.extend":
        minutes = rng.choice([1, 15, 30, 60, 120])
        return Request(operation, {"session": session_id, "minutes": minutes}, ATTENDANT,
                       lambda unit: sessions.extend_session(unit, session_id, minutes=minutes, actor=ATTENDANT))
    if operation == "session.move":
        seat = rng.choice(SEATS)
        return Request(operation, {"session": session_id, "seat": seat}, ATTENDANT,
                       lambda unit: sessions.move_session(unit, session_id, seat_id=seat, actor=ATTENDANT))
    if operation in ("session.pause", "session.resume", "session.end"):
        use_case = {"session.pause": sessions.pause_session, "session.resume": sessions.resume_session,
                    "session.end": sessions.end_session}[operation]
        return Request(operation, {"session": session_id}, ATTENDANT,
                       lambda unit: use_case(unit, session_id, actor=ATTENDANT))
    if operation in ("outage.start", "outage.suspect"):
        kind = "power" if rng.random() < 0.75 else "network"
        zones: list[str] | None = None
        seats: list[str] | None = None
        scope = rng.choice(["venue", "venue", "standard", "gaming", "both", "seats"])
        if scope in ("standard", "gaming"):
            zones = [scope]
        elif scope == "both":
            zones = ["gaming", "standard"]
        elif scope == "seats":
            seats = sorted(rng.sample(SEATS, rng.randint(1, 3)))
        suspected = operation == "outage.suspect"
        started_at: datetime | None = None
        ended_at: datetime | None = None
        if suspected or rng.random() < 0.25:
            # Noticed late: the cut began a few minutes ago (a suspected one also may have ended).
            started_at = now - timedelta(minutes=rng.randint(1, 20), seconds=rng.randint(0, 59))
        if suspected and rng.random() < 0.5:
            assert started_at is not None
            ended_at = started_at + (now - started_at) * rng.random()
        payload = {"kind": kind, "zones": zones, "seats": seats, "started_at": iso(started_at),
                   "ended_at": iso(ended_at), "suspected": suspected}
        return Request(operation, payload, ATTENDANT, lambda unit: outages.start_outage(
            unit, kind=kind, zones=zones, seats=seats, started_at=started_at, ended_at=ended_at,
            source="heartbeat" if suspected else "manual", suspected=suspected, actor=ATTENDANT))
    if operation == "outage.end":
        outage_id = pick(rng, by_status[OutageStatus.ONGOING], every_outage)
        # Sometimes power came back a little before the attendant pressed the button (or even
        # before the outage began, which is refused).
        ended_at = now - timedelta(minutes=rng.randint(0, 10)) if rng.random() < 0.25 else None
        return Request(operation, {"outage": outage_id, "ended_at": iso(ended_at)}, ATTENDANT,
                       lambda unit: outages.end_outage(unit, outage_id, ended_at=ended_at, actor=ATTENDANT))
    if operation == "outage.correct":
        outage_id = pick(rng, by_status[OutageStatus.ENDED], every_outage)
        row = next((item for item in world.outages if item.id == outage_id), None)
        base_start = row.started_at if row else now
        base_end = row.ended_at if row and row.ended_at else now
        what = rng.choice(["start", "end", "both"])

        def shift() -> timedelta:
            # Up to 25 minutes either way, so that a correction grows or shrinks the outage,
            # sometimes past another outage, now and then into the future or before its start.
            return timedelta(minutes=rng.randint(-25, 25), seconds=rng.choice([0, 0, 17, 45]))

        started_at = base_start + shift() if what in ("start", "both") else None
        ended_at = base_end + shift() if what in ("end", "both") else None
        payload = {"outage": outage_id, "started_at": iso(started_at), "ended_at": iso(ended_at),
                   "reason": "the generator log says otherwise"}
        return Request(operation, payload, MANAGER, lambda unit: outages.correct_outage(
            unit, outage_id, started_at=started_at, ended_at=ended_at, reason=payload["reason"], actor=MANAGER))
    if operation in ("outage.confirm", "outage.dismiss"):
        outage_id = pick(rng, by_status[OutageStatus.SUSPECTED], every_outage)
        if operation == "outage.confirm":
            return Request(operation, {"outage": outage_id}, ATTENDANT,
                           lambda unit: outages.confirm_outage(unit, outage_id, actor=ATTENDANT))
        return Request(operation, {"outage": outage_id, "reason": "a switch was unplugged"}, ATTENDANT,
                       lambda unit: outages.dismiss_outage(unit, outage_id, reason="a switch was unplugged",
                                                           actor=ATTENDANT))
    if operation == "seat.report":
        ended = [row for row in world.outages if row.status is OutageStatus.ENDED and row.ended_at is not None]
        seat = rng.choice(SEATS)
        if not ended:
            moment = now - timedelta(minutes=rng.randint(0, 30))
        else:
            row = rng.choice(ended)
            assert row.ended_at is not None
            moment = row.started_at - timedelta(seconds=rng.choice([0, 0, 0, 90])) + (
                row.ended_at - row.started_at) * rng.random()
        moment = moment.replace(microsecond=0)
        before = min(moment + timedelta(seconds=6), now)
        up_seconds = rng.randint(0, 600)
        payload = {"seat": seat, "up_seconds": up_seconds, "went_down": {"after": iso(moment), "before": iso(before)}}
        return Request(operation, payload, AGENT, lambda unit: record_seat_heartbeat(
            unit, seat_id=seat, up_seconds=up_seconds, went_down=PowerDown(moment, before), actor=AGENT))
    assert operation == "compensation.approve"
    compensation_id = pick(rng, world.awaiting, world.applied)
    return Request(operation, {"compensation": compensation_id}, MANAGER,
                   lambda unit: approvals.approve_compensation(unit, compensation_id, actor=MANAGER))
