"""The pure heartbeat silence rule: silent seats, the share and min_seats, the scope, the back-dated start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from compensator.domain.kinds import ScopeKind
from compensator.domain.silence import SeatBeat, SilenceRule, detect_silence, first_back, seat_ranges, share_fires

NOW = datetime(2026, 11, 22, 13, 30, tzinfo=UTC)
RULE = SilenceRule(silent_after_seconds=30, silent_share_percent=50, min_seats=2)


def beat(seat: str, zone: str, seconds_ago: int | None, running: bool = True) -> SeatBeat:
    return SeatBeat(seat, zone, None if seconds_ago is None else NOW - timedelta(seconds=seconds_ago), running)


def test_three_of_four_running_seats_silent_raise_a_silence_over_those_seats_back_dated() -> None:
    beats = [beat("A1", "a", 95), beat("A2", "a", 40), beat("A3", "a", 31), beat("A4", "a", 2)]
    silence = detect_silence(beats, NOW, RULE)
    assert silence is not None
    assert silence.seat_ids == ("A1", "A2", "A3")
    assert (silence.scope_kind, silence.scope_ids) == (ScopeKind.SEATS, ("A1", "A2", "A3"))
    assert silence.started_at == NOW - timedelta(seconds=95)


def test_one_of_four_silent_raises_nothing() -> None:
    assert detect_silence([beat("A1", "a", 60), beat("A2", "a", 1), beat("A3", "a", 1), beat("A4", "a", 1)],
                          NOW, RULE) is None


def test_seats_without_a_session_and_seats_that_never_beat_never_count() -> None:
    beats = [beat("A1", "a", 60), beat("A2", "a", 60, running=False), beat("A3", "a", None),
             beat("A4", "a", 1)]
    # Only A1 and A4 are watched: one silent seat is under min_seats.
    assert detect_silence(beats, NOW, RULE) is None


def test_min_seats_holds_back_a_single_silent_seat_even_at_a_full_share() -> None:
    assert detect_silence([beat("A1", "a", 60)], NOW, RULE) is None
    assert detect_silence([beat("A1", "a", 60)], NOW, SilenceRule(30, 50, 1)) is not None


def test_a_zone_wholly_silent_is_the_scope_and_every_zone_silent_is_the_venue() -> None:
    gaming = [beat(f"G{index}", "gaming", 50) for index in range(1, 4)]
    standard = [beat("A1", "standard", 1), beat("A2", "standard", 1)]
    silence = detect_silence(gaming + standard, NOW, RULE)
    assert silence is not None and (silence.scope_kind, silence.scope_ids) == (ScopeKind.ZONES, ("gaming",))
    everything = detect_silence(gaming + [beat("A1", "standard", 70), beat("A2", "standard", 70)], NOW, RULE)
    assert everything is not None and everything.scope_kind is ScopeKind.VENUE


def test_a_zone_with_a_seat_still_beating_or_never_heard_is_not_taken_whole() -> None:
    beats = [beat("G1", "gaming", 50), beat("G2", "gaming", 50), beat("G3", "gaming", None, running=False)]
    silence = detect_silence(beats, NOW, RULE)
    assert silence is not None and (silence.scope_kind, silence.scope_ids) == (ScopeKind.SEATS, ("G1", "G2"))


def test_seats_already_covered_by_a_silence_never_raise_a_second_one() -> None:
    beats = [beat("A1", "a", 60), beat("A2", "a", 60), beat("A3", "a", 60), beat("A4", "a", 1)]
    assert detect_silence(beats, NOW, RULE, frozenset({"A1", "A2", "A3"})) is None
    # A fourth seat falling silent later is one seat of four: still nothing.
    beats[3] = beat("A4", "a", 40)
    assert detect_silence(beats, NOW, RULE, frozenset({"A1", "A2", "A3"})) is None


def test_the_end_is_the_first_heartbeat_back_of_any_seat_of_the_silence() -> None:
    before = {"A1": NOW - timedelta(minutes=10), "A2": NOW - timedelta(minutes=10)}
    beats = [beat("A1", "a", 5), beat("A2", "a", 20 * 60)]
    assert first_back(before, beats, {"A1": NOW - timedelta(seconds=50)}) == NOW - timedelta(seconds=50)
    assert first_back(before, [beat("A1", "a", 600), beat("A2", "a", 600)], {}) is None


@given(silent=st.integers(0, 60), watched_extra=st.integers(0, 60), share=st.integers(1, 100),
       min_seats=st.integers(1, 10))
def test_the_share_rule_is_the_exact_percentage_and_min_seats(silent: int, watched_extra: int, share: int,
                                                               min_seats: int) -> None:
    watched = silent + watched_extra
    fires = share_fires(silent, watched, SilenceRule(30, share, min_seats))
    assert fires == (silent >= max(min_seats, 1) and watched > 0 and silent / watched * 100 >= share - 1e-9)


@given(ages=st.lists(st.one_of(st.none(), st.integers(0, 600)), min_size=1, max_size=30),
       running=st.lists(st.booleans(), min_size=30, max_size=30))
def test_a_silence_names_only_running_silent_seats_and_starts_at_their_earliest_last_heartbeat(
        ages: list[int | None], running: list[bool]) -> None:
    beats = [beat(f"S{index}", "zone" if index % 2 else "other", age, running[index])
             for index, age in enumerate(ages)]
    silence = detect_silence(beats, NOW, RULE)
    if silence is None:
        return
    by_seat = {item.seat_id: item for item in beats}
    assert all(by_seat[seat].running and by_seat[seat].last_seen_at is not None for seat in silence.seat_ids)
    assert all(NOW - by_seat[seat].last_seen_at >= timedelta(seconds=30) for seat in silence.seat_ids)
    assert silence.started_at == min(by_seat[seat].last_seen_at for seat in silence.seat_ids)


def test_seat_ranges_join_consecutive_numbers() -> None:
    assert seat_ranges(["G1", "G2", "G3", "A7", "A9", "A10", "VIP"]) == "G1–G3, A7, A9–A10, VIP"
