"""The assembled engine: settings, clock and database, and the units of work drawn from them.

One ``Compensator`` is built by each entry point (``run``, ``demo``, ``simulate``, the tests)
and handed to whatever needs the engine; nothing is created at import time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from compensator.clock import Clock, SteadyClock
from compensator.report.ready import ReadyReports
from compensator.services.catalog import sync_catalog
from compensator.services.clock_steps import resume as resume_business_time
from compensator.services.counter.board import BoardMemo
from compensator.settings import Settings
from compensator.store import migrate
from compensator.store.database import UnitOfWork, make_engine, make_session_factory
from compensator.store.health import DatabaseHealth, DatabaseUnusable, unusable_message


@dataclass
class Compensator:
    """The engine's runtime: where its data lives and what time it is."""

    settings: Settings
    clock: Clock
    engine: Engine
    session_factory: sessionmaker[Session]
    # Closed days' reports as rendered, served again while nothing they were built from changed.
    reports: ReadyReports = field(default_factory=ReadyReports, repr=False, compare=False)
    # The last seat board worked out, which the next reading of the board reuses where it holds.
    board_memo: BoardMemo = field(default_factory=BoardMemo, repr=False, compare=False)
    # Whether the database can be used now (``store.health``): lost, its disk full, or well.
    health: DatabaseHealth = field(default_factory=DatabaseHealth, repr=False, compare=False)

    @classmethod
    def open(cls, settings: Settings, *, clock: Clock | None = None, database_url: str | None = None,
             upgrade: bool = True) -> Compensator:
        """Connect to the configured database, migrate it and mirror the seats into it."""
        url = database_url or settings.database.url
        engine = make_engine(url)
        runtime = cls(settings, clock or SteadyClock(), engine, make_session_factory(engine))
        if upgrade:
            try:
                migrate.upgrade(engine)
                with runtime.unit_of_work() as uow:
                    sync_catalog(uow)
            except Exception as error:
                # A database that is down, damaged or on a full disk is said in one line, not a traceback.
                message = unusable_message(url, error)
                if message is None:
                    raise
                engine.dispose()
                raise DatabaseUnusable(message) from error
        if upgrade and isinstance(runtime.clock, SteadyClock):
            # Business time never starts behind what is written already, nor leaps over time that did
            # not pass while the server was stopped; a step found is recorded by the scheduler.
            with runtime.reading() as uow:
                resume_business_time(uow, runtime.clock)
        return runtime

    def unit_of_work(self) -> UnitOfWork:
        """A new unit of work; use it as a context manager and call ``commit()`` to keep changes."""
        return UnitOfWork(self.session_factory, self.clock, self.settings, health=self.health)

    def reading(self) -> UnitOfWork:
        """A new read-only unit of work: on SQLite it never waits for the write lock, and it refuses writes."""
        return UnitOfWork(self.session_factory, self.clock, self.settings, read_only=True, health=self.health)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
