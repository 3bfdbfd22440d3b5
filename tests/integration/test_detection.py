"""Heartbeat silences and server gaps raise suspected outages, in the service layer with the fake clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import func, select, text

from compensator.domain.kinds import OutageSource, OutageStatus, ScopeKind
from compensator.services.handover import letters
from compensator.services.outages import use_cases as outages
from compensator.services.outages import views as outage_views
from compensator.services.sessions import use_cases as sessions
from compensator.services.sources import detection, server_gap
from compensator.services.sources.heartbeats import record_seat_heartbeat
from compensator.store import migrate
from compensator.store.database import make_engine
from compensator.store.models import Compensation, Outage

ACTOR = "attendant:ada"


def beat(uow, *seats):
    answers = {}
    for seat in seats:
        with uow() as unit:
            answers[seat] = record_seat_heartbeat(unit, seat_id=seat)
    return answers


def detect(uow):
    with uow() as unit:
        return detection.detect(unit)


def start_sessions(uow, *seats, minutes=60):
    ids = {}
    for seat in seats:
        with uow() as unit:
            ids[seat] = sessions.start_session(unit, seat_id=seat, minutes=minutes, actor=ACTOR).id
    return ids


def beat_for(uow, clock, seconds, *seats):
    """Every seat named beats every 10 seconds for ``seconds``, the detection job running in between."""
    runs = []
    for _ in range(seconds // 10):
        clock.advance(seconds=10)
        beat(uow, *seats)
        runs.append(detect(uow))
    return runs


def suspected(uow):
    with uow() as unit:
        return [view for view in outage_views.list_outages(unit) if view.source is OutageSource.HEARTBEAT]


def test_three_of_four_running_seats_falling_silent_raise_one_suspected_outage_back_dated(uow, clock) -> None:
    ids = start_sessions(uow, "A1", "A2", "A3", "A4")
    beat_for(uow, clock, 60, "A1", "A2", "A3", "A4")
    last_heard = clock.now()
    runs = beat_for(uow, clock, 120, "A4")
    raised = [run.raised for run in runs if run.raised is not None]
    assert len(raised) == 1
    outage = raised[0]
    assert (outage.status, outage.scope_kind, outage.scope_ids) == (OutageStatus.SUSPECTED, ScopeKind.SEATS,
                                                                     ("A1", "A2", "A3"))
    assert outage.started_at == last_heard and outage.ended_at is None
    # The seats come back at 14:20: the first heartbeat back is the end, and nothing is credited yet.
    clock.set(last_heard + timedelta(minutes=19))
    came_back = clock.now()
    beat(uow, "A2")
    clock.advance(seconds=10)
    beat(uow, "A1", "A2", "A3", "A4")
    assert detect(uow).ended == (outage.id,)
    [ended] = suspected(uow)
    assert (ended.status, ended.ended_at, ended.compensations) == (OutageStatus.SUSPECTED, came_back, ())
    assert detect(uow).raised is None
    with uow() as unit:
        confirmed = outages.confirm_outage(unit, outage.id, actor=ACTOR)
    assert confirmed.status is OutageStatus.ENDED
    assert sorted(item.session_id for item in confirmed.compensations) == sorted(ids[s] for s in ("A1", "A2", "A3"))
    # The next heartbeat of a credited seat carries its message; once the notice is handed over, no more.
    answer = beat(uow, "A1", "A4")
    message = answer["A1"].message
    assert message is not None and answer["A4"].message is None
    credit = next(item.current.credit_minutes for item in confirmed.compensations if item.seat_id == "A1")
    assert message.text == f"Sorry for the power cut — we added {credit} minutes to your time."
    assert message.credit_minutes == credit
    with uow() as unit:
        letters.deliver_letter(unit, message.notice_id, how="shown", actor=ACTOR)
    assert beat(uow, "A1")["A1"].message is None


def test_one_of_four_silent_raises_nothing(uow, clock) -> None:
    start_sessions(uow, "A1", "A2", "A3", "A4")
    beat_for(uow, clock, 30, "A1", "A2", "A3", "A4")
    assert all(run.raised is None for run in beat_for(uow, clock, 120, "A2", "A3", "A4"))
    assert suspected(uow) == []


def test_seats_without_a_session_never_count(uow, clock) -> None:
    start_sessions(uow, "A1")
    beat_for(uow, clock, 30, "A1", "A2", "A3", "A4", "A5")
    # Four free seats fall silent (switched off for the night): not a power cut.
    assert all(run.raised is None for run in beat_for(uow, clock, 120, "A1"))
    assert suspected(uow) == []


def test_a_whole_zone_falling_silent_is_scoped_to_the_zone_and_a_dismissed_one_is_not_raised_again(uow, clock) -> None:
    gaming = [f"G{index}" for index in range(1, 7)]
    start_sessions(uow, *gaming, "A1", "A2")
    beat_for(uow, clock, 30, *gaming, "A1", "A2")
    runs = beat_for(uow, clock, 60, "A1", "A2")
    [outage] = [run.raised for run in runs if run.raised is not None]
    assert (outage.scope_kind, outage.scope_ids) == (ScopeKind.ZONES, ("gaming",))
    with uow() as unit:
        outages.dismiss_outage(unit, outage.id, reason="the agents were updated", actor=ACTOR)
    assert all(run.raised is None for run in beat_for(uow, clock, 120, "A1", "A2"))
    assert len(suspected(uow)) == 1


def test_confirming_an_ongoing_heartbeat_outage_makes_it_ongoing_and_the_seats_back_end_and_compensate_it(
        uow, clock) -> None:
    ids = start_sessions(uow, "G1", "G2", "A1")
    beat_for(uow, clock, 30, "G1", "G2", "A1")
    [outage] = [run.raised for run in beat_for(uow, clock, 60, "A1") if run.raised]
    with uow() as unit:
        assert outages.confirm_outage(unit, outage.id, actor=ACTOR).status is OutageStatus.ONGOING
    clock.advance(minutes=10)
    beat(uow, "G1", "G2")
    run = detect(uow)
    assert run.ended == (outage.id,)
    with uow() as unit:
        ended = outage_views.get_outage(unit, outage.id)
    assert ended.status is OutageStatus.ENDED
    assert sorted(item.session_id for item in ended.compensations) == [ids["G1"], ids["G2"]]


def test_the_detection_job_issues_as_many_statements_for_many_seats_as_for_few(runtime, uow, clock) -> None:
    from sqlalchemy import event

    counts = []
    for seats in (("A1", "A2"), tuple(f"A{index}" for index in range(3, 13)) + ("G1", "G2", "G3", "G4")):
        start_sessions(uow, *seats)
        beat(uow, *seats)
        clock.advance(seconds=5)
        statements = []
        listener = lambda *args, counted=statements: counted.append(1)  # noqa: E731 - a counter is all it is
        event.listen(runtime.engine, "before_cursor_execute", listener)
        try:
            detect(uow)
        finally:
            event.remove(runtime.engine, "before_cursor_execute", listener)
        counts.append(len(statements))
    assert counts[0] == counts[1]


def start_run(uow):
    with uow() as unit:
        return server_gap.start_run(unit)


def test_a_restart_after_a_gap_longer_than_the_threshold_raises_one_suspected_venue_outage(uow, clock) -> None:
    ids = start_sessions(uow, "A1", "G1", minutes=120)
    first = start_run(uow)
    assert first.gap_outage is None
    for _ in range(4):
        clock.advance(seconds=30)
        with uow() as unit:
            server_gap.note_alive(unit, first.run_id)
    last_alive = clock.now()
    clock.advance(minutes=12, seconds=5)
    restarted = start_run(uow)
    outage = restarted.gap_outage
    assert outage is not None
    assert (outage.source, outage.status, outage.scope_kind) == (OutageSource.SERVER_GAP, OutageStatus.SUSPECTED,
                                                                  ScopeKind.VENUE)
    assert (outage.started_at, outage.ended_at) == (last_alive, clock.now())
    clock.advance(seconds=20)
    assert start_run(uow).gap_outage is None
    with uow() as unit:
        assert server_gap.last_gap(unit) == server_gap.ServerGap(last_alive, outage.ended_at, outage.id)
        assert unit.db.scalar(select(func.count()).select_from(Outage)) == 1
        confirmed = outages.confirm_outage(unit, outage.id, actor=ACTOR)
    assert sorted(item.session_id for item in confirmed.compensations) == sorted(ids.values())


def test_a_short_gap_raises_nothing_and_a_sleep_within_a_run_raises_it_once(uow, clock) -> None:
    run = start_run(uow)
    clock.advance(minutes=2)
    assert start_run(uow).gap_outage is None
    clock.advance(minutes=10)
    with uow() as unit:
        woke = server_gap.note_alive(unit, run.run_id)
    assert woke.gap_outage is not None and woke.run_id != run.run_id
    with uow() as unit:
        assert server_gap.note_alive(unit, woke.run_id).gap_outage is None
        assert unit.db.scalar(select(func.count()).select_from(Compensation)) == 0


def test_a_suspected_outage_with_its_end_leaves_power_cut_free_to_open_a_new_outage(uow, clock) -> None:
    start_run(uow)
    clock.advance(minutes=30)
    gap = start_run(uow).gap_outage
    with uow() as unit:
        cut = outages.start_outage(unit, actor=ACTOR)
    assert cut.created and cut.id != gap.id


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_upgrading_turns_the_alive_minutes_into_runs(database_url) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0007")
        minutes = [f"2026-11-20 10:{minute:02d}:00" for minute in range(5)]
        minutes += [f"2026-11-20 11:{minute:02d}:00" for minute in range(3)]
        with engine.begin() as connection:
            for moment in minutes:
                connection.execute(text("INSERT INTO server_heartbeats (at) VALUES (:at)"), {"at": moment})
        migrate.upgrade(engine)
        with engine.connect() as connection:
            runs = connection.execute(text("SELECT started_at, last_alive_at FROM server_runs ORDER BY id")).all()
        assert [(str(first)[:16], str(last)[:16]) for first, last in runs] == [
            ("2026-11-20 10:00", "2026-11-20 10:04"), ("2026-11-20 11:00", "2026-11-20 11:02")]
        config = migrate.alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0007")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM server_heartbeats")).scalar() == 4
    finally:
        engine.dispose()
