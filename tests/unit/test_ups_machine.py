"""The UPS state machine of ``compensator.domain.ups``, with plain datetimes: debounce, flap merge,
time on battery adding up across flaps, back-dating and lost contact, and properties over random
reading sequences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from compensator.domain.ups import (
    DisplayChanged,
    EndOutage,
    Flapped,
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


def outage_decisions(decisions: list[object]) -> list[OpenOutage | EndOutage]:
    """The outages opened and ended."""
    return [decision for decision in decisions if isinstance(decision, OpenOutage | EndOutage)]


def flaps_of(decisions: list[object]) -> list[object]:
    """The outages opened and ended, and the flaps during them."""
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
    assert not state.in_outage and state.display is UpsDisplay.ONLINE
    # The 14 s on battery are remembered until mains have lasted the merge, then forgotten.
    assert state.off_since == at(12) and state.battery == timedelta(seconds=14)
    state, decisions = feed(polls(42, 84, OL), state)
    assert outage_decisions(decisions) == [] and state.off_since == at(12)
    state, decisions = feed([(86, OL)], state)
    assert outage_decisions(decisions) == [] and state.off_since is None and state.battery == timedelta(0)


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
    assert flaps_of(decisions) == [OpenOutage(at(0)), Flapped(at(42)), Flapped(at(72)), EndOutage(at(76))]


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


def feed_timed(readings: list[tuple[float, Reading]]) -> list[tuple[float, object]]:
    """Feed readings in order; each outage decision with the second of the reading that took it."""
    state, taken = UpsState(), list[tuple[float, object]]()
    for seconds, reading in readings:
        step = observe(state, reading, at(seconds), TIMING)
        state = step.state
        taken.extend((seconds, decision) for decision in step.decisions if not isinstance(decision, DisplayChanged))
    return taken


def spells(readings: list[tuple[float, Reading]], start: float, until: float) -> tuple[float, float, int]:
    """Between two seconds, of answered readings: the time on battery (each spell from its first
    reading on battery to the first on mains, or to ``until``), the longest return of mains (from
    its first reading to the next on battery) and how many returns were followed by battery."""
    battery = longest = 0.0
    returns = 0
    spell = back = None
    for seconds, reading in readings:
        if seconds < start or seconds > until:
            continue
        if reading is OB and spell is None:
            spell = seconds
            if back is not None:
                longest, back, returns = max(longest, seconds - back), None, returns + 1
        elif reading is OL and back is None:
            back = seconds
            if spell is not None:
                battery, spell = battery + seconds - spell, None
    if spell is not None:
        battery += until - spell
    return battery, longest, returns


@settings(max_examples=budget(200), deadline=None)
@given(reading_runs())
def test_an_outage_opens_only_once_spells_on_battery_between_short_returns_reach_the_debounce(
        readings: list[tuple[float, Reading]]) -> None:
    # Without silences: an outage needs spells on battery adding up to the debounce since its
    # start, none of the returns of mains between them lasting the merge; its flaps are those returns.
    answered = [(seconds, reading) for seconds, reading in readings if reading is not SILENT]
    for opened_at, decision in feed_timed(answered):
        if isinstance(decision, OpenOutage):
            start = (decision.started_at - T0).total_seconds()
            battery, longest, returns = spells(answered, start, opened_at)
            assert battery >= TIMING.debounce.total_seconds()
            assert longest < TIMING.merge.total_seconds()
            assert decision.flaps == returns


@settings(max_examples=budget(200), deadline=None)
@given(reading_runs())
def test_every_return_of_mains_inside_an_outage_is_a_flap_but_the_last(readings: list[tuple[float, Reading]]) -> None:
    answered = [(seconds, reading) for seconds, reading in readings if reading is not SILENT]
    taken = feed_timed(answered)
    for index, (_, decision) in enumerate(taken):
        if not isinstance(decision, OpenOutage):
            continue
        end = next((d for _, d in taken[index + 1:] if isinstance(d, EndOutage)), None)
        if end is None:
            continue
        flaps = decision.flaps + sum(1 for _, d in taken[index + 1:] if isinstance(d, Flapped)
                                     and d.at < end.ended_at)
        start, stop = (decision.started_at - T0).total_seconds(), (end.ended_at - T0).total_seconds()
        assert flaps == spells(answered, start, stop)[2]


def test_mains_off_twelve_seconds_and_on_two_over_and_over_is_one_outage_with_its_flaps() -> None:
    # Issue 23's case: OB 12 s / OL 2 s five times, polled every 2 s. Before, each return
    # restarted the 15-s debounce and no outage opened while mains were off 60 of 70 s.
    readings: list[tuple[float, Reading]] = []
    for spell in range(5):
        readings += polls(spell * 14, spell * 14 + 10, OB) + [(spell * 14 + 12, OL)]
    taken = feed_timed(readings + polls(72, 140, OL))
    assert taken == [(18, OpenOutage(at(0), flaps=1)), (28, Flapped(at(28))), (42, Flapped(at(42))),
                     (56, Flapped(at(56))), (128, EndOutage(at(68)))]


def test_mains_flapping_every_second_or_two_adds_up_to_the_debounce() -> None:
    # The spells seen are one reading long each: each counts 2 s, until the reading on mains.
    readings = [(seconds, OB if seconds % 4 == 0 else OL) for seconds in range(0, 60, 2)]
    taken = feed_timed(readings + polls(60, 130, OL))
    assert taken[0] == (30, OpenOutage(at(0), flaps=7))
    assert taken[-1] == (118, EndOutage(at(58)))
    assert sum(isinstance(decision, Flapped) for _, decision in taken) == 7


def test_mains_back_for_the_merge_forget_the_spells_before() -> None:
    state, decisions = feed(polls(0, 10, OB) + polls(12, 72, OL) + polls(74, 84, OB) + polls(86, 100, OL))
    assert outage_decisions(decisions) == []
    assert state.off_since == at(74) and state.flaps == 0 and state.battery == timedelta(seconds=12)


def test_a_spell_that_reaches_the_debounce_at_the_reading_on_mains_opens_the_outage_then() -> None:
    # Mains were off from the first OB to the first OL read 16 s later: that is how long the
    # outage is dated to have lasted, so it is long enough to open, and it ends after the merge.
    taken = feed_timed(polls(0, 14, OB) + polls(16, 80, OL))
    assert taken == [(16, OpenOutage(at(0))), (76, EndOutage(at(16)))]


def test_a_spell_counts_until_the_monitor_fell_silent_when_the_silence_ends_on_mains() -> None:
    state, decisions = feed(polls(0, 10, OB) + polls(12, 60, SILENT) + [(62, OL)])
    assert outage_decisions(decisions) == [] and state.battery == timedelta(seconds=12)
    state, decisions = feed([(64, OB), (66, OB)], state)
    assert outage_decisions(decisions) == []
    state, decisions = feed([(68, OB)], state)
    assert outage_decisions(decisions) == [OpenOutage(at(0), flaps=1)]


def test_pushed_events_flapping_add_up_and_open_one_outage_back_dated_to_the_first_onbatt() -> None:
    state, _ = feed([(0, OB), (10, OL), (12, OB)])
    assert outage_decisions(list(elapse(state, at(16.5), TIMING).decisions)) == []
    step = elapse(state, at(17), TIMING)
    assert outage_decisions(list(step.decisions)) == [OpenOutage(at(0), flaps=1)]
    state, decisions = feed([(20, OL), (25, OB)], step.state)
    assert flaps_of(decisions) == [Flapped(at(25))]


def test_an_onbatt_pushed_after_an_online_that_lasted_the_merge_ends_the_outage_before_a_new_run() -> None:
    # No time passed in between (the scheduler's job was late): the return still lasted.
    state, _ = feed([(0, OB)])
    state = elapse(state, at(16), TIMING).state
    state, decisions = feed([(30, OL), (95, OB)], state)
    assert flaps_of(decisions) == [EndOutage(at(30))]
    assert not state.in_outage and state.off_since == at(95) and state.flaps == 0


def test_a_low_battery_or_a_forced_shutdown_says_the_battery_is_about_to_give_out() -> None:
    from compensator.domain.ups import battery_low

    assert [battery_low(status) for status in ("OB LB", "OB DISCHRG LB", "FSD OB", "ol chrg lb", "OB DISCHRG", "OL",
                                               None, "")] == [True, True, True, True, False, False, False, False]
