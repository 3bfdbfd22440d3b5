"""The period report of a busy month: 31 days of issue 14's busy day (10,000 sessions, 20 outages a day over 500 seats).

The month is the report benchmark's busy day (``bench.report_day``: built once through the
services and cached) repeated: its database copied, migrated, and every row of the day's
activity (sessions, their events and ledger entries, outages and their revisions,
compensations and their adjustments, vouchers, redemptions, notices and deliveries) copied 30
times by plain SQL, each copy a day later, with its ids moved past the others and its unique
codes and keys given a suffix. Living 31 such days through the services would take some eight
hours on this machine (a quarter of an hour a day); the copies are the same day, to the row.
The month is kept in the temporary directory, keyed by ``VERSION``, beside the day.

Printed, in one run:

- the floor: plain ``sqlite3`` running the very statements one build of the month's report
  issued (as SQLAlchemy sent them, on a fresh connection: the same rows read), then the
  standard ``json`` module writing the same document (``json.dumps`` of the report's plain data);
- the median of building the month's report and writing its JSON, and its ratio to the floor
  (issue 25's target: at most 3);
- the peak of Python's allocations (``tracemalloc``) while building and writing it (target: at
  most 150 MiB), and the process's peak resident set;
- the statements one build issues for a period of 1, 7 and 31 days: flat in the number of days.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.report_day import DAY, cached_day

VERSION = "period-month-1"
SEATS, WAVES = 500, 20
DAYS = 31
FIRST, LAST = DAY, DAY + timedelta(days=DAYS - 1)
# The month's report is read the morning after its last day (08:00 in Lagos), when the period is over.
READ_AT = datetime.combine(LAST + timedelta(days=1), datetime.min.time(), tzinfo=UTC).replace(hour=7)
# The tables of a day's activity, parents first; each copy moves their ids (and the ids they refer to) by OFFSET.
ACTIVITY = ("seat_sessions", "session_events", "ledger_entries", "outages", "outage_revisions", "compensations",
            "compensation_adjustments", "vouchers", "voucher_redemptions", "notices", "notice_deliveries")
OFFSET = 10_000_000


def cached_month() -> Path:
    """The path of the cached month, made from the cached day if missing."""
    directory = Path(tempfile.gettempdir()) / f"compensator-bench-{VERSION}"
    directory.mkdir(exist_ok=True)
    path = directory / f"month-{SEATS}-seats-{WAVES}-waves-{DAYS}-days.db"
    if not path.exists():
        day = cached_day(SEATS, WAVES)
        building = directory / f"building-{os.getpid()}.db"
        began = time.perf_counter()
        print(f"  copying the busy day into a month of {DAYS} days (once; kept in {path})", file=sys.stderr,
              flush=True)
        shutil.copyfile(day, building)
        _migrate(building)
        _repeat_day(building)
        building.rename(path)
        print(f"  made in {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    return path


def _migrate(path: Path) -> None:
    """Bring the copied day to this checkout's schema, as opening it does."""
    from bench.report_day import open_day

    day_named = path.with_name(f"day-{SEATS}-seats-{WAVES}-waves-migrating.db")
    path.rename(day_named)
    open_day(day_named).close()
    day_named.rename(path)


def _repeat_day(path: Path) -> None:
    """Copy every row of the day's activity ``DAYS - 1`` times, each copy ``k`` days later."""
    from compensator.store import credit_models  # noqa: F401 - its tables join the metadata
    from compensator.store.database import UTCDateTime
    from compensator.store.models import Base

    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")
    for copy in range(1, DAYS):
        offset = copy * OFFSET
        for name in ACTIVITY:
            table = Base.metadata.tables[name]
            values = []
            for column in table.columns:
                targets = {key.column.table.name for key in column.foreign_keys}
                if column.primary_key or targets & set(ACTIVITY):
                    values.append(f"{column.name} + {offset}")
                elif isinstance(column.type, UTCDateTime):
                    values.append(f"strftime('%Y-%m-%d %H:%M:%S', {column.name}, '+{copy} days') "
                                  f"|| substr({column.name}, 20)")
                elif column.unique:
                    values.append(f"{column.name} || '-{copy}'")
                else:
                    values.append(column.name)
            names = ", ".join(column.name for column in table.columns)
            connection.execute(f"INSERT INTO {name} ({names}) SELECT {', '.join(values)} FROM {name} "
                               f"WHERE {table.primary_key.columns.values()[0].name} < {OFFSET}")
        connection.commit()
    connection.close()


def open_month(path: Path) -> Any:
    """The engine on the cached month, its clock the morning after the last day."""
    from bench.common import venue_settings
    from compensator.clock import FakeClock
    from compensator.runtime import Compensator

    return Compensator.open(venue_settings(SEATS), clock=FakeClock(READ_AT),
                            database_url=f"sqlite:///{path.as_posix()}")


def measure(path: Path, repetitions: int) -> dict[str, Any]:
    """Every figure of the month's report on the cached month."""
    from bench.common import StatementCounter, peak_traced, recorded_statements, timed
    from compensator.collector import collector_held_off
    from compensator.report.period.build import build_period_report
    from compensator.report.period.formats import json_format

    runtime = open_month(path)
    counter = StatementCounter(runtime.engine)
    result: dict[str, Any] = {"statements": {}}
    for days in (1, 7, DAYS):
        with counter.counting(), runtime.unit_of_work() as uow:
            build_period_report(uow, FIRST, FIRST + timedelta(days=days - 1))
        result["statements"][days] = counter.count
    with recorded_statements(runtime.engine) as statements, runtime.unit_of_work() as uow:
        report = build_period_report(uow, FIRST, LAST)
    document = json_format.document(report)
    result["cuts"] = report.venue.cuts
    result["credits"] = sum(zone.sessions_interrupted for zone in report.zones)

    def floor() -> None:
        connection = sqlite3.connect(path)
        for statement, parameters in statements:
            connection.execute(statement, parameters).fetchall()
        connection.close()
        json.dumps(document, ensure_ascii=False, separators=(",", ":"))

    def build() -> None:
        with collector_held_off(), runtime.unit_of_work() as uow:
            json_format.render(build_period_report(uow, FIRST, LAST))

    result["floor"] = [timed(floor) for _ in range(repetitions)]
    result["build"] = [timed(build) for _ in range(repetitions)]
    result["peak"] = peak_traced(build)
    result["maxrss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    runtime.close()
    return result


def main(argv: list[str] | None = None) -> None:
    """Make or reuse the cached month, measure the period report on it and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.period", description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5, help="runs of the floor and of the build (median)")
    arguments = parser.parse_args(argv)
    path = cached_month()
    print(f"period report of {DAYS} busy days ({FIRST.isoformat()} to {LAST.isoformat()}, {WAVES} waves a day over "
          f"{SEATS} seats; SQLite file; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    figures = measure(path, arguments.repetitions)
    floor = statistics.median(figures["floor"])
    build = statistics.median(figures["build"])
    print(f"  {figures['cuts']} cuts, {figures['credits']} sessions interrupted")
    print(f"  floor (sqlite3 reading the build's rows + json.dumps of the document) median {floor * 1000:8.1f} ms")
    print(f"  build + JSON                                                     median {build * 1000:8.1f} ms, "
          f"ratio {build / floor:.2f} (target <= 3; runs {', '.join(f'{run * 1000:.0f}' for run in figures['build'])}"
          f" ms)")
    print(f"  peak traced {figures['peak'] / 2**20:.1f} MiB (target <= 150), peak resident set "
          f"{figures['maxrss'] / 2**20:.0f} MiB")
    counts = figures["statements"]
    flat = len(set(counts.values())) == 1
    print(f"  statements per build: {', '.join(f'{count} for {days} day(s)' for days, count in counts.items())}: "
          f"{'flat' if flat else 'GROWS'} in the number of days")


if __name__ == "__main__":
    main()


