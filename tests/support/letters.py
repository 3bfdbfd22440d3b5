"""A customer who lives through three cuts, and their notices waiting to be handed over as one letter;
a customer who leaves in the dark, compensated as they leave."""

from __future__ import annotations

from compensator.services.handover import notices
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions

ACTOR = "attendant:ada"


def three_cuts_for_one_customer(uow, clock) -> tuple[int, int]:
    """G1 runs through two cuts and leaves during a third; G2 has one cut. Their session ids."""
    with uow() as unit:
        first = sessions.start_session(unit, seat_id="G1", minutes=60, actor=ACTOR).id
        other = sessions.start_session(unit, seat_id="G2", minutes=120, actor=ACTOR).id
    for lasting_seconds, leave in ((180, False), (40, False), (300, True)):
        clock.advance(minutes=10)
        with uow() as unit:
            outage = outages.start_outage(unit, zones=["gaming"] if leave or lasting_seconds != 40 else None,
                                          actor=ACTOR)
        clock.advance(seconds=lasting_seconds)
        if leave:
            with uow() as unit:
                sessions.end_session(unit, first, actor=ACTOR)
        with uow() as unit:
            outages.end_outage(unit, outage.id, actor=ACTOR)
    return first, other


def leave_in_the_dark(uow, clock):
    """A7 (Standard, 60 min) leaves 16 min into a cut begun 5 min after it started, 1 min after its 10-min UPS ran out.

    The session, the outage (still going on) and what ending the session gave.
    """
    with uow() as unit:
        seat = sessions.start_session(unit, seat_id="A7", minutes=60, actor=ACTOR)
    clock.advance(minutes=5)
    with uow() as unit:
        outage = outages.start_outage(unit, actor=ACTOR)
    clock.advance(minutes=11)
    with uow() as unit:
        return seat, outage, sessions.end_session(unit, seat.id, actor=ACTOR)


def pending_of(uow, session_id: int) -> list[notices.NoticeView]:
    """The session's pending notices, oldest first."""
    with uow() as unit:
        return sorted((notice for notice in notices.list_notices(unit, status="pending")
                       if notice.session_id == session_id), key=lambda notice: notice.id)
