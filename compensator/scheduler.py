"""The one scheduler inside ``compensator run``: reports at closing time, nearly-up warnings, liveness.

Jobs are thin functions over the service layer with explicit ids. Closing-time reports are
archived at most once per day (the ``daily_reports`` table's unique date is the guard), and
every start catches up on the days the PC was off at closing time.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from compensator.domain.kinds import SessionMode, SessionState
from compensator.reporting import ReportFormat, render
from compensator.runtime import Compensator
from compensator.services.alerts import AlertBoard
from compensator.services.heartbeats import record_server_alive
from compensator.services.report import build_daily_report
from compensator.services.sessions import list_open_sessions
from compensator.store.models import DailyReport, Outage, SeatSession

log = logging.getLogger(__name__)
CATCH_UP_DAYS = 7
NEARLY_UP_MINUTES = 5
ARCHIVE_JOB = "archive-reports"
CATCH_UP_JOB = "archive-reports-catch-up"
WARN_JOB = "warn-sessions-nearly-up"
ALIVE_JOB = "record-server-alive"


def _first_activity(runtime: Compensator) -> date | None:
    """The venue day of the first session or outage ever recorded, if any."""
    with runtime.unit_of_work() as uow:
        moments = [uow.db.scalar(select(func.min(SeatSession.started_at))),
                   uow.db.scalar(select(func.min(Outage.started_at)))]
    known = [moment for moment in moments if moment is not None]
    return min(known).astimezone(runtime.settings.venue.tz).date() if known else None


def _closed_days(runtime: Compensator) -> list[date]:
    """Days whose closing time has passed, oldest first, within the catch-up horizon.

    Days before anything was ever recorded are left out: a new installation has no history
    to report on.
    """
    settings = runtime.settings
    tz = settings.venue.tz
    now = runtime.clock.now()
    today = now.astimezone(tz).date()
    closing = settings.venue.closing_time
    first = _first_activity(runtime)
    if first is None:
        return []
    days = []
    for offset in range(CATCH_UP_DAYS, -1, -1):
        day = today - timedelta(days=offset)
        if day < first:
            continue
        end = datetime.combine(day + timedelta(days=1) if closing == time(0) else day, closing, tzinfo=tz)
        if end <= now:
            days.append(day)
    return days


def archive_due_reports(runtime: Compensator) -> list[date]:
    """Generate and archive the report of every closed day not archived yet; return the days done."""
    with runtime.unit_of_work() as uow:
        done = set(uow.db.scalars(select(DailyReport.venue_date)))
    archived = []
    for day in _closed_days(runtime):
        if day in done:
            continue
        directory = Path(runtime.settings.reports.directory) / day.isoformat()
        with runtime.unit_of_work() as uow:
            report = build_daily_report(uow, day)
            directory.mkdir(parents=True, exist_ok=True)
            for report_format in ReportFormat:
                rendered = render(report, report_format)
                (directory / f"report.{report_format.value}").write_bytes(rendered.content)
            uow.db.add(DailyReport(venue_date=day, generated_at=uow.now(), directory=str(directory)))
            try:
                uow.commit()
            except IntegrityError:
                # Another process archived this day first; its row stands.
                continue
        archived.append(day)
        log.info("archived the report of %s in %s", day, directory)
    return archived


def warn_sessions_nearly_up(runtime: Compensator, board: AlertBoard) -> int:
    """Publish a dashboard alert for each running prepaid session with five minutes or less left."""
    published = 0
    with runtime.unit_of_work() as uow:
        views = list_open_sessions(uow)
    for view in views:
        if view.mode is SessionMode.PREPAID and view.state is SessionState.RUNNING and \
                0 < view.remaining_minutes <= NEARLY_UP_MINUTES:
            key = f"{view.id}:{view.paid_end.isoformat() if view.paid_end else ''}"
            message = f"Seat {view.seat_id}: {view.remaining_minutes} min left"
            if board.publish(key, view.seat_id, message, runtime.clock.now()):
                published += 1
    return published


def note_server_alive(runtime: Compensator) -> datetime:
    """Record that the server is running this minute."""
    with runtime.unit_of_work() as uow:
        return record_server_alive(uow)


def build_scheduler(runtime: Compensator, board: AlertBoard) -> BackgroundScheduler:
    """The scheduler with its jobs registered (not started)."""
    settings = runtime.settings
    scheduler = BackgroundScheduler(timezone=settings.venue.tz)
    closing = settings.venue.closing_time
    # A late closing-time run is still wanted (the PC may have been busy or asleep for a while),
    # and several missed runs are one catch-up: archiving looks at every closed day anyway.
    scheduler.add_job(archive_due_reports, CronTrigger(hour=closing.hour, minute=closing.minute, timezone=settings.venue.tz),
                      args=[runtime], id=ARCHIVE_JOB, replace_existing=True, coalesce=True,
                      misfire_grace_time=6 * 3600, max_instances=1)
    # At start-up, catch up on the days the PC was off at closing time.
    scheduler.add_job(archive_due_reports, args=[runtime], id=CATCH_UP_JOB, replace_existing=True,
                      misfire_grace_time=None, max_instances=1)
    # A missed warning is useless later: no grace, and runs never pile up.
    scheduler.add_job(warn_sessions_nearly_up, IntervalTrigger(seconds=30), args=[runtime, board], id=WARN_JOB,
                      replace_existing=True, coalesce=True, misfire_grace_time=30, max_instances=1)
    # Liveness is recorded once a minute; a missed minute must stay missing, so gaps show downtime.
    scheduler.add_job(note_server_alive, IntervalTrigger(minutes=1), args=[runtime], id=ALIVE_JOB,
                      replace_existing=True, coalesce=True, misfire_grace_time=30, max_instances=1)
    return scheduler
