"""The one scheduler inside ``compensator run``: reports at closing time, the nightly backup,
nearly-up warnings, liveness and server gaps, heartbeat silences, the debounce of UPS events
reported by webhook, and, with ``printer.auto_print``, the receipt of every new notice.

Jobs are thin functions over the service layer, registered under explicit ids. The reports'
archiving is the report package's (``compensator.report.archive``): at closing time, and once at
each start to catch up on the days the PC was off at closing time.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from functools import partial

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from compensator.adapters.escpos import PrinterFactory, open_printer
from compensator.clock import ClockStep, SteadyClock
from compensator.collector import collector_held_off
from compensator.domain.kinds import SessionMode, SessionState
from compensator.report.archive import archive_due_reports
from compensator.runtime import Compensator
from compensator.scheduler_guard import (
    PROBE_EVERY_SECONDS,
    PROBE_JOB,
    checkpoint_database_log,
    probe_database,
    skipping_when_database_down,
)
from compensator.scheduler_time import run_scheduler_on
from compensator.services import clock_steps, once
from compensator.services.backups import NightlyBackup, claim_nightly_backup, nightly_backup
from compensator.services.counter.alerts import Alert, AlertBoard
from compensator.services.handover.printing import PrintRun, print_pending
from compensator.services.sessions.views import list_open_sessions
from compensator.services.sources import detection, server_gap, ups
from compensator.store.backup import BackupError
from compensator.store.database import sqlite_file

log = logging.getLogger(__name__)

NEARLY_UP_MINUTES = 5
WARN_EVERY_SECONDS = 30
ARCHIVE_JOB = "archive-reports"
CATCH_UP_JOB = "archive-reports-at-start"
WARN_JOB = "warn-sessions-nearly-up"
NEARLY_UP_KEY = "nearly-up:"
ALIVE_JOB = "record-server-alive"
BACKUP_JOB = "nightly-backup"
BACKUP_AFTER_CLOSING = timedelta(minutes=15)
ALIVE_EVERY_SECONDS = 30
DETECT_JOB = "detect-silent-seats"
DETECT_EVERY_SECONDS = 5
PRUNE_KEYS_JOB = "prune-idempotency-keys"
CHECKPOINT_JOB = "checkpoint-database-log"
# Often enough that a burst of writes cannot grow the log past a few megabytes between two runs
# (a small or nearly full disk must keep its space); a run over a short log costs next to nothing.
CHECKPOINT_EVERY_SECONDS = 10
AUTO_PRINT_JOB = "print-new-notices"
AUTO_PRINT_EVERY_SECONDS = 5
AUTO_PRINT_ACTOR = "auto-print"
UPS_REPORTS_JOB = "evaluate-ups-reports"
UPS_REPORTS_EVERY_SECONDS = 1
CLOCK_JOB = "record-clock-steps"
CLOCK_EVERY_SECONDS = 5


def warn_sessions_nearly_up(runtime: Compensator, board: AlertBoard) -> list[Alert]:
    """Publish a dashboard alert for each running prepaid session with five minutes or less left,
    and take down those no longer true (the session was extended, paused, ended or ran out)."""
    with runtime.reading() as uow:
        views = list_open_sessions(uow)
    published = []
    live: set[str] = set()
    for view in views:
        if view.mode is not SessionMode.PREPAID or view.state is not SessionState.RUNNING:
            continue
        if not 0 < view.remaining_minutes <= NEARLY_UP_MINUTES or view.paid_end is None:
            continue
        # The key holds the paid end: a session that is extended and nearly up again is announced again.
        key = f"{NEARLY_UP_KEY}{view.id}:{view.paid_end.isoformat()}"
        live.add(key)
        alert = board.publish(key, view.seat_id, f"Seat {view.seat_id}: {view.remaining_minutes} min left",
                              runtime.clock.now(), expires_at=view.paid_end, remaining_minutes=view.remaining_minutes)
        if alert is not None:
            published.append(alert)
    board.withdraw_except(NEARLY_UP_KEY, live)
    return published


def back_up_tonight(runtime: Compensator) -> NightlyBackup | None:
    """Make tonight's backup and prune the old ones; a failure is logged and tried again tomorrow."""
    url = runtime.engine.url.render_as_string(hide_password=False)
    with runtime.unit_of_work() as uow:
        if not claim_nightly_backup(uow, url):
            log.info("tonight's backup is made by another server sharing the database")
            return None
    try:
        made = nightly_backup(runtime.settings, url, runtime.clock.now())
    except (BackupError, OSError) as error:
        log.error("nightly backup failed: %s", error)
        return None
    log.info("nightly backup written to %s (%d bytes); %d old one(s) removed", made.written.path,
             made.written.size_bytes, len(made.pruned))
    return made


class ServerAlive:
    """The server's current run: begun by the first call (at start-up, raising a gap found), moved on by the next.

    A gap is raised only when this process really did not run: its own ticks (on business time,
    which a step of the PC's clock does not move) came too far apart, as when the PC slept. A tick
    that could not be written (the database was away, or its disk full) still shows that the server
    ran: it is skipped quietly, and the tick after the database's return moves the run on.
    """

    def __init__(self, runtime: Compensator) -> None:
        self.runtime = runtime
        self.run_id: int | None = None
        self.last_tick: datetime | None = None

    def __call__(self) -> server_gap.RunStart | None:
        """Record that the server is alive now; a gap longer than the threshold raises its suspected outage."""
        now = self.runtime.clock.now()
        threshold = timedelta(minutes=self.runtime.settings.server_gap.threshold_minutes)
        ran = self.last_tick is not None and now - self.last_tick <= threshold
        self.last_tick = now
        try:
            with self.runtime.unit_of_work() as uow:
                if self.run_id is None:
                    run = server_gap.start_run(uow)
                else:
                    run = server_gap.note_alive(uow, self.run_id, ran_throughout=ran)
        except Exception as error:
            if self.runtime.health.failed(error) is None:
                raise
            return None
        self.run_id = run.run_id
        return run


@collector_held_off()
def detect_silent_seats(runtime: Compensator) -> detection.DetectionRun:
    """Raise a suspected outage for seats that fell silent, and end it when they beat again.

    Not until the database has been back for as long as a seat may be silent: the seats' heartbeats
    were refused while it was away, and their silence then was the database's, not the mains'.
    """
    if not runtime.health.settled_for(runtime.settings.heartbeats.silent_after_seconds):
        return detection.DetectionRun()
    with runtime.unit_of_work() as uow:
        return detection.detect(uow)


def prune_idempotency_keys(runtime: Compensator) -> int:
    """Forget the idempotency keys older than a week; return how many."""
    with runtime.unit_of_work() as uow:
        removed = once.prune(uow)
    if removed:
        log.info("pruned %d idempotency keys older than %d days", removed, once.KEEP.days)
    return removed


def print_new_notices(runtime: Compensator, printer: PrinterFactory) -> PrintRun:
    """Print the receipt of every letter still pending; a printer that is off is tried again next run."""
    with runtime.unit_of_work() as uow:
        run = print_pending(uow, printer=printer, actor=AUTO_PRINT_ACTOR)
    if run.failed:
        log.warning("auto-print: %d letter(s) wait for the printer: %s", len(run.failed), run.reason)
    return run


@collector_held_off()
def evaluate_ups_reports(runtime: Compensator) -> list[ups.UpsOutcome]:
    """Let time pass for each UPS that reports by webhook: an ONBATT or ONLINE that lasted takes effect."""
    outcomes = []
    for monitor in runtime.settings.ups:
        if not monitor.poll:
            with runtime.unit_of_work() as uow:
                outcomes.append(ups.evaluate_reported(uow, monitor.name))
    return outcomes


@collector_held_off()
def archive_reports(runtime: Compensator) -> list[date]:
    """Archive the report of every closed day not archived yet (``report.archive``); the days archived now."""
    return archive_due_reports(runtime)


def record_clock_steps(runtime: Compensator) -> list[ClockStep]:
    """Write the steps of the PC's clock noticed since the last run into the audit log, once each."""
    if not isinstance(runtime.clock, SteadyClock):
        return []
    with runtime.unit_of_work() as uow:
        return clock_steps.record_pending(uow, runtime.clock)


def build_scheduler(runtime: Compensator, board: AlertBoard) -> BackgroundScheduler:
    """The scheduler with its jobs registered, not started."""
    tz = runtime.settings.venue.tz
    closing = runtime.settings.venue.closing_time
    # On business time, so that no step of the PC's clock stalls a job or counts it missed.
    run_scheduler_on(runtime.clock if isinstance(runtime.clock, SteadyClock) else None)
    scheduler = BackgroundScheduler(timezone=tz, job_defaults={"max_instances": 1})
    start = runtime.clock.now()

    def every(**interval: int) -> IntervalTrigger:
        return IntervalTrigger(**interval, timezone=tz, start_date=start + timedelta(**interval))

    # Every job but the alive tick (which remembers it) skips its run while the database is lost
    # or its disk full (``scheduler_guard``), and the probe says when it works again.
    guarded = partial(skipping_when_database_down, runtime)
    scheduler.add_job(probe_database, every(seconds=PROBE_EVERY_SECONDS), args=[runtime],
                      id=PROBE_JOB, replace_existing=True, coalesce=True, misfire_grace_time=PROBE_EVERY_SECONDS)

    # However late it is, an archive is still wanted (the PC may have slept through closing
    # time), and several missed closings make one run: it archives every due day anyway.
    scheduler.add_job(guarded(archive_reports), CronTrigger(hour=closing.hour, minute=closing.minute, timezone=tz),
                      args=[runtime], id=ARCHIVE_JOB, replace_existing=True, coalesce=True, misfire_grace_time=None)
    # Once at start-up, to catch up on the days the PC was off at closing time. Without a grace
    # limit the run is not dropped when the scheduler starts a moment after the job was added.
    scheduler.add_job(guarded(archive_reports), DateTrigger(run_date=start, timezone=tz), args=[runtime],
                      id=CATCH_UP_JOB, replace_existing=True, misfire_grace_time=None)
    # A warning is only useful now: a late run within one period still helps, older ones are
    # superseded by the next run, and missed runs never pile up.
    scheduler.add_job(guarded(warn_sessions_nearly_up), every(seconds=WARN_EVERY_SECONDS),
                      args=[runtime, board], id=WARN_JOB, replace_existing=True, coalesce=True,
                      misfire_grace_time=WARN_EVERY_SECONDS)
    # First at start-up (the gap check), then every 30 s. A late tick is simply the next one:
    # coalesced, never back-filled, so the run's last alive record only moves when the server
    # really ran, which is what the server-gap source measures.
    scheduler.add_job(ServerAlive(runtime), every(seconds=ALIVE_EVERY_SECONDS), id=ALIVE_JOB,
                      next_run_time=runtime.clock.now(), replace_existing=True, coalesce=True,
                      misfire_grace_time=ALIVE_EVERY_SECONDS)
    # Silence is judged afresh each run from the stored heartbeats, so a missed run loses
    # nothing: runs never pile up and a late one within a period still counts.
    scheduler.add_job(guarded(detect_silent_seats), every(seconds=DETECT_EVERY_SECONDS),
                      args=[runtime], id=DETECT_JOB, replace_existing=True, coalesce=True,
                      misfire_grace_time=DETECT_EVERY_SECONDS)
    # After the closing-time archive, so the night's backup holds the day's report. However late
    # (the PC may have slept), a backup is still wanted; missed nights make one run, not several.
    backup_at = (datetime.combine(date(2000, 1, 1), closing) + BACKUP_AFTER_CLOSING).time()
    scheduler.add_job(guarded(back_up_tonight), CronTrigger(hour=backup_at.hour, minute=backup_at.minute, timezone=tz),
                      args=[runtime], id=BACKUP_JOB, replace_existing=True, coalesce=True, misfire_grace_time=None)
    # Keys only need to outlive a client's retries by far: one run an hour is plenty, a late
    # or missed run just prunes a little later, and runs never need to catch up.
    scheduler.add_job(guarded(prune_idempotency_keys), every(hours=1), args=[runtime],
                      id=PRUNE_KEYS_JOB, replace_existing=True, coalesce=True, misfire_grace_time=None)
    # A step is noticed at the clock's next reading and recorded within seconds, even when idle.
    scheduler.add_job(guarded(record_clock_steps), every(seconds=CLOCK_EVERY_SECONDS), args=[runtime], id=CLOCK_JOB,
                      next_run_time=start, replace_existing=True, coalesce=True, misfire_grace_time=None)
    if sqlite_file(runtime.engine.url) is not None:
        # Each run copies whatever the log holds by then, so a late or missed run only leaves a
        # longer log for the next one: coalesce, and never catch up.
        scheduler.add_job(guarded(checkpoint_database_log), every(seconds=CHECKPOINT_EVERY_SECONDS),
                          args=[runtime], id=CHECKPOINT_JOB, replace_existing=True, coalesce=True,
                          misfire_grace_time=None)
    if any(not monitor.poll for monitor in runtime.settings.ups):
        # A webhook reports changes only, so something must notice that an ONBATT has lasted.
        # Each run looks at the time now and back-dates from the stored state, so a late run is
        # only late, never wrong: coalesce, and skip what is older than a run.
        scheduler.add_job(guarded(evaluate_ups_reports), every(seconds=UPS_REPORTS_EVERY_SECONDS),
                          args=[runtime], id=UPS_REPORTS_JOB, replace_existing=True, coalesce=True,
                          misfire_grace_time=UPS_REPORTS_EVERY_SECONDS)
    if runtime.settings.printer.auto_print:
        # Receipts come out a few seconds after Power back. A notice printed is no longer pending,
        # so a late or coalesced run never prints one twice, and a printer that was off is simply
        # tried again on the next run.
        scheduler.add_job(guarded(print_new_notices), every(seconds=AUTO_PRINT_EVERY_SECONDS),
                          args=[runtime, partial(open_printer, runtime.settings.printer)], id=AUTO_PRINT_JOB,
                          replace_existing=True, coalesce=True, misfire_grace_time=AUTO_PRINT_EVERY_SECONDS)
    return scheduler
