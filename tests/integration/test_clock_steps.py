"""Steps of the PC's clock against the engine: recorded once in the audit log, business time
never behind what is written, no gap from ticks that could not be written, no second end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from compensator.clock import FakeClock, SteadyClock
from compensator.errors import SessionEnded
from compensator.runtime import Compensator
from compensator.scheduler import ServerAlive, record_clock_steps
from compensator.services.clock_steps import STEP_ACTION, latest_recorded
from compensator.services.sessions import use_cases as sessions
from compensator.services.sources import server_gap
from compensator.store.database import UnitOfWork
from compensator.store.models import AuditRecord, Outage
from compensator.store.operations import ServerRun
from tests.conftest import START


class Machine:
    """A PC's wall clock (which people set) and its monotonic clock (which they cannot)."""

    def __init__(self) -> None:
        self.wall = START
        self.seconds = 500.0

    def run(self, seconds: float) -> None:
        self.wall += timedelta(seconds=seconds)
        self.seconds += seconds


def test_each_step_is_audited_once_with_its_size(runtime: Compensator) -> None:
    machine = Machine()
    runtime.clock = SteadyClock(wall=lambda: machine.wall, monotonic=lambda: machine.seconds)
    assert record_clock_steps(runtime) == []
    machine.run(30)
    machine.wall -= timedelta(hours=1)
    assert [step.size for step in record_clock_steps(runtime)] == [timedelta(hours=-1)]
    machine.run(30)
    assert record_clock_steps(runtime) == []
    machine.wall += timedelta(days=1, hours=1)
    record_clock_steps(runtime)
    with runtime.reading() as uow:
        rows = list(uow.db.scalars(select(AuditRecord).where(AuditRecord.action == STEP_ACTION)
                                   .order_by(AuditRecord.id)))
    assert [row.after["size_seconds"] for row in rows if row.after] == [-3600, 90000]
    assert rows[0].at == START + timedelta(seconds=30)
    assert [row.after["difference_seconds"] for row in rows if row.after] == [-3600, 86400]


def test_business_time_goes_on_from_the_last_time_recorded_when_the_pc_clock_is_behind(
        runtime: Compensator, clock: FakeClock) -> None:
    clock.advance(minutes=30)
    with runtime.unit_of_work() as uow:
        sessions.start_session(uow, seat_id="A1", postpaid=True, actor="ada")
    with runtime.reading() as uow:
        floor = latest_recorded(uow)
    assert floor == clock.now()
    # Restarted with the PC's clock set an hour back: business time does not go back behind it.
    machine = Machine()
    machine.wall = clock.now() - timedelta(hours=1)
    steady = SteadyClock(wall=lambda: machine.wall, monotonic=lambda: machine.seconds)
    step = steady.hold_at_least(floor)
    assert step is not None and step.size == timedelta(hours=-1)
    assert steady.now() == floor


def test_an_ended_session_is_never_ended_again_whatever_the_clock_says(runtime: Compensator, clock: FakeClock) -> None:
    with runtime.unit_of_work() as uow:
        started = sessions.start_session(uow, seat_id="A1", postpaid=True, actor="ada")
    clock.advance(timedelta(days=1))
    with runtime.unit_of_work() as uow:
        sessions.end_session(uow, started.id, actor="ada")
    # The PC's clock put right: a unit of work now reads a time before that END.
    earlier = FakeClock(START + timedelta(minutes=10))
    with UnitOfWork(runtime.session_factory, earlier, runtime.settings) as uow, pytest.raises(SessionEnded):
        sessions.end_session(uow, started.id, actor="ada")


def test_ticks_that_could_not_be_written_raise_no_gap(runtime: Compensator, clock: FakeClock,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    alive = ServerAlive(runtime)
    first = alive()
    real_note_alive = server_gap.note_alive

    def database_away(*args: object, **kwargs: object) -> server_gap.RunStart:
        raise OperationalError("UPDATE server_runs", {}, Exception("connection refused"))

    monkeypatch.setattr(server_gap, "note_alive", database_away)
    threshold = runtime.settings.server_gap.threshold_minutes
    for _ in range(threshold * 2 + 4):  # the database away for longer than the threshold
        clock.advance(seconds=30)
        with pytest.raises(OperationalError):
            alive()
    monkeypatch.setattr(server_gap, "note_alive", real_note_alive)
    clock.advance(seconds=30)
    assert alive().run_id == first.run_id
    # A process that really did not run (the PC slept) still raises its gap.
    clock.advance(minutes=threshold + 5)
    after_sleep = alive()
    assert after_sleep.run_id != first.run_id and after_sleep.gap_outage is not None
    with runtime.reading() as uow:
        assert uow.db.scalar(select(func.count()).select_from(Outage)) == 1
        assert uow.db.scalar(select(func.count()).select_from(ServerRun)) == 2
