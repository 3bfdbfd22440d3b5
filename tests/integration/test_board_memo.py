"""The seat board from the last one's work (``BoardMemo``) is always the board worked out afresh.

A seeded random run drives the real use cases (sessions started, extended, paused, resumed,
moved and ended; outages started, suspected, ended, corrected, confirmed and dismissed; large
credits approved) under the fake clock, and reads the board several times a step as the clock
moves on by seconds or minutes, so that count downs cross their minutes, run out and UPS
bridging ends between readings. Each reading compares the memo's board with ``seat_board``'s in
the same transaction. Other runtimes on the same database, with clocks of their own, change it
behind the memo's back.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest

from compensator.clock import FakeClock
from compensator.errors import DomainError
from compensator.runtime import Compensator
from compensator.services.counter.board import BoardMemo, SeatTile, seat_board
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from tests.support.random_requests import draw
from tests.support.random_world import History, World, check
from web import create_app
from web.api_json import seats_json

STEPS = 120
# Seeds whose runs reach every step named at the end (2 and 5 no longer move or correct anything since
# the seats report their own darkness, a request of its own in the random runs).
SEEDS = (1, 3, 4, 7)
# Seconds the clock moves before a step, and between two readings of the board within one.
STEP_SECONDS = (0, 1, 20, 59, 60, 61, 150, 300, 600, 1800)
READING_SECONDS = (0, 0, 1, 7, 29, 59, 60, 61, 180)


def read_both(runtime: Compensator, memo: BoardMemo) -> tuple[tuple[SeatTile, ...], tuple[SeatTile, ...]]:
    """The memo's board and the board worked out afresh, in one read-only unit of work."""
    with runtime.reading() as unit:
        return memo.seat_board(unit), seat_board(unit)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_memos_board_is_the_fresh_board_after_every_step_and_clock_move(seed, runtime, clock, settings) -> None:
    rng = random.Random(seed)
    memo = BoardMemo()
    history = History()
    world = World()
    seen: Counter[str] = Counter()
    last: tuple[SeatTile, ...] | None = None
    for _step in range(STEPS):
        clock.advance(seconds=rng.choice(STEP_SECONDS), delta=timedelta(microseconds=rng.randint(0, 999_999)))
        request = draw(rng, world, clock.now())
        try:
            with runtime.unit_of_work() as unit:
                request.run(unit)
            seen[request.operation] += 1
        except DomainError:
            seen["refused"] += 1
        world = check(runtime.unit_of_work, settings, clock.now(), history, request.operation)
        for _reading in range(rng.randint(1, 4)):
            remembered, fresh = read_both(runtime, memo)
            assert remembered == fresh, (seed, _step, request.operation, clock.now())
            seen["reused" if remembered is last else "worked out"] += 1
            seen["dark or on UPS"] += any(tile.dark or tile.on_ups for tile in fresh)
            seen["counting down"] += any(tile.remaining_minutes for tile in fresh)
            last = remembered
            clock.advance(seconds=rng.choice(READING_SECONDS))
    # The run must have reused boards and worked out new ones, through what it is meant to check.
    assert all(seen[name] for name in ("reused", "worked out", "dark or on UPS", "counting down", "session.start",
                                       "session.move", "session.pause", "session.end", "outage.end",
                                       "outage.correct")), seen


def test_a_board_nothing_changed_on_is_the_same_board_until_a_count_down_crosses_a_minute(runtime, clock) -> None:
    with runtime.unit_of_work() as unit:
        sessions.start_session(unit, seat_id="A1", minutes=30, actor="test")
    memo = BoardMemo()
    first, _ = read_both(runtime, memo)
    clock.advance(seconds=59)
    again, fresh = read_both(runtime, memo)
    assert again is first and again == fresh
    clock.advance(seconds=1)
    moved_on, fresh = read_both(runtime, memo)
    assert moved_on is not first and moved_on == fresh
    assert [tile.remaining_minutes for tile in moved_on if tile.seat_id == "A1"] == [29]


def test_changes_made_by_another_runtime_on_the_database_are_seen_by_the_memo(runtime, clock, settings) -> None:
    # The other counter's clock runs ten minutes ahead: what it writes lies in this one's future.
    ahead = FakeClock(clock.now() + timedelta(minutes=10))
    other = Compensator.open(settings, clock=ahead, database_url=runtime.engine.url.render_as_string(False))
    try:
        memo = runtime.board_memo
        with other.unit_of_work() as unit:
            started = sessions.start_session(unit, seat_id="A2", minutes=5, actor="other").id
        remembered, fresh = read_both(runtime, memo)
        assert remembered == fresh
        steps = [
            lambda unit: sessions.extend_session(unit, started, minutes=20, actor="other"),
            lambda unit: sessions.pause_session(unit, started, actor="other"),
            # Resumed before the cut: a seat gone dark (its UPS spent) cannot be resumed on.
            lambda unit: sessions.resume_session(unit, started, actor="other"),
            lambda unit: outages.start_outage(unit, zones=["standard"], actor="other"),
            lambda unit: sessions.move_session(unit, started, seat_id="G1", actor="other"),
            lambda unit: sessions.end_session(unit, started, actor="other"),
        ]
        for step in steps:
            with other.unit_of_work() as unit:
                step(unit)
            for seconds in (0, 30, 600):
                clock.advance(seconds=seconds)
                remembered, fresh = read_both(runtime, memo)
                assert remembered == fresh
            ahead.set(max(ahead.now(), clock.now()) + timedelta(minutes=1))
        assert all(tile.session_id is None for tile in fresh)
    finally:
        other.close()


def test_a_board_read_in_a_writing_unit_of_work_is_not_kept(runtime, clock) -> None:
    memo = BoardMemo()
    with runtime.unit_of_work() as unit, unit.commit_held():
        sessions.start_session(unit, seat_id="A1", minutes=60, actor="test")
        # Flushed, never committed: this board shows a session that is rolled back.
        assert memo.seat_board(unit) == seat_board(unit)
        assert [tile.remaining_minutes for tile in memo.seat_board(unit) if tile.seat_id == "A1"] == [60]
    # The same ids again, for another session.
    with runtime.unit_of_work() as unit:
        sessions.start_session(unit, seat_id="A1", minutes=30, actor="test")
    remembered, fresh = read_both(runtime, memo)
    assert remembered == fresh
    assert [tile.remaining_minutes for tile in fresh if tile.seat_id == "A1"] == [30]


def test_a_reading_whose_clock_is_behind_the_last_ones_gets_the_board_of_its_own_moment(runtime, clock,
                                                                                      settings) -> None:
    # Another thread may read the clock first and the board last: its moment is the earlier one.
    behind = FakeClock(clock.now())
    late = Compensator(settings, behind, runtime.engine, runtime.session_factory)
    with runtime.unit_of_work() as unit:
        sessions.start_session(unit, seat_id="A1", minutes=30, actor="test")
    clock.advance(minutes=5)
    memo = BoardMemo()
    read_both(runtime, memo)
    remembered, fresh = read_both(late, memo)
    assert remembered == fresh
    assert [tile.remaining_minutes for tile in fresh if tile.seat_id == "A1"] == [30]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_on_postgresql_where_a_smaller_id_can_commit_after_a_larger_one_the_board_is_worked_out_afresh(
        runtime, clock) -> None:
    with runtime.unit_of_work() as unit:
        first = sessions.start_session(unit, seat_id="A1", minutes=30, actor="test").id
        second = sessions.start_session(unit, seat_id="A2", minutes=30, actor="test").id
    memo = BoardMemo()
    slow = runtime.unit_of_work().__enter__()
    try:
        with slow.commit_held():
            sessions.extend_session(slow, first, minutes=60, actor="slow")
        with runtime.unit_of_work() as unit:
            sessions.extend_session(unit, second, minutes=5, actor="quick")
        assert read_both(runtime, memo)[0] == read_both(runtime, BoardMemo())[1]
        # The smaller ledger id commits now, below the largest one already seen.
        slow.commit()
    finally:
        slow.__exit__(None, None, None)
    remembered, fresh = read_both(runtime, memo)
    assert remembered == fresh
    assert [tile.remaining_minutes for tile in fresh if tile.session_id is not None] == [90, 35]


def test_the_seats_answer_is_the_json_of_the_fresh_board_as_the_board_changes(runtime, clock) -> None:
    from flask import jsonify

    from compensator.services.people.accounts import create_token

    app = create_app(runtime, {"TESTING": True, "SECRET_KEY": "test"})
    client = app.test_client()
    with runtime.unit_of_work() as unit:
        headers = {"Authorization": f"Bearer {create_token(unit, name='board', actor='test').secret}"}
    with runtime.unit_of_work() as unit:
        started = sessions.start_session(unit, seat_id="G2", minutes=3, actor="test").id

    def expected() -> bytes:
        with app.test_request_context(), runtime.reading() as unit:
            return jsonify(seats=seats_json(seat_board(unit))).get_data()

    for seconds in (0, 0, 30, 30, 60, 120):
        clock.advance(seconds=seconds)
        response = client.get("/api/v1/seats", headers=headers)
        assert (response.status_code, response.mimetype) == (200, "application/json")
        assert response.get_data() == expected()
    with runtime.unit_of_work() as unit:
        sessions.end_session(unit, started, actor="test")
    assert client.get("/api/v1/seats", headers=headers).get_data() == expected()
