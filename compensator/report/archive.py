"""Archiving a closed day's report: every format written into ``reports/DATE/`` once, at closing time.

The report of a day is archived at most once: a ``daily_reports`` row is claimed under its
UNIQUE venue date before the files are written, so a second scheduler or a restart finds the
day taken. Each start catches up on the days whose closing time passed while the PC was off (up
to a week). The archive keeps the stamp of what the report was built from, and its renderings
are handed to the runtime's ``ReadyReports``, which serves them while the stamp holds.
"""

from __future__ import annotations

import logging
import os
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from compensator.report.build import build_daily_report, day_window
from compensator.report.formats import ReportFormat, render
from compensator.report.ready import archive_file, archive_stamp
from compensator.report.stamp import take_stamp
from compensator.runtime import Compensator
from compensator.store.database import UnitOfWork, ids_follow_commits
from compensator.store.models import Outage, SeatSession
from compensator.store.operations import DailyReport

log = logging.getLogger(__name__)
# How many closed days back a start catches up on.
CATCH_UP_DAYS = 7


def due_days(uow: UnitOfWork) -> list[date]:
    """The days to archive, oldest first: closed, within the catch-up horizon, not archived yet.

    Days before anything was ever recorded are left out: a new installation has no history
    to report on.
    """
    tz = uow.settings.venue.tz
    today = uow.now().astimezone(tz).date()
    firsts = [uow.db.scalar(select(func.min(SeatSession.started_at))),
              uow.db.scalar(select(func.min(Outage.started_at)))]
    known = [moment for moment in firsts if moment is not None]
    if not known:
        return []
    first_day = min(known).astimezone(tz).date()
    horizon = today - timedelta(days=CATCH_UP_DAYS)
    archived = set(uow.db.scalars(select(DailyReport.venue_date).where(DailyReport.venue_date >= horizon)))
    days = (horizon + timedelta(days=offset) for offset in range(CATCH_UP_DAYS + 1))
    return [day for day in days if day >= first_day and day not in archived and day_window(uow, day)[2]]


def _write_files(directory: Path, files: dict[str, bytes]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        # Written aside and renamed, so that a power cut mid-write never leaves half a report.
        partial = directory / f"{name}.partial"
        partial.write_bytes(content)
        os.replace(partial, directory / name)


def archive_report(runtime: Compensator, day: date) -> bool:
    """Archive the report of ``day`` in every format unless it was archived already; whether it was done now.

    The archive keeps the stamp of what the report was built from, and the renderings are
    handed to ``runtime.reports``: asked for later, they are served as they are while it holds.
    """
    directory = Path(runtime.settings.reports.directory) / day.isoformat()
    with runtime.unit_of_work() as uow:
        start, end, _ = day_window(uow, day)
        stamp = take_stamp(uow, (start, end)) if ids_follow_commits(uow.db) else None
        report = build_daily_report(uow, day)
        renderings = {report_format: render(report, report_format) for report_format in ReportFormat}
        uow.db.add(DailyReport(venue_date=day, generated_at=uow.now(), directory=str(directory),
                               stamp=archive_stamp(stamp, renderings) if stamp is not None else None))
        try:
            uow.db.flush()
        except IntegrityError:
            # Another scheduler on the same database claimed this day first; its archive stands.
            return False
        try:
            _write_files(directory, {archive_file(directory, report_format).name: rendered.content
                                     for report_format, rendered in renderings.items()})
        except OSError as error:
            # The claim is rolled back with the unit of work, so the next run tries again.
            log.error("could not archive the report of %s in %s: %s", day, directory, error)
            return False
        uow.commit()
    if stamp is not None:
        runtime.reports.keep(day, stamp, renderings)
    log.info("archived the report of %s in %s", day, directory)
    return True


def archive_due_reports(runtime: Compensator) -> list[date]:
    """Archive the report of every closed day not archived yet; return the days archived now."""
    with runtime.reading() as uow:
        days = due_days(uow)
    return [day for day in days if archive_report(runtime, day)]
