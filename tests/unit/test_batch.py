"""One outage's compensations worked out together (``domain.batch``): the same results as one by one."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from compensator.domain import batch as batch_module
from compensator.domain.batch import CompensationBatch
from compensator.domain.darkness import OutageFacts
from compensator.domain.kinds import EntryKind, OutageKind, SessionEventKind, SessionMode
from compensator.domain.ledger import EntryRecord, EventRecord, SessionFacts
from compensator.domain.policy import CompensationInput, CompensationResult, PriorCompensation, compensate
from compensator.domain.terms import PolicySettings, ZoneTerms
from tests.support.budgets import budget

T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
LAGOS = ZoneInfo("Africa/Lagos")
POLICY = PolicySettings()
# Two seats alike (A1, A2), one with a UPS (B1), one in a pricier zone (C1), one the first cut missed (D1).
TERMS = {"A1": ZoneTerms(0, 30000), "A2": ZoneTerms(0, 30000), "B1": ZoneTerms(5, 30000),
         "C1": ZoneTerms(0, 60000), "D1": ZoneTerms(0, 30000)}
FIRST = OutageFacts(1, OutageKind.POWER, T0 + timedelta(minutes=30), T0 + timedelta(minutes=50),
                    frozenset({"A1", "A2", "B1", "C1"}))
SECOND = OutageFacts(2, OutageKind.POWER, T0 + timedelta(minutes=80), T0 + timedelta(minutes=100), frozenset(TERMS))
NOW = T0 + timedelta(minutes=100)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def one_by_one(facts: SessionFacts, prior: tuple[PriorCompensation, ...]) -> CompensationResult:
    return compensate(CompensationInput(session=facts, outage=SECOND, outages=(FIRST, SECOND), prior=prior,
                                        seat_terms=TERMS, policy=POLICY, timezone=LAGOS, now=NOW))


def new_batch() -> CompensationBatch:
    return CompensationBatch(SECOND, (FIRST, SECOND), TERMS, POLICY, LAGOS, NOW)


def facts(seat: str, minutes: int = 120, *, start: float = 0, events: tuple[EventRecord, ...] = (),
          credits: tuple[tuple[float, int], ...] = (), mode: SessionMode = SessionMode.PREPAID) -> SessionFacts:
    entries = (EntryRecord(1, EntryKind.PURCHASE, minutes, at(start)),) if mode is SessionMode.PREPAID else ()
    entries += tuple(EntryRecord(10 + index, EntryKind.OUTAGE_CREDIT, credit, at(when))
                     for index, (when, credit) in enumerate(credits))
    return SessionFacts(mode, at(start), seat, events=events, entries=entries)


def test_sessions_alike_on_seats_dark_alike_share_one_run_of_the_policy(monkeypatch) -> None:
    runs: list[SessionFacts] = []

    def counted(inputs: CompensationInput) -> CompensationResult:
        runs.append(inputs.session)
        return compensate(inputs)

    monkeypatch.setattr(batch_module, "compensate", counted)
    prior = (PriorCompensation(1, 20, 10, True),)
    sessions = [facts("A1", credits=((50, 30),)), facts("A2", credits=((50, 30),)),
                # A different seat darkness, zone price, start, prior, paid time that ran out (at 90,
                # in the dark), mode or event each
                # needs a run of its own.
                facts("B1", credits=((50, 30),)), facts("C1", credits=((50, 30),)), facts("A2", start=5),
                facts("A1", credits=((50, 30),)), facts("A2", 60, credits=((50, 30),)),
                facts("A1", mode=SessionMode.POSTPAID, credits=((50, 30),)),
                facts("A2", credits=((50, 30),), events=(EventRecord(SessionEventKind.PAUSE, at(90)),))]
    priors = [prior, prior, prior, prior, (), (), prior, prior, prior]
    work = new_batch()
    results = [work.compensate(session, given) for session, given in zip(sessions, priors, strict=True)]
    assert results == [one_by_one(session, given) for session, given in zip(sessions, priors, strict=True)]
    assert [result.seat_id for result in results] == ["A1", "A2", "B1", "C1", "A2", "A1", "A2", "A1", "A2"]
    assert len(runs) == 8
    assert results[1] == replace(results[0], seat_id="A2")
    assert len({result.figures for result in results}) > 4
    assert [work.explanation(result) for result in results] == [result.explanation for result in results]


def test_a_session_that_moved_is_worked_out_on_its_own(monkeypatch) -> None:
    runs: list[SessionFacts] = []
    monkeypatch.setattr(batch_module, "compensate", lambda inputs: runs.append(inputs.session) or compensate(inputs))
    moved = facts("D1", events=(EventRecord(SessionEventKind.MOVE, at(60), "A1"),))
    work = new_batch()
    assert [work.compensate(moved, ()) for _ in range(2)] == [one_by_one(moved, ())] * 2
    assert len(runs) == 2


moments = st.integers(min_value=0, max_value=110)
sessions = st.builds(
    lambda seat, minutes, start, pause, credit, postpaid, ended: facts(
        seat, minutes, start=start,
        events=tuple(sorted(
            ((EventRecord(SessionEventKind.PAUSE, at(pause)), EventRecord(SessionEventKind.RESUME, at(pause + 7)))
             if pause is not None and pause >= start else ())
            + ((EventRecord(SessionEventKind.END, at(ended)),) if ended is not None and ended > start else ()),
            key=lambda event: event.at)),
        credits=((start + 1, credit),) if credit else (),
        mode=SessionMode.POSTPAID if postpaid else SessionMode.PREPAID),
    st.sampled_from(sorted(TERMS)), st.sampled_from([15, 60, 120]), st.sampled_from([0, 20, 85]),
    st.one_of(st.none(), moments), st.sampled_from([0, 10]), st.booleans(), st.one_of(st.none(), moments))


@hypothesis_settings(max_examples=budget(150), deadline=None)
@given(st.lists(sessions, min_size=1, max_size=12))
def test_a_batch_gives_every_session_what_the_policy_gives_it_alone(batch_of_sessions) -> None:
    work = new_batch()
    for session in batch_of_sessions:
        assert work.compensate(session, ()) == one_by_one(session, ())


@pytest.mark.parametrize("seat", ["A1", "D1"])
def test_nothing_given_is_shared_as_nothing(seat) -> None:
    work = new_batch()
    ended_before = facts(seat, events=(EventRecord(SessionEventKind.END, at(70)),))
    first, second = work.compensate(ended_before, ()), work.compensate(replace(ended_before, seat_id="A2"), ())
    assert first == second == one_by_one(ended_before, ())
    assert first.figures is None and first.seat_id is None


def test_a_postpaid_session_and_a_prepaid_one_with_nothing_bought_are_told_apart() -> None:
    postpaid, prepaid = SessionFacts(SessionMode.POSTPAID, at(0), "A1"), SessionFacts(SessionMode.PREPAID, at(0), "A2")
    work = new_batch()
    assert [work.compensate(postpaid, ()), work.compensate(prepaid, ())] == [one_by_one(postpaid, ()),
                                                                            one_by_one(prepaid, ())]
    assert one_by_one(postpaid, ()).figures is not None and one_by_one(prepaid, ()).figures is None


def test_sessions_alike_but_for_the_minutes_bought_share_one_run_each_with_its_own_paid_end(monkeypatch) -> None:
    runs: list[SessionFacts] = []
    monkeypatch.setattr(batch_module, "compensate", lambda inputs: runs.append(inputs.session) or compensate(inputs))
    # Each bought before its seat went dark and still has time left at the second cut's end.
    sessions = [facts(seat, minutes) for seat, minutes in (("A1", 120), ("A2", 150), ("A1", 240), ("A2", 101))]
    work = new_batch()
    results = [work.compensate(session, ()) for session in sessions]
    alone = [one_by_one(session, ()) for session in sessions]
    assert results == alone
    assert len(runs) == 1
    assert len({result.paid_end for result in results}) == 4
    assert len({result.figures for result in results}) == 1
    explanations = [work.explanation(result) for result in results]
    assert explanations == [result.explanation for result in alone]
    assert len(set(explanations)) == 4 and all("time added: paid end" in text for text in explanations)


def test_minutes_bought_still_count_where_the_paid_time_ran_out_or_was_bought_in_the_dark(monkeypatch) -> None:
    runs: list[SessionFacts] = []
    monkeypatch.setattr(batch_module, "compensate", lambda inputs: runs.append(inputs.session) or compensate(inputs))
    sessions = [facts("A1", 120), facts("A2", 90),  # the second ran out at minute 90, in the second cut
                facts("A1", 100),  # ran out exactly at the cut's end
                facts("A2", 60, credits=((85, 60),)),  # topped up in the dark
                facts("A1", 120, events=(EventRecord(SessionEventKind.PAUSE, at(95)),)),
                facts("A2", 60, events=(EventRecord(SessionEventKind.PAUSE, at(55)),))]  # paused, time left
    work = new_batch()
    assert [work.compensate(session, ()) for session in sessions] == [one_by_one(session, ()) for session in sessions]
    assert len(runs) == 6


paid_sessions = st.builds(
    lambda seat, minutes, start, pause, top_up, ended, prior: (facts(
        seat, minutes, start=start,
        events=tuple(sorted(
            ((EventRecord(SessionEventKind.PAUSE, at(pause)), EventRecord(SessionEventKind.RESUME, at(pause + 9)))
             if pause is not None and pause >= start else ())
            + ((EventRecord(SessionEventKind.END, at(ended)),) if ended is not None and ended > start else ()),
            key=lambda event: event.at)),
        credits=((top_up[0], top_up[1]),) if top_up is not None and top_up[0] >= start else ()),
        (PriorCompensation(1, 20, 10, True),) if prior else ()),
    st.sampled_from(sorted(TERMS)), st.sampled_from([15, 29, 30, 31, 49, 50, 80, 81, 99, 100, 101, 240]),
    st.sampled_from([0, 20]), st.one_of(st.none(), moments),
    st.one_of(st.none(), st.tuples(moments, st.sampled_from([5, 30, 90]))), st.one_of(st.none(), moments),
    st.booleans())


@hypothesis_settings(max_examples=budget(300), deadline=None)
@given(st.lists(paid_sessions, min_size=1, max_size=14))
def test_sessions_that_differ_in_the_minutes_bought_get_what_the_policy_gives_each_alone(batch_of_sessions) -> None:
    work = new_batch()
    for session, prior in batch_of_sessions:
        result = work.compensate(session, prior)
        alone = one_by_one(session, prior)
        assert result == alone
        assert work.explanation(result) == alone.explanation
