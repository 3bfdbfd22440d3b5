"""A seeded random replay of session actions, checked against a naive model after every step.

The service derives balances from entries and events; the model below keeps old-fashioned
counters that it decrements as the clock moves. The two must always agree, and the derived
paid minutes must always equal the sum of the ledger entries.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from compensator.domain.kinds import SessionState
from compensator.domain.ledger import ceil_minutes
from compensator.errors import DomainError
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions import views as session_views
from compensator.store.models import LedgerEntry

ACTOR = "random"


@dataclass
class ModelSession:
    seat: str
    postpaid: bool
    remaining_seconds: int = 0
    active_seconds: int = 0
    paid_minutes: int = 0
    paused: bool = False
    ended: bool = False


def advance_model(model: dict[int, ModelSession], seconds: int) -> None:
    for item in model.values():
        if item.ended or item.paused:
            continue
        item.active_seconds += seconds
        if not item.postpaid:
            item.remaining_seconds = max(item.remaining_seconds - seconds, 0)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_random_session_actions_keep_derived_balances_equal_to_the_entries(uow, clock, settings, seed) -> None:
    rng = random.Random(seed)
    seats = [seat.id for seat in settings.seats][:6]
    model: dict[int, ModelSession] = {}
    for _step in range(120):
        seconds = rng.choice([0, 1, 30, 59, 60, 61, 300, 1799])
        clock.advance(seconds=seconds)
        advance_model(model, seconds)
        open_ids = [session_id for session_id, item in model.items() if not item.ended]
        action = rng.choice(["start", "start", "extend", "pause", "resume", "move", "end"])
        try:
            with uow() as unit:
                if action == "start":
                    seat = rng.choice(seats)
                    postpaid = rng.random() < 0.3
                    minutes = None if postpaid else rng.randint(1, 180)
                    view = sessions.start_session(unit, seat_id=seat, minutes=minutes, postpaid=postpaid, actor=ACTOR)
                    model[view.id] = ModelSession(seat, postpaid, (minutes or 0) * 60, 0, minutes or 0)
                elif open_ids:
                    session_id = rng.choice(open_ids)
                    item = model[session_id]
                    if action == "extend":
                        minutes = rng.randint(1, 120)
                        sessions.extend_session(unit, session_id, minutes=minutes, actor=ACTOR)
                        item.remaining_seconds += minutes * 60
                        item.paid_minutes += minutes
                    elif action == "pause":
                        sessions.pause_session(unit, session_id, actor=ACTOR)
                        item.paused = True
                    elif action == "resume":
                        sessions.resume_session(unit, session_id, actor=ACTOR)
                        item.paused = False
                    elif action == "move":
                        seat = rng.choice(seats)
                        sessions.move_session(unit, session_id, seat_id=seat, actor=ACTOR)
                        item.seat = seat
                    else:
                        sessions.end_session(unit, session_id, actor=ACTOR)
                        item.ended = True
        except DomainError:
            pass  # Refusals (busy seat, pausing a paused session...) must leave everything unchanged.

        with uow() as unit:
            views = {session_id: session_views.get_session(unit, session_id) for session_id in model}
            open_ids_stored = session_views.open_session_ids(unit.db)
            sums = dict(unit.db.execute(
                select(LedgerEntry.seat_session_id, func.sum(LedgerEntry.minutes)).group_by(LedgerEntry.seat_session_id)
            ).all())
        occupied = [view.seat_id for view in views.values() if view.state is not SessionState.ENDED]
        assert len(occupied) == len(set(occupied)), "two open sessions share a seat"
        assert open_ids_stored == sorted(session_id for session_id, item in model.items() if not item.ended)
        for session_id, item in model.items():
            view = views[session_id]
            assert view.paid_minutes == sum(entry.minutes for entry in view.entries) == sums.get(session_id, 0)
            assert view.paid_minutes == item.paid_minutes
            assert view.seat_id == item.seat
            assert (view.state is SessionState.ENDED) == item.ended
            if item.postpaid:
                assert view.billed_minutes == ceil_minutes(timedelta(seconds=item.active_seconds))
            else:
                assert view.remaining_minutes == ceil_minutes(timedelta(seconds=item.remaining_seconds))
