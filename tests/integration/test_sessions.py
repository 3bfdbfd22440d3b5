"""Integration tests of the session ledger service on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from compensator.clock import FakeClock
from compensator.domain.kinds import EntryKind, SessionMode, SessionState
from compensator.errors import InvalidInput, InvalidState, NotFound, SeatBusy, SessionEnded
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions import views as session_views
from compensator.store.models import AuditRecord, LedgerEntry

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
ACTOR = "attendant:ada"


def start(uow, **kwargs):
    kwargs.setdefault("seat_id", "A1")
    kwargs.setdefault("actor", ACTOR)
    if not kwargs.get("postpaid"):
        kwargs.setdefault("minutes", 60)
    with uow() as unit:
        return sessions.start_session(unit, **kwargs)


def act(uow, action, *args, **kwargs):
    kwargs.setdefault("actor", ACTOR)
    with uow() as unit:
        return action(unit, *args, **kwargs)


def test_a_prepaid_session_starts_with_its_purchase_priced_by_its_zone(uow) -> None:
    view = start(uow, minutes=60, customer_name="  Chidi   Okafor ", language="fr")
    assert view.state is SessionState.RUNNING
    assert view.remaining_minutes == 60
    assert view.customer_name == "Chidi Okafor"
    assert view.language == "fr"
    assert [(entry.kind, entry.minutes, entry.value_minor) for entry in view.entries] == [
        (EntryKind.PURCHASE, 60, 30000)
    ]


def test_extending_pausing_resuming_and_moving_keep_the_balance_derived(uow, clock: FakeClock) -> None:
    view = start(uow, seat_id="G1", minutes=30)
    clock.advance(minutes=10)
    act(uow, sessions.extend_session, view.id, minutes=30)
    act(uow, sessions.pause_session, view.id)
    clock.advance(minutes=15)
    paused = act(uow, sessions.resume_session, view.id)
    assert paused.remaining_minutes == 50
    clock.advance(minutes=5)
    moved = act(uow, sessions.move_session, view.id, seat_id="G2")
    assert moved.seat_id == "G2"
    assert moved.start_seat_id == "G1"
    assert moved.remaining_minutes == 45
    assert moved.paid_end == clock.now() + timedelta(minutes=45)
    assert [entry.value_minor for entry in moved.entries] == [30000, 30000]


def test_ending_a_postpaid_session_fixes_its_bill(uow, clock: FakeClock) -> None:
    view = start(uow, seat_id="G3", postpaid=True)
    assert view.mode is SessionMode.POSTPAID
    clock.advance(minutes=90)
    ended = act(uow, sessions.end_session, view.id)
    assert ended.state is SessionState.ENDED
    assert ended.billed_minutes == 90
    assert ended.bill_minor == 90000
    assert ended.paid_end is None


def test_a_second_session_on_a_busy_seat_is_refused(uow) -> None:
    start(uow, seat_id="A1")
    with pytest.raises(SeatBusy, match="A1"):
        start(uow, seat_id="A1")


def test_a_seat_is_free_again_once_its_session_ends(uow) -> None:
    first = start(uow, seat_id="A1")
    act(uow, sessions.end_session, first.id)
    assert start(uow, seat_id="A1").id != first.id


def test_moving_onto_a_busy_seat_is_refused_and_the_old_seat_frees_up(uow) -> None:
    first = start(uow, seat_id="A1")
    start(uow, seat_id="A2")
    with pytest.raises(SeatBusy):
        act(uow, sessions.move_session, first.id, seat_id="A2")
    act(uow, sessions.move_session, first.id, seat_id="A3")
    assert start(uow, seat_id="A1").seat_id == "A1"


def test_moving_to_the_same_seat_is_refused(uow) -> None:
    first = start(uow, seat_id="A1")
    with pytest.raises(InvalidState, match="already on seat A1"):
        act(uow, sessions.move_session, first.id, seat_id="A1")


def test_an_ended_session_cannot_change(uow) -> None:
    view = start(uow)
    act(uow, sessions.end_session, view.id)
    for action, kwargs in [
        (sessions.end_session, {}),
        (sessions.extend_session, {"minutes": 10}),
        (sessions.pause_session, {}),
        (sessions.resume_session, {}),
        (sessions.move_session, {"seat_id": "A5"}),
    ]:
        with pytest.raises(SessionEnded):
            act(uow, action, view.id, **kwargs)


@pytest.mark.parametrize("minutes", [0, -5, 1441, 10**9, 12.5, "60", True, None])
def test_negative_zero_fractional_or_absurd_minutes_are_refused(uow, minutes) -> None:
    with pytest.raises(InvalidInput) as raised:
        start(uow, minutes=minutes)
    assert raised.value.field == "minutes"


def test_an_extension_with_absurd_minutes_is_refused(uow) -> None:
    view = start(uow)
    with pytest.raises(InvalidInput):
        act(uow, sessions.extend_session, view.id, minutes=100000)


@pytest.mark.parametrize("seat", ["Z9", "", None, 7])
def test_an_unknown_or_missing_seat_is_refused(uow, seat) -> None:
    with pytest.raises((NotFound, InvalidInput)) as raised:
        start(uow, seat_id=seat)
    assert raised.value.field == "seat"


@pytest.mark.parametrize("session_id", [999, 0, -1, "1", None])
def test_an_unknown_session_is_not_found(uow, session_id) -> None:
    with pytest.raises(NotFound):
        act(uow, sessions.pause_session, session_id)


def test_pausing_twice_or_resuming_a_running_session_is_refused(uow) -> None:
    view = start(uow)
    with pytest.raises(InvalidState):
        act(uow, sessions.resume_session, view.id)
    act(uow, sessions.pause_session, view.id)
    with pytest.raises(InvalidState):
        act(uow, sessions.pause_session, view.id)


def test_a_postpaid_session_cannot_be_extended_and_has_no_minutes(uow) -> None:
    view = start(uow, postpaid=True)
    with pytest.raises(InvalidState):
        act(uow, sessions.extend_session, view.id, minutes=10)
    with pytest.raises(InvalidInput):
        start(uow, seat_id="A2", postpaid=True, minutes=30)


def test_a_session_whose_time_is_up_can_be_extended_but_not_paused(uow, clock: FakeClock) -> None:
    view = start(uow, minutes=30)
    clock.advance(minutes=40)
    with uow() as unit:
        assert session_views.get_session(unit, view.id).state is SessionState.TIME_UP
    with pytest.raises(InvalidState):
        act(uow, sessions.pause_session, view.id)
    extended = act(uow, sessions.extend_session, view.id, minutes=15)
    assert extended.state is SessionState.RUNNING
    assert extended.paid_end == clock.now() + timedelta(minutes=15)


def test_a_failed_action_leaves_nothing_behind(uow) -> None:
    start(uow, seat_id="A1")
    with pytest.raises(SeatBusy):
        start(uow, seat_id="A1", minutes=30)
    with uow() as unit:
        assert unit.db.scalars(select(LedgerEntry.minutes)).all() == [60]


def test_every_mutation_is_in_the_audit_log(uow) -> None:
    view = start(uow)
    act(uow, sessions.extend_session, view.id, minutes=15)
    act(uow, sessions.end_session, view.id)
    with uow() as unit:
        records = [(record.action, record.actor, record.before, record.after)
                   for record in unit.db.scalars(select(AuditRecord).order_by(AuditRecord.id))]
    assert [action for action, _, _, _ in records] == ["session.start", "session.extend", "session.end"]
    assert records[1][2]["paid_minutes"] == 60
    assert records[1][3]["paid_minutes"] == 75
    assert {actor for _, actor, _, _ in records} == {ACTOR}


def test_the_orm_refuses_to_change_a_ledger_entry(uow) -> None:
    start(uow)
    with uow() as unit:
        entry = unit.db.scalars(select(LedgerEntry)).one()
        entry.minutes = 600
        with pytest.raises(PermissionError):
            unit.db.flush()


@pytest.mark.parametrize("statement", ["UPDATE ledger_entries SET minutes = 600", "DELETE FROM ledger_entries"])
def test_the_database_refuses_to_change_or_delete_ledger_entries(uow, statement) -> None:
    start(uow)
    with uow() as unit, pytest.raises(DBAPIError, match="append-only"):
        unit.db.execute(text(statement))


def test_a_bulk_orm_update_of_the_ledger_is_refused_by_the_database(uow) -> None:
    start(uow)
    with uow() as unit, pytest.raises(DBAPIError):
        unit.db.execute(update(LedgerEntry).values(minutes=1))


def test_open_sessions_are_listed_with_their_balances(uow, clock: FakeClock) -> None:
    first = start(uow, seat_id="A1", minutes=60)
    start(uow, seat_id="A2", postpaid=True)
    ended = start(uow, seat_id="A3", minutes=30)
    act(uow, sessions.end_session, ended.id)
    clock.advance(minutes=20)
    with uow() as unit:
        views = {view.id: view for view in session_views.list_open_sessions(unit)}
    assert set(views) == {first.id, first.id + 1}
    assert views[first.id].remaining_minutes == 40
