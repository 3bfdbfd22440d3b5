"""The garbage collector around heavy moments: held off while an outage is closed or a report made, frozen after start-up."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from compensator.collector import collector_held_off, freeze_after_start_up, made_to_last
from compensator.services import outages, settlement
from tests.conftest import power_cut_over


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


def test_what_is_made_to_last_joins_the_oldest_generation_unexamined() -> None:
    with made_to_last():
        assert not gc.isenabled()
        kept = [[index] for index in range(5000)]
    assert gc.isenabled()
    oldest = {id(item) for item in gc.get_objects(generation=2)}
    assert all(id(item) in oldest for item in kept)
    assert gc.get_freeze_count() == 0


def test_what_the_server_froze_stays_frozen_when_something_is_made_to_last_after() -> None:
    gc.freeze()
    frozen = gc.get_freeze_count()
    with made_to_last():
        kept = [[index] for index in range(10)]
    assert gc.get_freeze_count() == frozen
    oldest = {id(item) for item in gc.get_objects(generation=2)}
    assert not any(id(item) in oldest for item in kept)


def test_closing_an_outage_runs_with_the_collector_off_and_leaves_it_on(uow, clock, monkeypatch) -> None:
    seen: list[bool] = []
    settle = settlement.settle

    def watched_settle(*args, **kwargs):
        seen.append(gc.isenabled())
        return settle(*args, **kwargs)

    monkeypatch.setattr(outages, "settle", watched_settle)
    closed, _ = power_cut_over(uow, clock, {"G1": 60, "G2": 60}, after_minutes=10, lasting_minutes=15)
    assert seen == [False]
    assert len(closed.compensations) == 2
    assert gc.isenabled()


def test_a_close_that_fails_leaves_the_collector_on(uow, clock, monkeypatch) -> None:
    def failing_settle(*_args, **_kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(outages, "settle", failing_settle)
    with pytest.raises(RuntimeError):
        power_cut_over(uow, clock, {"G1": 60}, after_minutes=10, lasting_minutes=15)
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
    import waitress

    from compensator import scheduler
    from web.cli import serve

    class Scheduler:
        def start(self) -> None:
            pass

        def shutdown(self, wait: bool) -> None:
            pass

    frozen_when_serving: list[int] = []
    monkeypatch.setattr(waitress, "serve", lambda *_args, **_kwargs: frozen_when_serving.append(gc.get_freeze_count()))
    # The scheduler's jobs are not what this is about, and would outlive the test.
    monkeypatch.setattr(scheduler, "build_scheduler", lambda *_args: Scheduler())
    gc.unfreeze()
    assert serve(runtime, "127.0.0.1", 0, secret_key="test") == 0
    assert len(frozen_when_serving) == 1 and frozen_when_serving[0] > 0
