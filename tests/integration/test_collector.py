"""The garbage collector around heavy moments: held off while an outage is closed or a report made, frozen after start-up."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from compensator.collector import collector_held_off, freeze_after_start_up
from compensator.services.outages import settlement
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from tests.conftest import log_in_cookie, power_cut_over


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    """Whatever a test does, the collector is left enabled and nothing frozen."""
    yield
    gc.enable()
    gc.unfreeze()


def test_the_collector_is_off_within_the_block_and_on_again_after() -> None:
    assert gc.isenabled()
    with collector_held_off():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_comes_back_after_a_failure_inside_the_block() -> None:
    with pytest.raises(RuntimeError), collector_held_off():
        raise RuntimeError("the close failed")
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    with collector_held_off():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_as_a_decorator_it_holds_the_collector_off_for_each_call() -> None:
    @collector_held_off()
    def work() -> bool:
        return gc.isenabled()

    assert work() is False
    assert work() is False
    assert gc.isenabled()


def test_overlapping_blocks_on_two_threads_bring_it_back_when_the_last_ends() -> None:
    inside, release = threading.Event(), threading.Event()

    def other_close() -> None:
        with collector_held_off():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other_close)
    with collector_held_off():
        thread.start()
        assert inside.wait(5)
    # This thread's block ended while the other's goes on.
    assert not gc.isenabled()
    release.set()
    thread.join(5)
    assert gc.isenabled()


def watch_settle(monkeypatch) -> list[bool]:
    """Whether the collector was on at each settling of an outage."""
    seen: list[bool] = []
    settle = settlement.settle

    def watched_settle(*args, **kwargs):
        seen.append(gc.isenabled())
        return settle(*args, **kwargs)

    monkeypatch.setattr(outages, "settle", watched_settle)
    return seen


def test_the_close_itself_leaves_the_collector_to_its_entry_point(uow, clock, monkeypatch) -> None:
    seen = watch_settle(monkeypatch)
    closed, _ = power_cut_over(uow, clock, {"G1": 60, "G2": 60}, after_minutes=10, lasting_minutes=15)
    assert seen == [True]
    assert len(closed.compensations) == 2


def test_power_back_at_the_counter_closes_with_the_collector_off_and_leaves_it_on(runtime, uow, clock,
                                                                                  monkeypatch) -> None:
    from web import create_app

    seen = watch_settle(monkeypatch)
    client = create_app(runtime, {"TESTING": True, "SECRET_KEY": "test"}).test_client()
    log_in_cookie(client, "ada")
    with uow() as unit:
        sessions.start_session(unit, seat_id="G1", minutes=60, actor="test")
        outages.start_outage(unit, actor="test")
    clock.advance(minutes=15)
    answer = client.post("/power-back", data={"csrf_token": "t"})
    assert answer.status_code == 302
    assert seen == [False]
    assert gc.isenabled()


def test_a_close_that_fails_at_an_entry_point_leaves_the_collector_on(runtime, uow, clock, monkeypatch) -> None:
    from web import create_app

    def failing_settle(*_args, **_kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(outages, "settle", failing_settle)
    client = create_app(runtime, {"TESTING": True, "SECRET_KEY": "test"}).test_client()
    log_in_cookie(client, "ada")
    with uow() as unit:
        sessions.start_session(unit, seat_id="G1", minutes=60, actor="test")
        outages.start_outage(unit, actor="test")
    clock.advance(minutes=15)
    assert client.post("/power-back", data={"csrf_token": "t"}).status_code == 500
    assert gc.isenabled()


def test_after_start_up_the_objects_alive_are_frozen_and_garbage_is_not() -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self

    alive = Node()
    Node()  # a cycle nobody holds: garbage
    freeze_after_start_up()
    assert gc.get_freeze_count() > 0
    assert not any(isinstance(item, Node) for item in gc.get_objects())
    gc.unfreeze()
    assert [item for item in gc.get_objects() if isinstance(item, Node)] == [alive]


def test_the_server_freezes_what_start_up_left_alive_before_it_serves(runtime, monkeypatch) -> None:
    from compensator import scheduler
    from web import server
    from web.cli import serve

    class Scheduler:
        def start(self) -> None:
            pass

        def shutdown(self, wait: bool) -> None:
            pass

    frozen_when_serving: list[int] = []
    monkeypatch.setattr(server, "serve_app", lambda *_args, **_kwargs: frozen_when_serving.append(gc.get_freeze_count()))
    # The scheduler's jobs are not what this is about, and would outlive the test.
    monkeypatch.setattr(scheduler, "build_scheduler", lambda *_args: Scheduler())
    gc.unfreeze()
    assert serve(runtime, "127.0.0.1", 0, secret_key="test") == 0
    assert len(frozen_when_serving) == 1 and frozen_when_serving[0] > 0
