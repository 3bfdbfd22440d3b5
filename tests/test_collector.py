"""The collector is held off within ``collector_held_off`` and comes back after, as it was."""

from __future__ import annotations

import gc
import threading

import pytest

from compensator.collector import collector_held_off


@pytest.fixture(autouse=True)
def collector_enabled():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_within_and_on_after() -> None:
    with collector_held_off():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_comes_back_after_an_error() -> None:
    with pytest.raises(RuntimeError), collector_held_off():
        raise RuntimeError("the report failed")
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    with collector_held_off():
        pass
    assert not gc.isenabled()


def test_as_a_decorator() -> None:
    @collector_held_off()
    def work() -> bool:
        return gc.isenabled()

    assert work() is False
    assert gc.isenabled()


def test_overlapping_holders_on_two_threads_bring_it_back_when_the_last_ends() -> None:
    first_in, second_out, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with collector_held_off():
            first_in.set()
            second_out.wait(5)
            seen.append(gc.isenabled())
        first_out.set()

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with collector_held_off():
        pass
    second_out.set()
    first_out.wait(5)
    thread.join(5)
    assert seen == [False]
    assert gc.isenabled()
