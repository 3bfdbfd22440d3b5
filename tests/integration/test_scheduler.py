"""The scheduler's jobs, run by hand on a fake clock (never a live scheduler under frozen time)."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select

from compensator.clock import FakeClock
from compensator.report.archive import archive_due_reports, archive_report
from compensator.runtime import Compensator
from compensator.scheduler import (
    ALIVE_JOB,
    ARCHIVE_JOB,
    BACKUP_JOB,
    CATCH_UP_JOB,
    CHECKPOINT_JOB,
    CLOCK_JOB,
    DETECT_JOB,
    PROBE_JOB,
    PRUNE_KEYS_JOB,
    WARN_JOB,
    ServerAlive,
    archive_reports,
    build_scheduler,
    checkpoint_database_log,
    warn_sessions_nearly_up,
)
from compensator.services.counter.alerts import MAX_ALERTS, AlertBoard
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions import views as session_views
from compensator.services.sources.server_gap import last_alive
from compensator.settings import ReportSettings
from compensator.store.operations import DailyReport, ServerRun
from tests.conftest import VENUE, make_settings

DAY = date(2026, 11, 22)
FILES = ["report.csv", "report.html", "report.json", "report.pdf"]


def open_runtime(settings, clock, tmp_path: Path, directory: Path) -> Compensator:
    configured = dataclasses.replace(settings, reports=ReportSettings(directory=str(directory)))
    return Compensator.open(configured, clock=clock, database_url=f"sqlite:///{(tmp_path / 'scheduler.db').as_posix()}")


@pytest.fixture
def reports_runtime(settings, clock, tmp_path: Path):
    runtime = open_runtime(settings, clock, tmp_path, tmp_path / "reports")
    with runtime.unit_of_work() as uow:
        sessions.start_session(uow, seat_id="A1", minutes=60, actor="test")
    yield runtime
    runtime.close()


def after_closing(clock: FakeClock, day: int, month: int = 11) -> None:
    # 22:05 in Lagos is 21:05 UTC.
    clock.set(datetime(2026, month, day, 21, 5, tzinfo=UTC))


def archived_count(runtime: Compensator) -> int:
    with runtime.unit_of_work() as uow:
        return uow.db.scalar(select(func.count()).select_from(DailyReport)) or 0


def test_the_closing_time_report_is_archived_once_in_every_format(reports_runtime, clock, tmp_path) -> None:
    assert archive_due_reports(reports_runtime) == []
    after_closing(clock, 22)
    assert archive_due_reports(reports_runtime) == [DAY]
    folder = tmp_path / "reports" / "2026-11-22"
    assert sorted(path.name for path in folder.iterdir()) == FILES
    assert b'"window_end": "2026-11-22T22:00:00+01:00"' in (folder / "report.json").read_bytes()
    assert archive_due_reports(reports_runtime) == []
    assert archived_count(reports_runtime) == 1


def test_a_restart_does_not_archive_a_day_again(reports_runtime, clock, tmp_path) -> None:
    after_closing(clock, 22)
    archive_due_reports(reports_runtime)
    restarted = open_runtime(reports_runtime.settings, clock, tmp_path, tmp_path / "reports")
    try:
        assert archive_due_reports(restarted) == []
        assert archived_count(restarted) == 1
    finally:
        restarted.close()


def test_days_missed_while_the_pc_was_off_are_caught_up_at_the_next_start(reports_runtime, clock) -> None:
    after_closing(clock, 25)
    assert archive_due_reports(reports_runtime) == [date(2026, 11, day) for day in (22, 23, 24, 25)]
    assert archived_count(reports_runtime) == 4


def test_catching_up_goes_back_a_week_at_most(reports_runtime, clock) -> None:
    after_closing(clock, 10, month=12)
    assert archive_due_reports(reports_runtime) == [date(2026, 12, day) for day in range(3, 11)]


def test_before_closing_time_today_waits_while_yesterday_is_archived(reports_runtime, clock) -> None:
    # 21:00 in Lagos on the 23rd: the 22nd has closed, the 23rd has not.
    clock.set(datetime(2026, 11, 23, 20, 0, tzinfo=UTC))
    assert archive_due_reports(reports_runtime) == [DAY]


def test_a_day_claimed_by_another_scheduler_is_left_to_it(reports_runtime, clock, tmp_path) -> None:
    after_closing(clock, 22)
    with reports_runtime.unit_of_work() as uow:
        uow.db.add(DailyReport(venue_date=DAY, generated_at=uow.now(), directory="elsewhere"))
        uow.commit()
    assert archive_report(reports_runtime, DAY) is False
    assert not (tmp_path / "reports").exists()
    assert archived_count(reports_runtime) == 1


def test_a_report_that_cannot_be_written_is_not_marked_archived_and_is_tried_again(settings, clock, tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the reports folder should be", encoding="utf-8")
    broken = open_runtime(settings, clock, tmp_path, blocker / "reports")
    try:
        with broken.unit_of_work() as uow:
            sessions.start_session(uow, seat_id="A1", minutes=60, actor="test")
        after_closing(clock, 22)
        assert archive_due_reports(broken) == []
        assert archived_count(broken) == 0
    finally:
        broken.close()
    repaired = open_runtime(settings, clock, tmp_path, tmp_path / "reports")
    try:
        assert archive_due_reports(repaired) == [DAY]
        assert not list((tmp_path / "reports").rglob("*.partial"))
    finally:
        repaired.close()


def test_with_a_midnight_closing_the_day_is_archived_after_midnight(clock, tmp_path) -> None:
    midnight = make_settings(venue=dict(VENUE["venue"], closing_time="00:00"))
    runtime = open_runtime(midnight, clock, tmp_path, tmp_path / "reports")
    try:
        with runtime.unit_of_work() as uow:
            sessions.start_session(uow, seat_id="A1", minutes=60, actor="test")
        after_closing(clock, 22)
        assert archive_due_reports(runtime) == []
        clock.set(datetime(2026, 11, 22, 23, 1, tzinfo=UTC))
        assert archive_due_reports(runtime) == [DAY]
    finally:
        runtime.close()


def test_a_session_nearly_up_is_announced_once_and_again_after_an_extension(reports_runtime, clock) -> None:
    board = AlertBoard()
    clock.advance(minutes=50)
    assert warn_sessions_nearly_up(reports_runtime, board) == []
    clock.advance(minutes=6)
    (alert,) = warn_sessions_nearly_up(reports_runtime, board)
    assert (alert.seat_id, alert.message) == ("A1", "Seat A1: 4 min left")
    clock.advance(minutes=1)
    assert warn_sessions_nearly_up(reports_runtime, board) == []
    with reports_runtime.unit_of_work() as uow:
        (view,) = session_views.list_open_sessions(uow)
        sessions.extend_session(uow, view.id, minutes=10, actor="test")
    assert warn_sessions_nearly_up(reports_runtime, board) == []
    clock.advance(minutes=9)
    assert [item.message for item in warn_sessions_nearly_up(reports_runtime, board)] == ["Seat A1: 4 min left"]
    assert [item.id for item in board.since(alert.id)] == [alert.id + 1]


def test_a_nearly_up_alert_goes_when_the_session_is_extended_or_its_time_is_up(reports_runtime, clock) -> None:
    board = AlertBoard()
    clock.advance(minutes=56)
    (alert,) = warn_sessions_nearly_up(reports_runtime, board)
    assert board.fresh(clock.now(), timedelta(minutes=5)) == [alert]
    with reports_runtime.unit_of_work() as uow:
        (view,) = session_views.list_open_sessions(uow)
        sessions.extend_session(uow, view.id, minutes=30, actor="test")
    warn_sessions_nearly_up(reports_runtime, board)
    assert board.fresh(clock.now(), timedelta(minutes=5)) == []
    clock.advance(minutes=30)
    (again,) = warn_sessions_nearly_up(reports_runtime, board)
    assert board.fresh(clock.now(), timedelta(minutes=5)) == [again]
    # The paid time runs out before the next run of the job: the alert is no longer shown.
    clock.advance(minutes=4, seconds=1)
    assert board.fresh(clock.now(), timedelta(minutes=5)) == []


def test_paused_and_postpaid_sessions_get_no_warning(reports_runtime, clock) -> None:
    board = AlertBoard()
    with reports_runtime.unit_of_work() as uow:
        (view,) = session_views.list_open_sessions(uow)
        sessions.pause_session(uow, view.id, actor="test")
    with reports_runtime.unit_of_work() as uow:
        sessions.start_session(uow, seat_id="A2", postpaid=True, actor="test")
    clock.advance(minutes=58)
    assert warn_sessions_nearly_up(reports_runtime, board) == []


def test_the_alert_board_keeps_recent_alerts_and_publishes_each_key_once_across_threads() -> None:
    board = AlertBoard()
    moment = datetime(2026, 11, 22, 13, 0, tzinfo=UTC)
    results = []
    threads = [threading.Thread(target=lambda: results.append(board.publish("same", "A1", "hello", moment)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([item for item in results if item is not None]) == 1
    for number in range(MAX_ALERTS + 10):
        board.publish(f"key-{number}", "A1", f"alert {number}", moment)
    recent = board.since(0)
    assert len(recent) == MAX_ALERTS
    assert recent[-1].message == f"alert {MAX_ALERTS + 9}"
    assert board.publish("key-0", "A1", "again", moment) is None
    assert board.since(recent[-1].id) == []


def test_the_server_records_that_it_is_alive_in_one_row_per_run(reports_runtime, clock) -> None:
    alive = ServerAlive(reports_runtime)
    first = alive()
    for _ in range(10):
        clock.advance(seconds=30)
        assert alive().run_id == first.run_id
    with reports_runtime.unit_of_work() as uow:
        assert last_alive(uow) == clock.now()
        assert uow.db.scalar(select(func.count()).select_from(ServerRun)) == 1


def test_the_scheduler_registers_each_job_under_its_id_with_its_trigger(reports_runtime) -> None:
    scheduler = build_scheduler(reports_runtime, AlertBoard())
    # Started paused, so that the jobs get their defaults but none of them runs.
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=True)
    assert set(jobs) == {ARCHIVE_JOB, CATCH_UP_JOB, WARN_JOB, ALIVE_JOB, PRUNE_KEYS_JOB, BACKUP_JOB, DETECT_JOB,
                         CHECKPOINT_JOB, CLOCK_JOB, PROBE_JOB}
    backup = {field.name: str(field) for field in jobs[BACKUP_JOB].trigger.fields}
    assert (backup["hour"], backup["minute"]) == ("22", "15")
    assert (jobs[BACKUP_JOB].coalesce, jobs[BACKUP_JOB].misfire_grace_time) == (True, None)
    archive = jobs[ARCHIVE_JOB]
    assert isinstance(archive.trigger, CronTrigger)
    fields = {field.name: str(field) for field in archive.trigger.fields}
    assert (fields["hour"], fields["minute"]) == ("22", "0")
    assert str(archive.trigger.timezone) == "Africa/Lagos"
    assert (archive.coalesce, archive.misfire_grace_time, archive.func.__wrapped__) == (True, None, archive_reports)
    assert isinstance(jobs[CATCH_UP_JOB].trigger, DateTrigger)
    assert jobs[CATCH_UP_JOB].misfire_grace_time is None
    assert isinstance(jobs[WARN_JOB].trigger, IntervalTrigger)
    assert jobs[WARN_JOB].trigger.interval == timedelta(seconds=30)
    assert jobs[ALIVE_JOB].trigger.interval == timedelta(seconds=30)
    assert jobs[DETECT_JOB].trigger.interval == timedelta(seconds=5)
    assert jobs[PRUNE_KEYS_JOB].trigger.interval == timedelta(hours=1)
    assert jobs[CHECKPOINT_JOB].trigger.interval == timedelta(seconds=10)
    assert (jobs[CHECKPOINT_JOB].coalesce, jobs[CHECKPOINT_JOB].func.__wrapped__) == (True, checkpoint_database_log)
    assert all(job.max_instances == 1 for job in jobs.values())


def test_the_scheduler_starts_and_shuts_down_cleanly_in_real_time(settings, tmp_path) -> None:
    runtime = open_runtime(settings, None, tmp_path, tmp_path / "reports")
    try:
        scheduler = build_scheduler(runtime, AlertBoard())
        scheduler.start(paused=True)
        assert scheduler.running
        scheduler.shutdown(wait=True)
        assert not scheduler.running
    finally:
        runtime.close()


def test_an_alert_is_fresh_only_for_the_minutes_it_announces() -> None:
    board = AlertBoard()
    at = datetime(2026, 11, 22, 13, 0, tzinfo=UTC)
    alert = board.publish("nearly-up:1", "A1", "Seat A1: 5 min left", at)
    assert board.fresh(at + timedelta(minutes=4, seconds=59), timedelta(minutes=5)) == [alert]
    assert board.fresh(at + timedelta(minutes=5), timedelta(minutes=5)) == []
