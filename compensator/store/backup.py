"""Backups of the venue's database into one file, and restoring one.

SQLite is copied with its online backup API: a consistent snapshot taken page by page while
the server keeps writing (WAL mode lets readers and the copy go on beside the writer), into a
single file that is itself a SQLite database. PostgreSQL is dumped with ``pg_dump`` in its
custom format and restored with ``pg_restore``; both programs come with PostgreSQL's client
package and their absence is said plainly. A restore checks the file before touching the
database, refuses to overwrite a database that holds data unless forced, and runs the
migrations afterwards, so an older backup comes back at this version's schema.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from compensator.store import migrate
from compensator.store.database import sqlite_file

SQLITE_SUFFIX = ".db"
POSTGRES_SUFFIX = ".dump"
# Pages copied per step: small steps let the server's writers in between them.
SQLITE_PAGES_PER_STEP = 256
PG_TIMEOUT_SECONDS = 600
NIGHTLY_PREFIX = "compensator-"


class BackupError(Exception):
    """A backup or a restore that cannot be done, said in one line."""


@dataclass(frozen=True, slots=True)
class BackupFile:
    """A backup written: where, and how large."""

    path: Path
    size_bytes: int


def is_sqlite(database_url: str) -> bool:
    """Whether the URL names a SQLite database."""
    return make_url(database_url).get_backend_name() == "sqlite"


def sqlite_path(database_url: str) -> Path:
    """The file of a SQLite database URL; an in-memory database has none to back up."""
    database = sqlite_file(database_url)
    if database is None:
        raise BackupError("an in-memory database cannot be backed up or restored")
    return database


def suffix_for(database_url: str) -> str:
    """The file suffix of this database's backups."""
    return SQLITE_SUFFIX if is_sqlite(database_url) else POSTGRES_SUFFIX


def backup(database_url: str, out: Path) -> BackupFile:
    """Write a consistent backup of the database to ``out`` (created or replaced whole)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target under a name of its own and renamed at the end: a backup cut
    # short never leaves a half-written file under the name of a good one, and two backups made
    # at once (two servers, or a backup by hand at the nightly one's minute) never share a file.
    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    os.close(handle)
    partial = Path(name)
    try:
        if is_sqlite(database_url):
            _backup_sqlite(sqlite_path(database_url), partial)
        else:
            _run_pg("pg_dump", "--format=custom", "--no-owner", f"--file={partial}",
                    f"--dbname={_libpq_url(database_url)}")
        # An empty file is never a backup, whatever the copy said.
        if partial.stat().st_size == 0:
            raise BackupError(f"{out}: the copy came out empty; no backup was written")
        # A backup holds PIN hashes and token digests: only its owner may read it.
        os.chmod(partial, 0o600)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return BackupFile(out, out.stat().st_size)


def check_backup(database_url: str, path: Path) -> None:
    """Refuse a file that is not a whole backup of a Compensator database of this kind."""
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    if path.stat().st_size == 0:
        raise BackupError(f"{path}: the file is empty (0 bytes): not a backup; choose another one")
    if is_sqlite(database_url):
        try:
            with sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True) as connection:
                integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
                tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path}: not a SQLite backup ({error})") from None
        if integrity != "ok":
            raise BackupError(f"{path}: the backup is damaged ({integrity})")
        if "alembic_version" not in tables or "ledger_entries" not in tables:
            raise BackupError(f"{path}: a SQLite database, but not a Compensator backup")
        return
    listing = _run_pg("pg_restore", "--list", str(path))
    if "ledger_entries" not in listing:
        raise BackupError(f"{path}: a PostgreSQL dump, but not of a Compensator database")


def holds_data(database_url: str) -> bool:
    """Whether the database exists and already has Compensator's tables."""
    if is_sqlite(database_url) and not sqlite_path(database_url).exists():
        return False
    engine = create_engine(database_url)
    try:
        return "ledger_entries" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def restore(database_url: str, path: Path, *, force: bool = False) -> str | None:
    """Replace the database with the backup at ``path`` and migrate it; the revision it is at after."""
    check_backup(database_url, path)
    if holds_data(database_url) and not force:
        raise BackupError("the database already holds data: stop the server, then restore with --force "
                          "to replace it with the backup")
    if is_sqlite(database_url):
        _restore_sqlite(path, sqlite_path(database_url))
    else:
        _run_pg("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                f"--dbname={_libpq_url(database_url)}", str(path))
    engine = create_engine(database_url)
    try:
        migrate.upgrade(engine)
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


def nightly_path(directory: Path, day: date, database_url: str) -> Path:
    """The nightly backup's file for ``day``."""
    return directory / f"{NIGHTLY_PREFIX}{day.isoformat()}{suffix_for(database_url)}"


def prune(directory: Path, keep: int, database_url: str) -> list[Path]:
    """Delete all but the newest ``keep`` nightly backups in ``directory``; the files deleted."""
    nightly = sorted(directory.glob(f"{NIGHTLY_PREFIX}????-??-??{suffix_for(database_url)}"))
    removed = nightly[:-keep] if keep else nightly
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _backup_sqlite(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(f"{source}: no such database")
    try:
        with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
            origin.execute("PRAGMA busy_timeout = 10000")
            origin.backup(copy, pages=SQLITE_PAGES_PER_STEP)
        # A backup stands on its own: one file, without the write-ahead log beside it.
        with closing(sqlite3.connect(target)) as copy:
            copy.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as error:
        # A disk that is full or failing, a database that is damaged: said in one line.
        raise BackupError(f"{source}: the backup could not be made ({error})") from None


def _restore_sqlite(backup_file: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # The backup API writes through SQLite's own locking, so the WAL and any reader stay coherent.
    with sqlite3.connect(f"file:{backup_file.as_posix()}?mode=ro", uri=True) as origin, \
            sqlite3.connect(target) as database:
        database.execute("PRAGMA busy_timeout = 10000")
        origin.backup(database)


def _libpq_url(database_url: str) -> str:
    """The SQLAlchemy URL as libpq reads it (no ``+driver``), password included."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run_pg(program: str, *arguments: str) -> str:
    if shutil.which(program) is None:
        raise BackupError(f"{program} is not installed: install PostgreSQL's client programs "
                          "(Debian: apt-get install postgresql-client) and try again")
    try:
        finished = subprocess.run([program, *arguments], capture_output=True, text=True, timeout=PG_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise BackupError(f"{program} did not finish within {PG_TIMEOUT_SECONDS} s") from None
    if finished.returncode != 0:
        message = (finished.stderr.strip().splitlines() or [f"exit status {finished.returncode}"])[-1]
        raise BackupError(f"{program} failed: {message}")
    return finished.stdout
