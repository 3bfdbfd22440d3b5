"""Closing an outage over 50 and 500 running sessions on SQLite.

For each size, a venue with N running sessions has several venue-wide power cuts in a row,
each closed on the same long-lived engine (as in ``compensator run``). Printed: the median time of the close,
the number of SQL statements it issued (which must not grow with N), and the ratio of that
time to a raw ``sqlite3`` insert, in one transaction on a file in the same mode, of as many
rows as the close wrote, measured in the same run. A second ratio compares with plain sqlite3
inserting the very rows the close wrote into a database of the same schema (its indexes and
triggers included). A last run repeats N=500 on a venue with a long history of ended sessions,
which must cost about the same.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy import func, select

from bench.common import StatementCounter, add_past_sessions, median_ms, open_venue, timed
from compensator.runtime import Compensator
from compensator.services import outages
from compensator.store.models import Compensation, LedgerEntry, Notice, Voucher

SIZES = (50, 500)
REPETITIONS = 5
HISTORY = 200_000


def close_repeatedly(seat_count: int, directory: Path,
                     history: int = 0) -> tuple[list[float], set[int], int, int]:
    """Close one outage after another over ``seat_count`` running sessions on one long-lived engine.

    Returns the seconds of each close, the statement counts seen, the number of rows the last
    close wrote and the id of its outage. The engine stays up between closes, as it does in
    ``compensator run``.
    """
    runtime, clock = open_venue(seat_count, directory, minutes=lambda index: 240 + index % 120,
                                language=lambda index: "fr" if index % 3 == 0 else None)
    add_past_sessions(runtime, history)
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

            def close() -> None:
                with runtime.unit_of_work() as uow:
                    outages.end_outage(uow, outage.id, actor="bench")

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


def main() -> None:
    """Run the benchmark and print one line per size."""
    print("outage close over N running sessions (SQLite file, WAL, synchronous=FULL)")
    statements: dict[int, set[int]] = {}
    for size in SIZES:
        statements[size] = run(size)
    counts = {size: max(values) for size, values in statements.items()}
    flat = len(set(counts.values())) == 1
    print(f"  statement count {'does not grow' if flat else 'GROWS'} with N: {counts}")
    run(SIZES[-1], history=HISTORY)


def run(size: int, history: int = 0) -> set[int]:
    """Benchmark one size and print its line; return the statement counts seen."""
    with tempfile.TemporaryDirectory(prefix="compensator-bench-") as name:
        directory = Path(name)
        closes, statements, rows_written, outage_id = close_repeatedly(size, directory, history)
        raws = [raw_insert(rows_written, directory) for _ in range(REPETITIONS)]
        same = [raw_insert_same_rows(directory / "venue.db", outage_id, directory) for _ in range(REPETITIONS)]
    close_ms, raw_ms, same_ms = median_ms(closes), median_ms(raws), median_ms(same)
    label = f"N={size:4d}" + (f" after {history:,} past sessions" if history else "")
    print(f"  {label}: close median {close_ms:8.1f} ms, statements {sorted(statements)}, "
          f"rows written {rows_written}, raw sqlite3 insert median {raw_ms:6.2f} ms, "
          f"ratio {close_ms / raw_ms:6.1f}; the same rows into the same schema {same_ms:6.2f} ms, "
          f"ratio {close_ms / same_ms:6.1f}")
    return statements


if __name__ == "__main__":
    main()
