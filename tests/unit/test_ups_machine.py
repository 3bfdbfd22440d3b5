"""The UPS state machine of ``compensator.domain.ups``, with plain datetimes: debounce, flap merge,
back-dating and lost contact, and properties over random reading sequences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from compensator.domain.ups import (
    DisplayChanged,
    EndOutage,
    OpenOutage,
    Reading,
    Step,
    Timing,
    UpsDisplay,
    UpsState,
    elapse,
    observe,
    reading_of_status,
)
from tests.support.budgets import budget

T0 = datetime(2026, 11, 22, 13, 18, tzinfo=UTC)
TIMING = Timing(debounce=timedelta(seconds=15), merge=timedelta(seconds=60))
OB, OL, SILENT = Reading.ON_BATTERY, Reading.ONLINE, Reading.NO_ANSWER


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def feed(readings: list[tuple[float, Reading]], state: UpsState | None = None) -> tuple[UpsState, list[object]]:
    """Feed readings in order; the final state and every decision taken on the way."""
    state = state or UpsState()
    decisions: list[object] = []
    for seconds, reading in readings:
        step = observe(state, reading, at(seconds), TIMING)
        state = step.state
        decisions.extend(step.decisions)
    return state, decisions


def outage_decisions(decisions: list[object]) -> list[object]:
    return [decision for decision in decisions if not isinstance(decision, DisplayChanged)]


def polls(start: float, stop: float, reading: Reading, every: float = 2) -> list[tuple[float, Reading]]:
    count = int((stop - start) / every)
    return [(start + index * every, reading) for index in range(count + 1)]


def test_a_status_is_read_from_its_flags() -> None:
    assert reading_of_status("OB DISCHRG") is OB
    assert reading_of_status("OL CHRG") is OL
    assert reading_of_status("OL OB") is OB
    assert reading_of_status("WAIT") is SILENT
    assert reading_of_status("") is SILENT
    assert reading_of_status(None) is SILENT
    assert reading_of_status("OBSOLETE") is SILENT


def test_a_blip_shorter_than_the_debounce_opens_nothing() -> None:
    state, decisions = feed(polls(0, 10, OL) + polls(12, 24, OB) + polls(26, 40, OL))
    assert outage_decisions(decisions) == []
    assert not state.in_outage and state.off_since is None and state.display is UpsDisplay.ONLINE


def test_on_battery_that_lasts_the_debounce_opens_an_outage_back_dated_to_the_first_ob() -> None:
    state, decisions = feed(polls(0, 4, OL) + polls(6, 30, OB))
    assert outage_decisions(decisions) == [OpenOutage(at(6))]
    assert state.in_outage and state.display is UpsDisplay.ON_BATTERY and state.since == at(6)


def test_the_outage_opens_at_the_first_reading_after_the_debounce_has_passed() -> None:
    state = UpsState()
    for seconds in (0, 2, 4, 6, 8, 10, 12, 14):
        step = observe(state, OB, at(seconds), TIMING)
        assert outage_decisions(list(step.decisions)) == []
        state = step.state
    assert outage_decisions(list(observe(state, OB, at(16), TIMING).decisions)) == [OpenOutage(at(0))]


def test_mains_back_that_last_the_merge_end_it_back_dated_to_when_they_came_back() -> None:
    state, decisions = feed(polls(0, 20, OB) + polls(22, 90, OL))
    assert outage_decisions(decisions) == [OpenOutage(at(0)), EndOutage(at(22))]
    assert not state.in_outage and state.on_since is None


def test_mains_flapping_within_the_merge_stays_one_outage_ending_at_the_ol_that_lasted() -> None:
    readings = polls(0, 20, OB) + polls(22, 40, OL) + polls(42, 50, OB) + polls(52, 70, OL) + polls(72, 74, OB) \
        + polls(76, 150, OL)
    _, decisions = feed(readings)
    assert outage_decisions(decisions) == [OpenOutage(at(0)), EndOutage(at(76))]


def test_a_silent_monitor_neither_opens_nor_ends_and_shows_not_answering() -> None:
    state, _ = feed(polls(0, 20, OB))
    state, decisions = feed(polls(22, 200, SILENT), state)
    assert outage_decisions(decisions) == []
    assert state.in_outage and state.display is UpsDisplay.NOT_ANSWERING and state.since == at(22)
    assert state.mains is OB


def test_on_battery_seen_only_before_a_silence_opens_nothing_until_the_monitor_answers() -> None:
    state, decisions = feed(polls(0, 4, OB) + polls(6, 60, SILENT))
    assert outage_decisions(decisions) == []
    state, decisions = feed([(62, OB)], state)
    assert outage_decisions(decisions) == [OpenOutage(at(0))]
    assert state.since == at(0)


def test_mains_back_seen_after_a_silence_end_the_outage_from_the_first_answer() -> None:
    state, decisions = feed(polls(0, 20, OB) + polls(22, 40, SILENT) + polls(42, 110, OL))
    assert not state.in_outage
    assert outage_decisions(decisions) == [OpenOutage(at(0)), EndOutage(at(42))]


def test_display_changes_are_reported_once_each_and_not_at_every_poll() -> None:
    _, decisions = feed(polls(0, 10, OL) + polls(12, 20, SILENT) + polls(22, 30, OL) + polls(32, 40, OB))
    changes = [(d.before, d.after) for d in decisions if isinstance(d, DisplayChanged)]
    assert changes == [(UpsDisplay.UNKNOWN, UpsDisplay.ONLINE), (UpsDisplay.ONLINE, UpsDisplay.NOT_ANSWERING),
                       (UpsDisplay.NOT_ANSWERING, UpsDisplay.ONLINE), (UpsDisplay.ONLINE, UpsDisplay.ON_BATTERY)]


def test_a_reading_older_than_the_last_one_is_ignored() -> None:
    state, _ = feed([(10, OL)])
    assert observe(state, OB, at(5), TIMING) == Step(state)


def test_a_pushed_onbatt_opens_the_outage_once_time_has_passed_the_debounce() -> None:
    state, _ = feed([(0, OB)])
    assert outage_decisions(list(elapse(state, at(14), TIMING).decisions)) == []
    step = elapse(state, at(15.5), TIMING)
    assert outage_decisions(list(step.decisions)) == [OpenOutage(at(0))]
    assert outage_decisions(list(elapse(step.state, at(30), TIMING).decisions)) == []


def test_a_pushed_online_before_the_debounce_cancels_the_outage() -> None:
    state, _ = feed([(0, OB), (5, OL)])
    assert outage_decisions(list(elapse(state, at(100), TIMING).decisions)) == []


def test_a_pushed_online_ends_the_outage_once_it_has_lasted_the_merge() -> None:
    state, _ = feed([(0, OB)])
    state = elapse(state, at(16), TIMING).state
    state, _ = feed([(30, OL)], state)
    assert outage_decisions(list(elapse(state, at(89), TIMING).decisions)) == []
    assert outage_decisions(list(elapse(state, at(90), TIMING).decisions)) == [EndOutage(at(30))]


@st.composite
def reading_runs(draw: st.DrawFn) -> list[tuple[float, Reading]]:
    runs = draw(st.lists(st.tuples(st.sampled_from([OB, OL, SILENT]), st.integers(1, 40)), min_size=1, max_size=12))
    readings, seconds = [], 0.0
    for reading, count in runs:
        for _ in range(count):
            readings.append((seconds, reading))
            seconds += 2
    return readings


@settings(max_examples=budget(200), deadline=None)
@given(reading_runs())
def test_opens_and_ends_alternate_and_each_is_back_dated_to_a_reading_that_justifies_it(
        readings: list[tuple[float, Reading]]) -> None:
    _, decisions = feed(readings)
    outage = outage_decisions(decisions)
    kinds = [type(decision) for decision in outage]
    assert kinds == [OpenOutage, EndOutage] * (len(kinds) // 2) + [OpenOutage] * (len(kinds) % 2)
    by_time = dict(readings)
    for decision in outage:
        moment = decision.started_at if isinstance(decision, OpenOutage) else decision.ended_at
        seconds = (moment - T0).total_seconds()
        assert by_time[seconds] is (OB if isinstance(decision, OpenOutage) else OL)


@settings(max_examples=budget(200), deadline=None)
@given(reading_runs())
def test_no_run_of_on_battery_shorter_than_the_debounce_ever_opens_an_outage(
        readings: list[tuple[float, Reading]]) -> None:
    # Without silences, an outage needs readings on battery spanning the debounce, unbroken by mains.
    answered = [(seconds, reading) for seconds, reading in readings if reading is not SILENT]
    _, decisions = feed(answered)
    for decision in outage_decisions(decisions):
        if isinstance(decision, OpenOutage):
            start = (decision.started_at - T0).total_seconds()
            run = [seconds for seconds, reading in answered if seconds >= start]
            later = next((s for s, r in answered if s > start and r is OL), None)
            lasted = max(s for s in run if later is None or s < later) - start
            assert lasted >= TIMING.debounce.total_seconds()


def test_a_low_battery_or_a_forced_shutdown_says_the_battery_is_about_to_give_out() -> None:
    from compensator.domain.ups import battery_low

    assert [battery_low(status) for status in ("OB LB", "OB DISCHRG LB", "FSD OB", "ol chrg lb", "OB DISCHRG", "OL",
                                               None, "")] == [True, True, True, True, False, False, False, False]
