"""The scheduler through a database that went away: the alive tick skips and counts no gap, the jobs skip,
and the seats' silence is not judged until the database has been back for a while."""

from __future__ import annotations

from sqlalchemy import select

from compensator.domain.kinds import OutageSource
from compensator.scheduler import ServerAlive, detect_silent_seats, prune_idempotency_keys
from compensator.scheduler_guard import probe_database, skipping_when_database_down
from compensator.services.outages import views as outage_views
from compensator.services.sessions import use_cases as sessions
from compensator.services.sources.heartbeats import record_seat_heartbeat
from compensator.store.database import make_engine, make_session_factory
from compensator.store.health import DatabaseProblem
from compensator.store.operations import ServerRun

NOWHERE = "postgresql+psycopg://postgres@127.0.0.1:1/compensator"


def test_a_database_away_longer_than_the_gap_threshold_raises_no_server_gap(runtime, clock, monkeypatch) -> None:
    alive = ServerAlive(runtime)
    first = alive()
    kept = runtime.session_factory
    monkeypatch.setattr(runtime, "session_factory", make_session_factory(make_engine(NOWHERE)))
    # Ten minutes of ticks that cannot be recorded: threshold_minutes is 3.
    for _ in range(20):
        clock.advance(seconds=30)
        assert alive() is None
    assert runtime.health.problem is DatabaseProblem.UNAVAILABLE
    # The other jobs skip their runs rather than raise.
    assert skipping_when_database_down(runtime, prune_idempotency_keys)(runtime) is None
    assert probe_database(runtime) is DatabaseProblem.UNAVAILABLE

    monkeypatch.setattr(runtime, "session_factory", kept)
    assert probe_database(runtime) is None
    clock.advance(seconds=30)
    tick = alive()
    assert tick is not None and (tick.run_id, tick.gap_outage) == (first.run_id, None)
    with runtime.reading() as uow:
        assert [outage for outage in outage_views.list_outages(uow) if outage.source is OutageSource.SERVER_GAP] == []
        assert uow.db.scalar(select(ServerRun.last_alive_at)) == clock.now()


def test_a_real_stop_of_the_server_still_raises_its_gap(runtime, clock) -> None:
    ServerAlive(runtime)()
    clock.advance(minutes=10)
    assert ServerAlive(runtime)().gap_outage is not None


def test_silent_seats_are_not_judged_until_the_database_has_been_back_a_while(runtime, clock, monkeypatch) -> None:
    seats = ("A1", "A2", "A3", "A4")
    for seat in seats:
        with runtime.unit_of_work() as uow:
            sessions.start_session(uow, seat_id=seat, minutes=60, actor="attendant:ada")
        with runtime.unit_of_work() as uow:
            record_seat_heartbeat(uow, seat_id=seat)
    kept = runtime.session_factory
    monkeypatch.setattr(runtime, "session_factory", make_session_factory(make_engine(NOWHERE)))
    # The heartbeats sent meanwhile were refused: two minutes without one.
    clock.advance(minutes=2)
    assert skipping_when_database_down(runtime, detect_silent_seats)(runtime) is None
    monkeypatch.setattr(runtime, "session_factory", kept)
    assert probe_database(runtime) is None
    assert detect_silent_seats(runtime).raised is None
    # Once back for as long as a seat may be silent, silence counts again (here the seats really are silent).
    back_at = runtime.health._back_at - runtime.settings.heartbeats.silent_after_seconds
    monkeypatch.setattr(runtime.health, "_back_at", back_at)
    assert detect_silent_seats(runtime).raised is not None
