"""Closing an outage over 500, 2,000 and 5,000 running sessions on SQLite.

For each size, a venue with N running sessions has several venue-wide power cuts in a row,
each closed on the same long-lived engine, started as ``compensator run`` starts (the objects
alive after start-up frozen out of the garbage collector's sight). Printed: the median time of
the close and its cost per session, the number of SQL statements it issued (which must not grow
with N), and the ratio of that time to two floors measured in the same run: a raw ``sqlite3``
insert, in one transaction on a file in the same mode, of as many rows as the close wrote, and
plain sqlite3 inserting the very rows the close wrote into a database of the same schema (its
indexes and triggers included). Then the spread of the cost per session from the smallest size
to the largest (the largest over the smallest, less one).

Two venues are measured. In the first (issue 14's), every session started at the same instant
and the paid times take 120 values, none of which runs out in the dark, so sessions alike in
zone share the policy's work whatever they bought (``domain.batch``): 2 runs of the policy for
500 sessions, still 2 for 5,000. In the second every session started a second after the one
before, so no two are alike and nothing is shared: the cost of a venue whose customers came one
by one. A last run repeats N=500 of the
first venue with a long history of ended sessions, which must cost about the same.

Targets (issue 14): at N=500 the close at most 6 x the same rows into the same schema, and the
cost per session flat from 500 to 5,000 within 20 %.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench.common import StatementCounter, add_past_sessions, median_ms, open_venue, timed
from compensator.collector import collector_held_off, freeze_after_start_up
from compensator.runtime import Compensator
from compensator.services.outages import use_cases as outages
from compensator.store.models import Compensation, LedgerEntry, Notice, Voucher

SIZES = (500, 2000, 5000)
REPETITIONS = 5
# Each floor is the median of this many runs: a single one is a few milliseconds, easily disturbed.
FLOOR_REPETITIONS = 9
# The time between one session's start and the next's, in each venue.
VENUES = {"every session started at one instant": timedelta(0),
          "every session started a second after the one before": timedelta(seconds=1)}
HISTORY = 200_000


def close_repeatedly(seat_count: int, directory: Path, spacing: timedelta,
                     history: int = 0) -> tuple[list[float], set[int], int, int]:
    """Close one outage after another over ``seat_count`` running sessions on one long-lived engine.

    Returns the seconds of each close, the statement counts seen, the number of rows the last
    close wrote and the id of its outage. The engine stays up between closes, as it does in
    ``compensator run``.
    """
    runtime, clock = open_venue(seat_count, directory, minutes=lambda index: 240 + index % 120,
                                language=lambda index: "fr" if index % 3 == 0 else None, spacing=spacing)
    add_past_sessions(runtime, history)
    # As ``compensator run`` does once started (web.cli.serve).
    freeze_after_start_up()
    counter = StatementCounter(runtime.engine)
    seconds: list[float] = []
    counts: set[int] = set()
    rows = 0
    try:
        for _ in range(REPETITIONS):
            clock.advance(minutes=20)
            with runtime.unit_of_work() as uow:
                outage = outages.start_outage(uow, actor="bench")
            clock.advance(minutes=25)
            before = _rows(runtime)

            def close(outage_id: int = outage.id) -> None:
                # As Power back closes it: the web view holds the collector off.
                with collector_held_off(), runtime.unit_of_work() as uow:
                    outages.end_outage(uow, outage_id, actor="bench")

            with counter.counting():
                seconds.append(timed(close))
            counts.add(counter.count)
            rows = _rows(runtime) - before
        return seconds, counts, rows, outage.id
    finally:
        runtime.close()


def _rows(runtime: Compensator) -> int:
    with runtime.unit_of_work() as uow:
        return sum(uow.db.scalar(select(func.count()).select_from(model)) or 0
                   for model in (Compensation, LedgerEntry, Notice, Voucher))


def raw_insert(rows: int, directory: Path) -> float:
    """Seconds for plain sqlite3 to insert ``rows`` rows of similar width in one durable transaction."""
    path = directory / "raw.db"
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, session INTEGER, minutes INTEGER, "
                           "value INTEGER, at TEXT, text TEXT)")
        payload = [(index, 35, 17500, "2026-11-22 10:05:00.000000", "x" * 400) for index in range(rows)]

        def insert() -> None:
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany("INSERT INTO rows (session, minutes, value, at, text) VALUES (?, ?, ?, ?, ?)",
                                   payload)
            connection.execute("COMMIT")

        return timed(insert)
    finally:
        connection.close()
        path.unlink()


def raw_insert_same_rows(venue: Path, outage_id: int, directory: Path) -> float:
    """Seconds for plain sqlite3 to insert the rows the close of ``outage_id`` wrote, in the same schema."""
    source = sqlite3.connect(venue)
    path = directory / "same.db"
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        schema = [sql for (sql,) in source.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "ORDER BY type = 'table' DESC")]
        mine = "SELECT id FROM compensations WHERE outage_id = ?"
        written = {
            "compensations": source.execute("SELECT * FROM compensations WHERE outage_id = ?", (outage_id,)).fetchall(),
            **{table: source.execute(f"SELECT * FROM {table} WHERE compensation_id IN ({mine})",
                                     (outage_id,)).fetchall()
               for table in ("ledger_entries", "vouchers", "notices")},
        }
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        for sql in schema:
            connection.execute(sql)

        def insert() -> None:
            connection.execute("BEGIN IMMEDIATE")
            for table, rows in written.items():
                if rows:
                    marks = ", ".join("?" * len(rows[0]))
                    connection.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
            connection.execute("COMMIT")

        return timed(insert)
    finally:
        connection.close()
        source.close()
        path.unlink()


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark: each venue at each size, the checks across sizes, then the long history.

    ``--sizes`` and ``--venue`` run only some sizes of one venue (a quick look, no long history).
    """
    parser = argparse.ArgumentParser(prog="python -m bench.outage_close")
    parser.add_argument("--sizes", type=lambda text: tuple(int(item) for item in text.split(",")), default=SIZES,
                        help="comma-separated numbers of running sessions (default: %(default)s)")
    parser.add_argument("--venue", choices=("instant", "spaced"),
                        help="only the venue whose sessions started at one instant, or a second apart")
    arguments = parser.parse_args(argv)
    sizes: tuple[int, ...] = arguments.sizes
    chosen = {"instant": 0, "spaced": 1}.get(arguments.venue)
    venues = dict(list(VENUES.items())[chosen:chosen + 1]) if chosen is not None else VENUES
    print("outage close over N running sessions (SQLite file, WAL, synchronous=FULL)")
    ratios: dict[str, float] = {}
    for venue, spacing in venues.items():
        print(f" {venue}:")
        results = {size: run(size, spacing) for size in sizes}
        counts = {size: max(result.statements) for size, result in results.items()}
        flat = len(set(counts.values())) == 1
        print(f"  statement count {'does not grow' if flat else 'GROWS'} with N: {counts}")
        per_session = {size: result.close_ms / size for size, result in results.items()}
        smallest, largest = sizes[0], sizes[-1]
        spread = per_session[largest] / per_session[smallest] - 1
        print(f"  cost per session from N={smallest} to N={largest}: "
              + ", ".join(f"{per_session[size] * 1000:.1f} us" for size in sizes)
              + f"; spread {spread:+.0%} (target within 20 %)")
        ratios[venue] = results[smallest].same_ratio
    print(f" N={sizes[0]} close / the same rows into the same schema (target at most 6): "
          + "; ".join(f"{venue}: {ratio:.1f}" for venue, ratio in ratios.items()))
    if venues is not VENUES or sizes != SIZES:
        return
    first_venue, first_spacing = next(iter(VENUES.items()))
    print(f" {first_venue}, with a long history:")
    run(SIZES[0], first_spacing, history=HISTORY)


@dataclass(frozen=True)
class SizeResult:
    """One size's figures: the median close, the statement counts seen and the ratio to the same rows' floor."""

    close_ms: float
    statements: set[int]
    same_ratio: float


def run(size: int, spacing: timedelta, history: int = 0) -> SizeResult:
    """Benchmark one size of one venue and print its line."""
    with tempfile.TemporaryDirectory(prefix="compensator-bench-") as name:
        directory = Path(name)
        closes, statements, rows_written, outage_id = close_repeatedly(size, directory, spacing, history)
        raws = [raw_insert(rows_written, directory) for _ in range(FLOOR_REPETITIONS)]
        same = [raw_insert_same_rows(directory / "venue.db", outage_id, directory) for _ in range(FLOOR_REPETITIONS)]
    close_ms, raw_ms, same_ms = median_ms(closes), median_ms(raws), median_ms(same)
    label = f"N={size:4d}" + (f" after {history:,} past sessions" if history else "")
    print(f"  {label}: close median {close_ms:8.1f} ms ({close_ms / size * 1000:5.1f} us per session), "
          f"statements {sorted(statements)}, rows written {rows_written}, raw sqlite3 insert median "
          f"{raw_ms:6.2f} ms, ratio {close_ms / raw_ms:6.1f}; the same rows into the same schema "
          f"{same_ms:6.2f} ms, ratio {close_ms / same_ms:6.1f}")
    return SizeResult(close_ms, statements, close_ms / same_ms)


if __name__ == "__main__":
    main()
