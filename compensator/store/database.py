"""Database plumbing: the declarative base, a UTC timestamp type, engines and the unit of work.

SQLite (the counter PC) runs in WAL mode with foreign keys on and takes the write lock at the
start of every writing transaction, so that check-then-write use cases (a seat is free, then a
session starts on it) cannot interleave. A read-only unit of work begins deferred instead: in
WAL mode it reads its snapshot beside the writer and never queues behind it, and it refuses to
write. PostgreSQL serialises the same use cases with row locks; there both kinds of unit of work
are plain read-committed transactions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Final

from sqlalchemy import DateTime, Engine, Enum, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session, sessionmaker
from sqlalchemy.pool import QueuePool, StaticPool
from sqlalchemy.types import TypeDecorator

from compensator.clock import Clock
from compensator.settings import Settings
from compensator.store.health import DatabaseHealth


def enum_column(enum_class: type[StrEnum]) -> Enum:
    """A portable VARCHAR column holding the enum's values (not its member names)."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC and returns them aware again, on every database."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to naive UTC; naive values are refused."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are never stored: pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach UTC to the naive value read back."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC)

    # SQLite keeps datetimes as ISO text. There the conversion is done in one step each way
    # (the generic path runs three functions per value, which shows when an outage over
    # hundreds of sessions writes and reads thousands of them); the text is the same as
    # SQLAlchemy's own SQLite format, so either can read what the other wrote.

    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], object] | None:
        """Convert values on their way into the database."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            if value.tzinfo is None:
                raise ValueError("naive datetimes are never stored: pass an aware UTC datetime")
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

        return process

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[object], datetime | None] | None:
        """Convert values read back from the database."""
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def process(value: object) -> datetime | None:
            if value is None:
                return None
            # The text is UTC without an offset: with UTC's appended, one call returns the aware
            # datetime (``timezone.utc`` itself), five times faster than parsing then replace().
            return datetime.fromisoformat(f"{value}+00:00")

        return process


class Base(DeclarativeBase):
    """The declarative base of every Compensator table."""

    # SQLAlchemy types a mapped class's ``__table__`` as any ``FromClause``; every class here is
    # declared with ``__tablename__``, so its ``__table__`` is a ``Table`` (sqlalchemy/sqlalchemy#9130).
    __table__: ClassVar[Table]


def sqlite_file(url: str | URL) -> Path | None:
    """The file of a SQLite database URL; None for an in-memory database or another engine."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        return Path(parsed.database)
    return None


def ids_follow_commits(db: Session) -> bool:
    """Whether every table's ids on ``db``'s database grow in the order their rows are committed.

    True of a SQLite file: one transaction writes at a time, holding the write lock from its
    first insert to its commit, and each connection reads in a transaction of its own, so a
    table's largest id seen tells exactly which rows are there. Not of PostgreSQL, where a
    sequence hands out ids before the commit (a smaller id can commit after a larger one was
    seen), nor of an in-memory SQLite database, whose one connection every unit of work shares
    (a reader can see a writer's rows before they are committed, or rolled back).
    """
    return sqlite_file(db.get_bind().engine.url) is not None


def data_directory(url: str) -> Path:
    """The venue's data folder: the SQLite database's own folder, else the working directory."""
    database = sqlite_file(url)
    return database.resolve().parent if database is not None else Path.cwd()


# The execution option a read-only unit of work puts on its connection (see ``_on_begin``).
READ_ONLY_OPTION: Final = "compensator_read_only"


class WriteInReadOnlyUnitOfWork(RuntimeError):
    """A read-only unit of work was asked to write: a programming error, never the user's."""


# The write-ahead log is copied into the database file by the scheduler every ten seconds
# (``checkpoint``), so that use cases seldom wait on that copy. SQLite also copies it at a commit
# once it holds this many pages (about 4 MB): a burst of writes (a few megabytes a second under a
# heavy load) must not grow the log past what a small or nearly full disk has room for, and a
# log that ate the disk could not be copied back any more (the database file must grow a little).
WAL_BACKSTOP_PAGES = 1_000
# Once copied, the log is cut back to this size rather than kept at its largest (``journal_size_limit``),
# and a log found larger than this is checkpointed with TRUNCATE: on a small or nearly full disk a
# log left at its largest would hold the space the database itself needs.
WAL_KEPT_BYTES = 4 * 1024 * 1024


def wal_file(engine: Engine) -> Path | None:
    """The write-ahead log beside a SQLite file, or None for a database with none."""
    database = sqlite_file(engine.url)
    return None if database is None else database.with_name(database.name + "-wal")


def checkpoint(engine: Engine, *, truncate: bool = False) -> tuple[int, int] | None:
    """Copy into a SQLite file what its write-ahead log holds, as far as no reader still needs it.

    Passive: it waits for no reader and no writer, and what a reader still needs is copied at
    a later run. With ``truncate`` it waits for them (up to the busy timeout), copies everything
    and cuts the log to nothing, which gives its space back to the disk. Returns the pages in
    the log and those copied, or None for a database with no log (PostgreSQL, an in-memory SQLite database).
    """
    if sqlite_file(engine.url) is None:
        return None
    mode = "TRUNCATE" if truncate else "PASSIVE"
    connection = engine.raw_connection()
    try:
        # Outside any transaction (the driver's own handling is off): a checkpoint runs on its own.
        _busy, pages, copied = connection.cursor().execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
    finally:
        connection.close()
    return pages, copied


def make_engine(url: str, *, reads_take_write_lock: bool = False) -> Engine:
    """Create an engine for ``url`` with the pragmas and locking Compensator relies on.

    ``reads_take_write_lock`` makes read-only units of work on SQLite begin ``IMMEDIATE`` like
    writers, as every transaction did before; only ``bench.mixed_load`` sets it, to measure
    the deferred reads against that in the same run.
    """
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 15},
            # An in-memory database lives in its one connection. A file keeps a few connections
            # open for reuse: opening one and setting its pragmas costs more than most requests.
            poolclass=StaticPool if memory else QueuePool,
        )
        _configure_sqlite(engine, memory=memory, reads_take_write_lock=reads_take_write_lock)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(engine: Engine, *, memory: bool, reads_take_write_lock: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling is switched off so that the BEGIN below is the
        # only one issued.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}")
            cursor.execute(f"PRAGMA journal_size_limit={WAL_KEPT_BYTES}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY_OPTION) and not reads_take_write_lock:
            # A reader takes no lock until its first SELECT, and in WAL mode that one only
            # pins a snapshot: it proceeds while a writer holds the write lock.
            connection.exec_driver_sql("BEGIN")
            return
        # Taking the write lock up front turns a would-be deadlock between two writers into a
        # short wait, and makes every read-check-write use case atomic.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class UnitOfWork:
    """One transaction: everything done through ``db`` is rolled back unless ``commit()`` is called.

    A ``read_only`` one never takes SQLite's write lock and raises ``WriteInReadOnlyUnitOfWork``
    at an attempt to write (a flush with changes, an ORM INSERT, UPDATE or DELETE, a commit);
    it can never commit, so even a raw SQL write in one is rolled back at its end.
    """

    def __init__(self, session_factory: sessionmaker[Session], clock: Clock, settings: Settings, *,
                 read_only: bool = False, health: DatabaseHealth | None = None) -> None:
        self._session_factory = session_factory
        self.clock = clock
        self.settings = settings
        self.read_only = read_only
        self.db: Session
        self._commits_held = 0
        # Told whether the database worked (a lost one is back, a full disk took a write) or failed.
        self._health = health
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        if not self.read_only:
            self.db = self._session_factory()
            return self
        self.db = self._session_factory(info={READ_ONLY_OPTION: True})
        # The option must be on the connection before its BEGIN, which happens right here.
        self.db.connection(execution_options={READ_ONLY_OPTION: True})
        return self

    def __exit__(self, _type: object, error: BaseException | None, _traceback: object) -> None:
        # Closing rolls back whatever was not committed; unlike rollback() it leaves loaded
        # objects readable, detached, for the caller.
        try:
            self.db.close()
        finally:
            if self._health is not None:
                if error is None:
                    self._health.worked(wrote=self._committed)
                else:
                    self._health.failed(error)

    def commit(self) -> None:
        """Make everything done in this unit of work permanent (at the held commit, if one is held)."""
        if self.read_only:
            raise WriteInReadOnlyUnitOfWork("a read-only unit of work cannot commit")
        if self._commits_held:
            self.db.flush()
            return
        self.db.commit()
        self._committed = True

    @contextmanager
    def commit_held(self) -> Iterator[None]:
        """Within this block ``commit()`` only flushes: whoever holds it commits once, afterwards.

        This is how an idempotency key and the effect it guards become permanent in one
        transaction although the use case commits its own work.
        """
        self._commits_held += 1
        try:
            yield
        finally:
            self._commits_held -= 1

    def now(self) -> datetime:
        """The current time from the unit of work's clock."""
        return self.clock.now()


def insert_unless_present(db: Session, table: Table, values: dict[str, Any]) -> bool:
    """Insert a row unless one with the same key exists; return whether it was inserted.

    On PostgreSQL the INSERT waits while another transaction holds an uncommitted row with that
    key, then does nothing if that transaction committed it. SQLite has only one writer at a time.
    """
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    # RETURNING says whether a row went in: not every driver reports a row count for it.
    statement = dialect.insert(table).values(values).on_conflict_do_nothing().returning(*table.primary_key.columns)
    return db.execute(statement).first() is not None


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit, and whose read-only sessions refuse writes."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    event.listen(factory, "before_flush", _refuse_flush_when_read_only)
    event.listen(factory, "do_orm_execute", _refuse_statement_when_read_only)
    return factory


def _refuse_flush_when_read_only(db: Session, _context: Any, _instances: Any) -> None:
    if db.info.get(READ_ONLY_OPTION) and (db.new or db.dirty or db.deleted):
        raise WriteInReadOnlyUnitOfWork("a read-only unit of work cannot write: use a writing unit of work")


def _refuse_statement_when_read_only(state: ORMExecuteState) -> None:
    if state.session.info.get(READ_ONLY_OPTION) and (state.is_insert or state.is_update or state.is_delete):
        raise WriteInReadOnlyUnitOfWork("a read-only unit of work cannot write: use a writing unit of work")
