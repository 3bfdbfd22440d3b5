"""The scheduler's jobs, run by hand on a fake clock (never a live scheduler under frozen time)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select

from compensator.clock import FakeClock
from compensator.config import ReportSettings
from compensator.runtime import Compensator
from compensator.scheduler import (
    ALIVE_JOB,
    ARCHIVE_JOB,
    CATCH_UP_JOB,
    WARN_JOB,
    archive_due_reports,
    build_scheduler,
    note_server_alive,
    warn_sessions_nearly_up,
)
from compensator.services import sessions
from compensator.services.alerts import AlertBoard
from compensator.services.heartbeats import last_server_heartbeat
from compensator.store.models import DailyReport

DAY = date(2026, 11, 22)


@pytest.fixture
def reports_runtime(settings, clock, tmp_path: Path):
    configured = dataclasses.replace(settings, reports=ReportSettings(directory=str(tmp_path / "reports")))
    url = f"sqlite:///{(tmp_path / 'scheduler.db').as_posix()}"
    runtime = Compensator.open(configured, clock=clock, database_url=url)
    with runtime.unit_of_work() as uow:
        sessions.start_session(uow, seat_id="A1", minutes=60, actor="test")
    yield runtime
    runtime.close()


def after_closing(clock: FakeClock, day: int) -> None:
    # 22:05 in Lagos is 21:05 UTC.
    clock.set(datetime(2026, 11, day, 21, 5, tzinfo=timezone.utc))


def test_the_closing_time_report_is_archived_once(reports_runtime, clock, tmp_path) -> None:
    assert archive_due_reports(reports_runtime) == []
    after_closing(clock, 22)
    assert archive_due_reports(reports_runtime) == [DAY]
    folder = tmp_path / "reports" / "2026-11-22"
    assert sorted(path.name for path in folder.iterdir()) == ["report.csv", "report.html", "report.json", "report.pdf"]
    assert archive_due_reports(reports_runtime) == []


def test_a_restart_does_not_archive_a_day_again(reports_runtime, clock) -> None:
    after_closing(clock, 22)
    archive_due_reports(reports_runtime)
    restarted = Compensator.open(reports_runtime.settings, clock=clock, database_url=str(reports_runtime.engine.url))
    try:
        assert archive_due_reports(restarted) == []
        with restarted.unit_of_work() as uow:
            assert uow.db.scalar(select(func.count()).select_from(DailyReport)) == 1
    finally:
        restarted.close()


def test_days_missed_while_the_pc_was_off_are_caught_up(reports_runtime, clock) -> None:
    after_closing(clock, 25)
    assert archive_due_reports(reports_runtime) == [date(2026, 11, day) for day in (22, 23, 24, 25)]


def test_a_session_nearly_up_is_announced_once(reports_runtime, clock) -> None:
    board = AlertBoard()
    clock.advance(minutes=50)
    assert warn_sessions_nearly_up(reports_runtime, board) == 0
    clock.advance(minutes=6)
    assert warn_sessions_nearly_up(reports_runtime, board) == 1
    assert warn_sessions_nearly_up(reports_runtime, board) == 0
    assert board.since(0)[0].message == "Seat A1: 4 min left"


def test_the_server_notes_that_it_is_alive(reports_runtime, clock) -> None:
    noted = note_server_alive(reports_runtime)
    with reports_runtime.unit_of_work() as uow:
        assert last_server_heartbeat(uow) == noted


def test_the_scheduler_has_one_job_of_each_kind_with_explicit_ids(reports_runtime) -> None:
    scheduler = build_scheduler(reports_runtime, AlertBoard())
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {ARCHIVE_JOB, CATCH_UP_JOB, WARN_JOB, ALIVE_JOB}
    trigger = jobs[ARCHIVE_JOB].trigger
    assert isinstance(trigger, CronTrigger)
    assert str(trigger.fields[trigger.FIELD_NAMES.index("hour")]) == "22"
    assert jobs[ARCHIVE_JOB].coalesce is True
    scheduler.start(paused=True)
    scheduler.shutdown(wait=False)
