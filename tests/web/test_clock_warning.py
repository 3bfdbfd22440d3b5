"""The dashboard's plain warning after the PC's clock was set: by how much, when, and for how long."""

from __future__ import annotations

from datetime import timedelta

import pytest

from compensator.runtime import Compensator
from tests.conftest import START
from tests.support.machine import Machine


@pytest.fixture
def machine(runtime: Compensator) -> Machine:
    pc = Machine(START, seconds=100.0)
    runtime.clock = pc.steady_clock()
    return pc


def warning(client) -> str:
    return str(client.get("/board.json").get_json()["clock_warning"])


def test_no_warning_while_the_clock_was_never_set(dashboard, machine) -> None:
    machine.run(600)
    assert warning(dashboard) == ""


def test_a_step_back_is_told_with_its_size_and_time_and_the_difference_it_leaves(dashboard, machine) -> None:
    machine.run(60)
    machine.wall -= timedelta(hours=1)
    said = warning(dashboard)
    # 14:01 in Lagos, when business time saw the step.
    assert said.startswith("The PC's clock was set back by 1 h 0 min at 14:01.")
    assert "sessions, bills and credits are not changed by it" in said
    assert said.endswith("Times shown here are 1 h 0 min ahead of the PC's clock.")
    assert said in dashboard.get("/").get_data(as_text=True).replace("&#39;", "'")


def test_a_day_forward_then_put_right_is_told_and_leaves_no_difference(dashboard, machine) -> None:
    machine.wall += timedelta(days=2, minutes=5)
    assert "set forward by 2 days 0 h 5 min" in warning(dashboard)
    assert "2 days 0 h 5 min behind the PC's clock" in warning(dashboard)
    machine.wall -= timedelta(days=2, minutes=5)
    said = warning(dashboard)
    assert "set back by 2 days 0 h 5 min" in said and "Times shown here" not in said
    # Told for a day once the clocks agree again, then no more.
    machine.run(23 * 3600)
    assert warning(dashboard)
    machine.run(2 * 3600)
    assert warning(dashboard) == ""


def test_a_few_seconds_are_said_in_seconds(dashboard, machine) -> None:
    machine.wall -= timedelta(seconds=45)
    assert warning(dashboard).startswith("The PC's clock was set back by 45 s at 14:00.")
