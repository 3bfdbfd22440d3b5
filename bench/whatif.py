"""What a bigger UPS would have saved over a busy month: the what-if replayed over the period bench's 31 busy days.

The month is the one ``bench.period`` makes and caches (31 copies of issue 14's busy day: 10,000
sessions and 20 outages a day over 500 seats). The what-if (``services.whatif.what_if``, as
``compensator whatif`` calls it, in a read-only unit of work with the collector held off) raises
the standard zone's UPS from the bench venue's 5 minutes to ``--ups-minutes`` (30 by default:
past every one of the day's 15-minute power cuts) and replays the month's real sessions and
outages through the policy.

Printed, in one run:

- the answer: credits before and after (minutes, money, compensations) and the saving;
- the floor: plain ``sqlite3`` (a fresh connection) running the very statements the month's
  what-if issued, as SQLAlchemy sent them (the same rows read, before any Python of the replay),
  and the what-if's wall time as a ratio to it. ``bench.period``'s floor (the period report's
  rows and ``json.dumps`` of its document) is not this work's: the what-if reads other rows and
  writes no document, so its own rows are its floor;
- the peak of Python's allocations (``tracemalloc``) during one what-if of the month, and the
  process's peak resident set;
- the statements one what-if issues for 1, 7 and 31 days;
- that the database file is byte for byte unchanged (SHA-256 before and after).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sqlite3
import statistics
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.period import DAYS, FIRST, LAST, SEATS, WAVES, cached_month, open_month

ZONE = "standard"


def _checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def measure(path: Path, ups_minutes: int, repetitions: int) -> dict[str, Any]:
    """Every figure of the month's what-if on the cached month."""
    from bench.common import StatementCounter, peak_traced, recorded_statements, timed
    from compensator.collector import collector_held_off
    from compensator.services.whatif import parse_changes, what_if

    before_sum = _checksum(path)
    runtime = open_month(path)
    changes = parse_changes(runtime.settings, [f"zones.{ZONE}.ups_minutes={ups_minutes}"])
    counter = StatementCounter(runtime.engine)
    result: dict[str, Any] = {"statements": {}}

    def replay(days: int = DAYS) -> Any:
        with collector_held_off(), runtime.reading() as uow:
            return what_if(uow, FIRST, FIRST + timedelta(days=days - 1), changes)

    for days in (1, 7):
        with counter.counting():
            replay(days)
        result["statements"][days] = counter.count
    with counter.counting(), recorded_statements(runtime.engine) as statements:
        result["answer"] = replay()
    result["statements"][DAYS] = counter.count

    def floor() -> None:
        connection = sqlite3.connect(path)
        for statement, parameters in statements:
            connection.execute(statement, parameters).fetchall()
        connection.close()

    result["floor"] = [timed(floor) for _ in range(repetitions)]
    result["whatif"] = [timed(replay) for _ in range(repetitions)]
    result["peak"] = peak_traced(replay)
    result["maxrss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    runtime.close()
    result["unchanged"] = _checksum(path) == before_sum
    return result


def main(argv: list[str] | None = None) -> None:
    """Make or reuse the cached month, run the what-if over it and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.whatif", description=__doc__.splitlines()[0])
    parser.add_argument("--ups-minutes", type=int, default=30, help=f"the {ZONE} zone's UPS in the what-if")
    parser.add_argument("--repetitions", type=int, default=1, help="runs of the floor and of the what-if (median)")
    arguments = parser.parse_args(argv)
    path = cached_month()
    print(f"what-if zones.{ZONE}.ups_minutes={arguments.ups_minutes} over {DAYS} busy days ({FIRST.isoformat()} to "
          f"{LAST.isoformat()}, {WAVES} waves a day over {SEATS} seats; SQLite file; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    figures = measure(path, arguments.ups_minutes, arguments.repetitions)
    outcome = figures["answer"].outcome
    for label, credits in (("before", outcome.before), ("after", outcome.after)):
        print(f"  {label:6} {credits.credit_minutes:>9,} min credited, {credits.credit_value_minor:>13,} minor, "
              f"{credits.compensations:>7,} compensations")
    print(f"  saving {outcome.saving_minor:,} minor ({outcome.saving_per_30_days_minor:,} per 30 days)")
    floor = statistics.median(figures["floor"])
    whatif = statistics.median(figures["whatif"])
    print(f"  floor (sqlite3 reading the what-if's rows) median {floor:7.2f} s")
    print(f"  what-if of the month                       median {whatif:7.2f} s, ratio {whatif / floor:.1f} (runs "
          f"{', '.join(f'{run:.1f}' for run in figures['whatif'])} s)")
    print(f"  peak traced {figures['peak'] / 2**20:.1f} MiB, peak resident set {figures['maxrss'] / 2**20:.0f} MiB")
    counts = figures["statements"]
    print(f"  statements per what-if: {', '.join(f'{count} for {days} day(s)' for days, count in counts.items())}")
    print(f"  database file {'unchanged' if figures['unchanged'] else 'CHANGED'} (SHA-256 before and after)")


if __name__ == "__main__":
    main()
