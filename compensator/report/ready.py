"""Reports ready at once: a closed day's report is served as it was rendered while nothing it was built from changed.

A busy day's report takes a second or more to build and render, and its PDF more; the owner
who clicks it the next morning should not wait for that, nor the counter PC's CPU spend it on
every click. ``ReadyReports`` keeps each rendering of a closed day with the ``DayStamp`` of
what it was built from (``compensator.report.stamp``) and serves it again while the
stamp holds. The closing-time job hands it the formats it archived, and a rendering it does
not hold is read from that archive when the archive's stamp still holds. Today's report, an
unclosed day, a stamp that no longer holds and a database where stamps cannot tell
(``store.database.ids_follow_commits``: PostgreSQL, an in-memory SQLite) are built afresh.

The renderings held are bounded in bytes; the least recently served goes first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from compensator.report.build import build_daily_report, day_window
from compensator.report.formats import RenderedReport, ReportFormat, render, rendered_as
from compensator.report.stamp import DayStamp, take_stamp, unchanged_since
from compensator.store.database import UnitOfWork, ids_follow_commits
from compensator.store.operations import DailyReport

DEFAULT_CAPACITY_BYTES = 64 * 2**20


def archive_file(directory: str | Path, report_format: ReportFormat) -> Path:
    """Where the archive of one day keeps the report in ``report_format``."""
    return Path(directory) / f"report.{report_format.value}"


def archive_stamp(stamp: DayStamp, renderings: dict[ReportFormat, RenderedReport]) -> dict[str, object]:
    """What an archived report keeps of its making: its stamp, and each file's size to know it whole."""
    return {**stamp.to_json(), "sizes": {fmt.value: len(item.content) for fmt, item in renderings.items()}}


class ReadyReports:
    """The renderings of closed days, each with the stamp it was built under (see the module's docstring)."""

    def __init__(self, capacity_bytes: int = DEFAULT_CAPACITY_BYTES) -> None:
        self._capacity = capacity_bytes
        self._held: OrderedDict[tuple[date, ReportFormat], tuple[DayStamp, RenderedReport]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def rendered(self, uow: UnitOfWork, venue_date: date, report_format: ReportFormat) -> RenderedReport:
        """The report of ``venue_date`` in ``report_format`` as it stands now, rendered again only when it must be."""
        start, end, complete = day_window(uow, venue_date)
        if not complete or not ids_follow_commits(uow.db):
            return render(build_daily_report(uow, venue_date), report_format)
        window = (start, end)
        key = (venue_date, report_format)
        with self._lock:
            held = self._held.get(key)
        if held is not None and unchanged_since(uow, window, held[0]):
            with self._lock:
                if key in self._held:
                    self._held.move_to_end(key)
            return held[1]
        archived = self._archived(uow, venue_date, report_format, window)
        if archived is not None:
            self.keep(venue_date, archived[0], {report_format: archived[1]})
            return archived[1]
        # Taken first, in the same transaction: what the build reads is what the stamp describes.
        stamp = take_stamp(uow, window)
        rendered = render(build_daily_report(uow, venue_date), report_format)
        self.keep(venue_date, stamp, {report_format: rendered})
        return rendered

    def keep(self, venue_date: date, stamp: DayStamp, renderings: dict[ReportFormat, RenderedReport]) -> None:
        """Hold these renderings of ``venue_date``, built under ``stamp``, dropping the least recently served."""
        with self._lock:
            for report_format, rendered in renderings.items():
                key = (venue_date, report_format)
                previous = self._held.pop(key, None)
                if previous is not None:
                    self._bytes -= len(previous[1].content)
                if len(rendered.content) > self._capacity:
                    continue
                self._held[key] = (stamp, rendered)
                self._bytes += len(rendered.content)
            while self._bytes > self._capacity:
                _, (_, dropped) = self._held.popitem(last=False)
                self._bytes -= len(dropped.content)

    def held_bytes(self) -> int:
        """How many bytes of renderings are held."""
        with self._lock:
            return self._bytes

    @staticmethod
    def _archived(uow: UnitOfWork, venue_date: date, report_format: ReportFormat,
                  window: tuple[datetime, datetime]) -> tuple[DayStamp, RenderedReport] | None:
        """The archived rendering of the day, if its stamp still holds and its file is there, whole."""
        row = uow.db.execute(select(DailyReport.directory, DailyReport.stamp)
                             .where(DailyReport.venue_date == venue_date)).first()
        if row is None or not isinstance(row.stamp, dict):
            return None
        stamp = DayStamp.from_json(row.stamp)
        sizes = row.stamp.get("sizes")
        size = sizes.get(report_format.value) if isinstance(sizes, dict) else None
        # The stamp is asked first: a file of megabytes is read only when it can be served.
        if stamp is None or not isinstance(size, int) or not unchanged_since(uow, window, stamp):
            return None
        try:
            content = archive_file(row.directory, report_format).read_bytes()
        except OSError:
            return None
        if len(content) != size:
            return None
        return stamp, rendered_as(venue_date, report_format, content)
