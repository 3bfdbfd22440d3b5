"""Shared fixtures: a known venue, a fake clock, an engine runtime on a real database, the known day, the web app.

Integration tests run on a real SQLite file; those marked to use ``database_url`` with the
``postgresql`` parameter run against the PostgreSQL server on 127.0.0.1:5432 too.
"""

from __future__ import annotations

import copy
import functools
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text

from compensator import security
from compensator.clock import FakeClock
from compensator.config import parse_settings
from compensator.settings import Settings
from tests.support.budgets import CI_MAX_EXAMPLES, DEV_MAX_EXAMPLES
from web.catalogues import compile_stale

# The engine, its store and the web app are imported by the fixtures that need them, so that the
# unit tests, which need none of them, start quickly.
if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient

    from compensator.runtime import Compensator

# The random simulation asserts its invariants in helper modules; pytest rewrites only test
# modules' asserts unless told, and a failure should show the values compared there too.
pytest.register_assert_rewrite("tests.support.random_darkness", "tests.support.random_requests",
                               "tests.support.random_steps", "tests.support.random_world")

# Property tests try their whole budgets under the ci profile (``make test``, and so CI) and a tenth
# of them under dev, the default for a quick run on a developer's machine; HYPOTHESIS_PROFILE chooses.
hypothesis_settings.register_profile("ci", max_examples=CI_MAX_EXAMPLES)
hypothesis_settings.register_profile("dev", max_examples=DEV_MAX_EXAMPLES)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

VENUE: dict[str, Any] = {
    "venue": {
        "name": "Bright Star Cyber Café",
        "timezone": "Africa/Lagos",
        "currency": "NGN",
        "languages": ["en", "fr", "pcm"],
        "closing_time": "22:00",
    },
    "zones": [
        {"id": "standard", "name": "Standard", "price_minor_per_hour": 30000, "ups_minutes": 10},
        {"id": "gaming", "name": "Gaming", "price_minor_per_hour": 60000, "ups_minutes": 0},
    ],
    "seats": [{"id": "A1-A12", "zone": "standard"}, {"id": "G1-G6", "zone": "gaming"}],
}
# 13:00 UTC is 14:00 in Lagos.
START = datetime(2026, 11, 22, 13, 0, tzinfo=UTC)
POSTGRES_ADMIN_URL = os.environ.get("COMPENSATOR_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def make_settings(**overrides: Any) -> Settings:
    """Settings for the test venue with top-level sections replaced or added."""
    data = copy.deepcopy(VENUE)
    data.update(overrides)
    return parse_settings(data, environ={})


TESTS = Path(__file__).resolve().parent
# Each folder under tests/ is a tier, and the tier's name is the marker of every test in it.
TIERS = ("unit", "integration", "web", "system")
# The fixtures that start something a quick run leaves out, and the marker each gives its tests.
MARKING_FIXTURES = {"nut": "nut", "crash_run": "crash", "faketime": "faketime", "own_postgres": "fault",
                    "small_disk": "fault", "fault_venue": "fault"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier, and as browser, nut, crash, faketime, fault or postgres where it drives or starts one."""
    for item in items:
        tier = item.path.relative_to(TESTS).parts[0]
        if tier not in TIERS:
            raise pytest.UsageError(f"{item.nodeid}: a test lives in the folder of its tier, one of {', '.join(TIERS)}")
        if tier == "unit" and "database_url" in item.fixturenames:
            raise pytest.UsageError(f"{item.nodeid}: a unit test opens no database; it belongs in tests/integration")
        item.add_marker(tier)
        if item.path.parent.name == "browser":
            item.add_marker("browser")
        for fixture, marker in MARKING_FIXTURES.items():
            if fixture in item.fixturenames:
                item.add_marker(marker)
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("database_url") == "postgresql":
            item.add_marker("postgres")


@pytest.fixture(autouse=True)
def cheap_pin_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """PINs hashed at a tiny scrypt cost, except in the tests marked ``real_hashing``.

    A hash names the cost it was made at, so verifying it is unchanged; a server the tests start
    in a process of its own hashes at the real cost.
    """
    if request.node.get_closest_marker("real_hashing") is None:
        monkeypatch.setattr(security, "SCRYPT_N", 2**4)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the pages' catalogues from their sources, as an install does (an edited ``.po`` is recompiled).

    Under pytest-xdist the controller compiles them before any worker starts, so that no worker
    reads a file another is writing.
    """
    if not hasattr(session.config, "workerinput"):
        compile_stale()


@pytest.fixture
def settings() -> Settings:
    """The test venue's settings."""
    return make_settings()


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at 14:00 Lagos time on 2026-11-22."""
    return FakeClock(START)


def _postgres_available() -> bool:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure to connect means "not available"
        return False


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped at the end."""
    if not _postgres_available():
        if os.environ.get("COMPENSATOR_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required but not reachable at {POSTGRES_ADMIN_URL}")
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    name = f"compensator_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@functools.cache
def _newest_schema() -> tuple[str | None, frozenset[str]]:
    """The newest revision and its tables: the models' (test_store.py holds them equal) and Alembic's."""
    from compensator.store import migrate, models, operations

    return migrate.head_revision(), frozenset({*models.Base.metadata.tables, *operations.Base.metadata.tables,
                                               "alembic_version"})


def _empty_postgres(url: str) -> None:
    """Leave the database at the newest revision with no rows, as migrating an empty schema does, but faster.

    The migrations write no rows of their own, so deleting every row and restarting the id
    sequences leaves what they leave. The append-only guards are triggers, which do not fire for a
    session in the replica role, which only a superuser may take. A database at another revision or
    with other tables, or reached as another user, loses its schema instead, for the runtime to
    migrate afresh.
    """
    revision, tables = _newest_schema()
    engine = create_engine(url)
    with engine.begin() as connection:
        present = set(connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
        at = (connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
              if "alembic_version" in present else None)
        superuser = connection.execute(text("SELECT current_setting('is_superuser')")).scalar_one() == "on"
        reusable = present == tables and at == revision and superuser
        if reusable:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            for table in sorted(tables - {"alembic_version"}):
                connection.execute(text(f'DELETE FROM "{table}"'))
            sequences = connection.execute(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"))
            for sequence in sequences.scalars().all():
                connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
    engine.dispose()
    if not reusable:
        _reset_postgres(url)


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL for one test: a SQLite file, or a PostgreSQL database emptied for it.

    On PostgreSQL a test that opens the runtime finds the tables of the newest revision with no
    rows; a test on the bare database (a migration test) finds no table at all.
    """
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
        if "runtime" in request.fixturenames:
            _empty_postgres(url)
        else:
            _reset_postgres(url)
        return url
    return f"sqlite:///{(tmp_path / 'compensator.db').as_posix()}"


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the newest revision once for the whole run."""
    from compensator.store import migrate
    from compensator.store.database import make_engine

    path = tmp_path_factory.mktemp("migrated") / "compensator.db"
    engine = make_engine(f"sqlite:///{path.as_posix()}")
    migrate.upgrade(engine)
    # Closing the last connection copies the write-ahead log into the file and removes it.
    engine.dispose()
    return path


@pytest.fixture
def runtime(settings: Settings, clock: FakeClock, database_url: str,
            request: pytest.FixtureRequest) -> Iterator[Compensator]:
    """An engine runtime on a migrated database with the test venue's seats."""
    from compensator.runtime import Compensator
    from compensator.store.database import sqlite_file

    # A new SQLite file starts as a copy of the one migrated for the run: opening the runtime finds
    # it at the newest revision, so that only the seats are written, as a restart does.
    path = sqlite_file(database_url)
    if path is not None and not path.exists():
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
    engine_runtime = Compensator.open(settings, clock=clock, database_url=database_url)
    yield engine_runtime
    engine_runtime.close()


@pytest.fixture
def uow(runtime: Compensator) -> Callable[[], Any]:
    """A factory of units of work on the test runtime."""
    return runtime.unit_of_work


@pytest.fixture
def known_day(uow: Callable[[], Any], clock: FakeClock) -> Any:
    """The report of the known day told in ``tests/support/known_day.py``, read at 17:30 while the day is open."""
    from tests.support.known_day import report_of_the_known_day

    return report_of_the_known_day(uow, clock)


def insert_one_seat(connection: Any, seat_id: str = "A1") -> None:
    """Insert, in raw SQL for a database at an earlier revision, one zone ``z`` and one seat on it."""
    connection.execute(text("INSERT INTO zones (id, name, price_minor_per_hour, ups_minutes, retired) "
                            "VALUES ('z', 'Z', 100, 0, false)"))
    connection.execute(text("INSERT INTO seats (id, label, zone_id, retired) VALUES (:id, :id, 'z', false)"),
                       {"id": seat_id})


def power_cut_over(uow: Callable[[], Any], clock: FakeClock, sessions_minutes: dict[str, int], *,
                   after_minutes: int, lasting_minutes: int, actor: str = "test") -> tuple[Any, dict[str, int]]:
    """Start a session per seat, cut the power after a while, bring it back; the ended outage and session ids."""
    from compensator.services.outages import use_cases as outages
    from compensator.services.sessions import use_cases as sessions

    session_ids = {}
    for seat, minutes in sessions_minutes.items():
        with uow() as unit:
            session_ids[seat] = sessions.start_session(unit, seat_id=seat, minutes=minutes, actor=actor).id
    clock.advance(minutes=after_minutes)
    with uow() as unit:
        outage = outages.start_outage(unit, actor=actor)
    clock.advance(minutes=lasting_minutes)
    with uow() as unit:
        return outages.end_outage(unit, outage.id, actor=actor), session_ids


def log_in_cookie(client: Any, name: str, role: str = "attendant", csrf_token: str = "t") -> None:
    """Put a logged-in cookie session for ``name`` on a Flask test client, as logging in does.

    The person is added (PIN 1234) when missing: a cookie only stands for someone in the database.
    """
    from compensator.services.people.accounts import add_attendant, list_attendants

    with client.application.extensions["compensator"].unit_of_work() as unit:
        person = next((item for item in list_attendants(unit) if item.name == name), None)
        if person is None:
            person = add_attendant(unit, name=name, role=role, pin="1234", actor="test")
    with client.session_transaction() as cookie_session:
        cookie_session.update(attendant=person.name, role=person.role.value, attendant_id=person.id,
                              session_version=person.session_version, csrf_token=csrf_token)


@pytest.fixture
def app(runtime: Compensator) -> Flask:
    """The dashboard and API on the test runtime, as a Flask app in testing mode."""
    from web import create_app

    return create_app(runtime, {"TESTING": True, "SECRET_KEY": "test"})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app, logged in as nobody."""
    return app.test_client()


@pytest.fixture
def dashboard(client: FlaskClient) -> FlaskClient:
    """The test client logged in as the attendant ada, whose forms carry the CSRF token "t"."""
    log_in_cookie(client, "ada")
    return client


@pytest.fixture
def add_person(uow: Callable[[], Any]) -> Callable[..., Any]:
    """A factory of people at the counter: an attendant with PIN 1234, added by "test", unless told otherwise."""
    from compensator.services.people.accounts import add_attendant

    def add(name: str, **fields: Any) -> Any:
        fields.setdefault("role", "attendant")
        fields.setdefault("pin", "1234")
        fields.setdefault("actor", "test")
        with uow() as unit:
            return add_attendant(unit, name=name, **fields)

    return add


@pytest.fixture
def token(uow: Callable[[], Any]) -> str:
    """The secret of a device token, as a second counter PC holds it."""
    from compensator.services.people.accounts import create_token

    with uow() as unit:
        return create_token(unit, name="counter-2", actor="test").secret


@pytest.fixture
def bearer(token: str) -> dict[str, str]:
    """The header that sends the device token."""
    return {"Authorization": f"Bearer {token}"}
