"""Unit tests of the ledger arithmetic: balances derived from entries and events."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from compensator.domain.kinds import EntryKind, SessionEventKind, SessionMode, SessionState
from compensator.domain.ledger import Balance, EntryRecord, EventRecord, SessionFacts, balance, ceil_minutes
from compensator.domain.money import value_minor
from tests.support.budgets import budget

T0 = datetime(2026, 11, 22, 13, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def entry(entry_id: int, kind: EntryKind, minutes: int, when: float = 0) -> EntryRecord:
    return EntryRecord(id=entry_id, kind=kind, minutes=minutes, created_at=at(when))


def prepaid(*entries: EntryRecord, events: tuple[EventRecord, ...] = ()) -> SessionFacts:
    return SessionFacts(SessionMode.PREPAID, T0, "A1", events=events, entries=entries)


def test_a_prepaid_session_counts_down_from_its_purchase() -> None:
    facts = prepaid(entry(1, EntryKind.PURCHASE, 60))
    result = balance(facts, at(18))
    assert result.state is SessionState.RUNNING
    assert result.remaining_minutes == 42
    assert result.paid_end == at(60)
    assert result.entry_minutes == 60


def test_a_started_minute_of_remaining_time_shows_as_a_whole_minute() -> None:
    facts = prepaid(entry(1, EntryKind.PURCHASE, 60))
    assert balance(facts, at(18.5)).remaining_minutes == 42
    assert ceil_minutes(timedelta(seconds=61)) == 2
    assert ceil_minutes(timedelta(seconds=60)) == 1
    assert ceil_minutes(timedelta(0)) == 0


def test_paused_time_is_not_consumed_and_moves_the_paid_end_later() -> None:
    events = (EventRecord(SessionEventKind.PAUSE, at(10)), EventRecord(SessionEventKind.RESUME, at(25)))
    facts = prepaid(entry(1, EntryKind.PURCHASE, 60), events=events)
    paused = balance(facts, at(20))
    assert paused.state is SessionState.PAUSED
    assert paused.remaining_minutes == 50
    assert paused.paid_end is None
    resumed = balance(facts, at(30))
    assert resumed.remaining_minutes == 45
    assert resumed.paid_end == at(75)


def test_an_extension_adds_its_minutes_to_the_paid_end() -> None:
    facts = prepaid(entry(1, EntryKind.PURCHASE, 60), entry(2, EntryKind.EXTENSION, 30, when=40))
    assert balance(facts, at(50)).paid_end == at(90)


def test_time_runs_out_and_minutes_bought_later_run_from_the_purchase() -> None:
    facts = prepaid(entry(1, EntryKind.PURCHASE, 30), entry(2, EntryKind.EXTENSION, 30, when=45))
    up = balance(facts, at(40))
    assert up.state is SessionState.TIME_UP
    assert up.remaining_minutes == 0
    assert up.paid_end == at(30)
    assert up.time_up_at == at(30)
    extended = balance(facts, at(50))
    assert extended.state is SessionState.RUNNING
    assert extended.paid_end == at(75)


def test_a_move_keeps_the_time_and_changes_the_seat() -> None:
    events = (EventRecord(SessionEventKind.MOVE, at(10), "A2"),)
    facts = prepaid(entry(1, EntryKind.PURCHASE, 60), events=events)
    before, after = balance(facts, at(5)), balance(facts, at(15))
    assert (before.seat_id, after.seat_id) == ("A1", "A2")
    assert after.paid_end == at(60)
    assert [interval.seat_id for interval in after.intervals] == ["A1", "A2"]


def test_an_ended_session_stops_its_clock() -> None:
    events = (EventRecord(SessionEventKind.END, at(20)),)
    facts = prepaid(entry(1, EntryKind.PURCHASE, 60), events=events)
    result = balance(facts, at(90))
    assert result.state is SessionState.ENDED
    assert result.ended_at == at(20)
    assert result.remaining_minutes == 40
    assert result.elapsed_active == timedelta(minutes=20)


def test_a_reversal_takes_back_the_minutes_of_the_entry_it_reverses() -> None:
    reversal = EntryRecord(id=3, kind=EntryKind.REVERSAL, minutes=-30, created_at=at(5), reverses_id=2)
    facts = prepaid(entry(1, EntryKind.PURCHASE, 60), entry(2, EntryKind.EXTENSION, 30, when=1), reversal)
    assert balance(facts, at(10)).paid_end == at(60)


def test_a_postpaid_session_is_billed_for_active_minutes_less_its_credits() -> None:
    events = (EventRecord(SessionEventKind.END, at(90)),)
    credit = EntryRecord(id=1, kind=EntryKind.OUTAGE_CREDIT, minutes=35, created_at=at(50))
    facts = SessionFacts(SessionMode.POSTPAID, T0, "G1", events=events, entries=(credit,))
    result = balance(facts, at(120))
    assert result.billed_minutes == 55
    assert result.paid_end is None


def test_a_postpaid_bill_never_goes_below_zero_and_excludes_pauses() -> None:
    events = (
        EventRecord(SessionEventKind.PAUSE, at(5)),
        EventRecord(SessionEventKind.RESUME, at(50)),
        EventRecord(SessionEventKind.END, at(60)),
    )
    credit = EntryRecord(id=1, kind=EntryKind.OUTAGE_CREDIT, minutes=25, created_at=at(55))
    facts = SessionFacts(SessionMode.POSTPAID, T0, "G1", events=events, entries=(credit,))
    assert balance(facts, at(60)).billed_minutes == 0
    unbilled = SessionFacts(SessionMode.POSTPAID, T0, "G1", events=events)
    assert balance(unbilled, at(60)).billed_minutes == 15


def test_a_started_postpaid_minute_is_billed_whole() -> None:
    events = (EventRecord(SessionEventKind.END, at(10.25)),)
    facts = SessionFacts(SessionMode.POSTPAID, T0, "G1", events=events)
    assert balance(facts, at(11)).billed_minutes == 11


def test_money_is_rounded_half_up_in_minor_units() -> None:
    assert value_minor(25, 30000) == 12500
    assert value_minor(1, 100) == 2  # 1.666... rounds to 2
    assert value_minor(1, 90) == 2  # exactly 1.5 rounds up
    assert value_minor(1, 89) == 1
    assert value_minor(-25, 30000) == -12500


def _facts_from(mode: SessionMode, entries: list[tuple[int, int]], events: list[tuple[int, int]]) -> SessionFacts:
    kinds = [SessionEventKind.PAUSE, SessionEventKind.RESUME, SessionEventKind.MOVE, SessionEventKind.END]
    return SessionFacts(
        mode, T0, "A1",
        events=tuple(EventRecord(kinds[kind], at(when), "A2" if kinds[kind] is SessionEventKind.MOVE else None)
                     for when, kind in sorted(events)),
        entries=tuple(EntryRecord(index, EntryKind.PURCHASE, minutes, at(when))
                      for index, (when, minutes) in enumerate(entries, start=1)),
    )


@hypothesis_settings(max_examples=budget(300), deadline=None)
@given(mode=st.sampled_from([SessionMode.PREPAID, SessionMode.POSTPAID]),
       entries=st.lists(st.tuples(st.integers(0, 300), st.integers(-60, 120)), max_size=5),
       events=st.lists(st.tuples(st.integers(0, 300), st.integers(0, 3)), max_size=6),
       horizon=st.integers(0, 400), looks=st.lists(st.integers(-10, 400), max_size=8))
def test_the_time_left_at_an_earlier_moment_is_what_a_replay_up_to_it_gives(mode, entries, events, horizon,
                                                                             looks) -> None:
    facts = _facts_from(mode, entries, events)
    position = balance(facts, at(horizon))
    for look in looks:
        moment = at(min(look, horizon))
        assert position.remaining_at(moment) == balance(facts, moment).remaining


@hypothesis_settings(max_examples=budget(300), deadline=None)
@given(mode=st.sampled_from([SessionMode.PREPAID, SessionMode.POSTPAID]),
       entries=st.lists(st.tuples(st.integers(0, 300), st.integers(-60, 120)), max_size=5),
       events=st.lists(st.tuples(st.integers(0, 300), st.integers(0, 3)), max_size=6),
       horizon=st.integers(-10, 400))
def test_a_replay_without_history_stands_where_the_full_replay_does(mode, entries, events, horizon) -> None:
    facts = _facts_from(mode, entries, events)
    full = balance(facts, at(horizon))
    bare = balance(facts, at(horizon), history=False)
    assert (bare.intervals, bare.occupancy, bare.checkpoints) == ((), (), ())
    assert replace(bare, intervals=full.intervals, occupancy=full.occupancy, checkpoints=full.checkpoints) == full


def _shown(position: Balance) -> tuple[object, ...]:
    return position.state, position.seat_id, position.remaining_minutes, position.paid_end


@hypothesis_settings(max_examples=budget(400), deadline=None)
@given(mode=st.sampled_from([SessionMode.PREPAID, SessionMode.POSTPAID]),
       entries=st.lists(st.tuples(st.integers(0, 300), st.integers(-60, 120)), max_size=5),
       events=st.lists(st.tuples(st.integers(0, 300), st.integers(0, 3)), max_size=6),
       after_last_seconds=st.integers(0, 400 * 60), later_seconds=st.lists(st.integers(0, 500 * 60), max_size=8),
       microseconds=st.integers(0, 999_999))
def test_a_balance_reads_the_same_until_it_says_it_will_not(mode, entries, events, after_last_seconds, later_seconds,
                                                           microseconds) -> None:
    facts = _facts_from(mode, entries, events)
    last = max([facts.started_at, *(item.created_at for item in facts.entries), *(item.at for item in facts.events)])
    first = last + timedelta(seconds=after_last_seconds, microseconds=microseconds)
    position = balance(facts, first, history=False)
    until = position.shown_until
    for seconds in later_seconds:
        moment = first + timedelta(seconds=seconds)
        if until is None or moment < until:
            assert _shown(balance(facts, moment, history=False)) == _shown(position)
    if until is not None:
        assert until > first
        assert _shown(balance(facts, until, history=False)) != _shown(position)
        assert _shown(balance(facts, until - timedelta(microseconds=1), history=False)) == _shown(position)


def test_a_running_prepaid_balance_reads_the_same_until_its_next_whole_minute_before_the_paid_end() -> None:
    position = balance(prepaid(entry(1, EntryKind.PURCHASE, 10)), at(2.25), history=False)
    assert (position.remaining_minutes, position.paid_end) == (8, at(10))
    assert position.shown_until == at(3)
    assert balance(prepaid(entry(1, EntryKind.PURCHASE, 10)), at(9.5), history=False).shown_until == at(10)
    assert balance(prepaid(entry(1, EntryKind.PURCHASE, 10)), at(10), history=False).shown_until is None
