"""A customer who lives through three cuts, and their notices waiting to be handed over as one letter."""

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


def pending_of(uow, session_id: int) -> list[notices.NoticeView]:
    """The session's pending notices, oldest first."""
    with uow() as unit:
        return sorted((notice for notice in notices.list_notices(unit, status="pending")
                       if notice.session_id == session_id), key=lambda notice: notice.id)
