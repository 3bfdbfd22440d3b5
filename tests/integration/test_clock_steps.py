"""Steps of the PC's clock against the engine: recorded once in the audit log, business time
never behind what is written, no gap from ticks that could not be written, no second end."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from compensator.clock import FakeClock, SteadyClock
from compensator.domain.kinds import OutageSource
from compensator.errors import SessionEnded
from compensator.runtime import Compensator
from compensator.scheduler import ServerAlive, record_clock_steps
from compensator.services.clock_steps import STEP_ACTION, latest_recorded
from compensator.services.sessions import use_cases as sessions
from compensator.services.sources import server_gap
from compensator.settings import Settings
from compensator.store.database import UnitOfWork
from compensator.store.models import AuditRecord, Outage
from compensator.store.operations import ServerRun
from tests.conftest import START
from tests.support.machine import Machine


def test_each_step_is_audited_once_with_its_size(runtime: Compensator) -> None:
    machine = Machine(START, seconds=500.0)
    runtime.clock = machine.steady_clock()
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
    machine = Machine(clock.now() - timedelta(hours=1), seconds=500.0)
    steady = machine.steady_clock()
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


class Restarts:
    """``compensator run`` started and stopped on one database, on one PC whose clocks the test drives."""

    def __init__(self, settings: Settings, database_url: str) -> None:
        self.settings, self.url = settings, database_url
        self.machine = Machine(START, seconds=500.0)
        self.boot = "boot-1"
        self.opened: list[Compensator] = []

    def start(self) -> tuple[Compensator, server_gap.RunStart]:
        clock = self.machine.steady_clock(boot_id=self.boot)
        runtime = Compensator.open(self.settings, clock=clock, database_url=self.url)
        self.opened.append(runtime)
        return runtime, ServerAlive(runtime)()

    def reboot(self) -> None:
        self.boot = "boot-2"
        self.machine.seconds = 30.0

    def close(self) -> None:
        for runtime in self.opened:
            runtime.close()


@pytest.fixture
def restarts(settings: Settings, database_url: str) -> Iterator[Restarts]:
    made = Restarts(settings, database_url)
    yield made
    made.close()


def gap_outages(runtime: Compensator) -> list[tuple[datetime, datetime | None]]:
    with runtime.reading() as uow:
        return list(uow.db.execute(select(Outage.started_at, Outage.ended_at).where(
            Outage.source == OutageSource.SERVER_GAP)).tuples())


def test_a_day_forward_while_stopped_is_no_gap_and_no_day_billed(restarts: Restarts) -> None:
    first, _ = restarts.start()
    with first.unit_of_work() as uow:
        started = sessions.start_session(uow, seat_id="A2", postpaid=True, actor="ada")
    restarts.machine.run(120)  # two minutes stopped, and the PC's clock set a day forward meanwhile
    restarts.machine.wall += timedelta(days=1)
    second, run = restarts.start()
    assert run.gap_outage is None and gap_outages(second) == []
    assert second.clock.now() == START + timedelta(seconds=120)
    [step] = second.clock.steps if isinstance(second.clock, SteadyClock) else []
    assert step.size == timedelta(days=1)
    restarts.machine.run(60)
    with second.unit_of_work() as uow:
        ended = sessions.end_session(uow, started.id, actor="ada")
    assert ended.billed_minutes == 3


def test_a_real_stop_is_measured_by_the_monotonic_clock_whatever_the_pc_clock_says(restarts: Restarts) -> None:
    first, _ = restarts.start()
    with first.unit_of_work() as uow:
        sessions.start_session(uow, seat_id="A1", minutes=60, actor="ada")
    restarts.machine.run(600)
    restarts.machine.wall -= timedelta(hours=1)
    second, run = restarts.start()
    assert run.gap_outage is not None
    assert gap_outages(second) == [(START, START + timedelta(minutes=10))]


def test_a_quiet_start_takes_the_pc_clock_again_never_behind_what_is_written(restarts: Restarts) -> None:
    restarts.start()
    restarts.machine.run(60)
    restarts.machine.wall += timedelta(hours=2)  # the PC's clock put right while nothing was open
    second, run = restarts.start()
    assert second.clock.now() == restarts.machine.wall and run.gap_outage is None
    restarts.machine.run(60)
    restarts.machine.wall -= timedelta(hours=5)  # then far back, while nothing is open either
    third, _ = restarts.start()
    with third.reading() as uow:
        assert third.clock.now() >= (latest_recorded(uow) or START)
    assert third.clock.now() == START + timedelta(hours=2, seconds=120)


def test_after_a_reboot_the_pc_clock_is_taken_but_never_behind_what_is_written(restarts: Restarts) -> None:
    first, _ = restarts.start()
    with first.unit_of_work() as uow:
        sessions.start_session(uow, seat_id="A1", minutes=60, actor="ada")
    restarts.reboot()
    restarts.machine.wall -= timedelta(hours=1)
    second, _ = restarts.start()
    with second.reading() as uow:
        assert second.clock.now() == latest_recorded(uow)
