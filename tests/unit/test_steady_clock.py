"""Business time (``SteadyClock``): the wall clock read once, moved on by the monotonic clock;
a step of the wall clock is noticed once with its size and never followed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from compensator.clock import SteadyClock, describe
from tests.support.machine import Machine

START = datetime(2026, 12, 7, 19, 25, tzinfo=UTC)


@pytest.fixture
def machine() -> Machine:
    return Machine(START, seconds=1000.0)


@pytest.fixture
def steady(machine: Machine) -> SteadyClock:
    return machine.steady_clock()


def test_business_time_starts_at_the_wall_clock_and_follows_the_time_that_passes(machine, steady) -> None:
    assert steady.now() == START
    machine.run(90)
    assert steady.now() == START + timedelta(seconds=90)
    assert steady.steps == [] and steady.last_step is None


@pytest.mark.parametrize("step", [timedelta(hours=-1), timedelta(days=1), timedelta(seconds=-30)])
def test_a_step_of_the_wall_clock_is_noticed_once_with_its_size_and_not_followed(machine, steady, step) -> None:
    machine.run(60)
    steady.now()
    machine.set_wall(step)
    machine.run(10)
    assert steady.now() == START + timedelta(seconds=70)
    machine.run(10)
    assert steady.now() == START + timedelta(seconds=80)
    assert len(steady.steps) == 1
    noticed = steady.steps[0]
    assert noticed.size == step and noticed.difference == step
    assert noticed.at == START + timedelta(seconds=70)
    assert steady.difference == step
    # Put right again: a second step, of the opposite size, and the clocks agree again.
    machine.set_wall(-step)
    assert steady.now() == START + timedelta(seconds=80)
    assert [s.size for s in steady.steps] == [step, -step] and steady.difference == timedelta()


def test_jitter_under_two_seconds_is_no_step(machine, steady) -> None:
    machine.set_wall(timedelta(seconds=1.5))
    machine.run(5)
    steady.now()
    assert steady.steps == []


def test_pending_steps_are_handed_out_until_marked_recorded(machine, steady) -> None:
    machine.set_wall(timedelta(hours=-1))
    steady.now()
    assert len(steady.pending()) == 1
    steady.recorded(1)
    assert steady.pending() == []
    machine.set_wall(timedelta(hours=1))
    steady.now()
    assert [s.size for s in steady.pending()] == [timedelta(hours=1)]


def test_business_time_never_starts_behind_the_last_time_recorded(machine, steady) -> None:
    floor = START + timedelta(minutes=40)
    step = steady.hold_at_least(floor)
    assert step is not None and step.size == timedelta(minutes=-40)
    assert steady.now() == floor
    machine.run(30)
    assert steady.now() == floor + timedelta(seconds=30)
    assert steady.hold_at_least(START) is None
    assert len(steady.steps) == 1


def test_sizes_are_told_in_plain_units() -> None:
    assert describe(timedelta(hours=-1)) == "1 h 0 min"
    assert describe(timedelta(days=1, minutes=5)) == "1 d 0 h 5 min"
    assert describe(timedelta(seconds=45)) == "45 s"
    assert describe(timedelta(minutes=3, seconds=2)) == "3 min 2 s"


def test_a_reading_taken_before_another_thread_saw_the_step_is_no_step_back(machine) -> None:
    # Two server threads read the clock as it is set back an hour: the first read the wall clock before
    # the step, the second then noticed and recorded it, and only then did the first compare its reading.
    racing: dict[str, bool] = {}

    def wall() -> datetime:
        before = machine.wall
        if racing.pop("first", False):
            machine.set_wall(timedelta(hours=-1))
            assert steady.now() == START  # the second thread
        return before

    steady = SteadyClock(wall=wall, monotonic=lambda: machine.seconds, boot_id="")
    racing["first"] = True
    assert steady.now() == START
    assert [step.size for step in steady.steps] == [timedelta(hours=-1)]
