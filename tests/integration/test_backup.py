"""Backups and restores: taken while the server writes, checked before use, migrated after, pruned nightly."""

from __future__ import annotations

import sqlite3
import stat
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from compensator.cli import main
from compensator.runtime import Compensator
from compensator.scheduler import BACKUP_JOB, back_up_tonight, build_scheduler
from compensator.services.backups import backup_directory, nightly_backup
from compensator.services.counter.alerts import AlertBoard
from compensator.services.sessions import use_cases as sessions
from compensator.store import backup as store_backup
from compensator.store import migrate
from compensator.store.database import make_engine
from compensator.store.models import LedgerEntry
from tests.conftest import POSTGRES_ADMIN_URL, make_settings

ACTOR = "attendant:ada"


def write_while_backing_up(uow, database_url: str, out: Path) -> tuple[set[int], int]:
    """Extend a session over and over in a thread and back up meanwhile; the entry ids acknowledged
    before the backup began, and how many writes were acknowledged in all."""
    with uow() as unit:
        session_id = sessions.start_session(unit, seat_id="A1", minutes=30, actor=ACTOR).id
    acknowledged: list[int] = []
    stop = threading.Event()
    enough = threading.Event()

    def write() -> None:
        while not stop.is_set():
            with uow() as unit:
                view = sessions.extend_session(unit, session_id, minutes=1, actor=ACTOR)
            acknowledged.append(view.entries[-1].id)
            if len(acknowledged) >= 20:
                enough.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert enough.wait(30)
        before = set(acknowledged)
        store_backup.backup(database_url, out)
        # Writes go on after the copy too, which the backup may or may not hold.
        extra = len(acknowledged) + 10
        for _ in range(500):
            if len(acknowledged) >= extra:
                break
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join(30)
    return before, len(acknowledged)


def entry_ids(database_url: str) -> set[int]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return set(connection.scalars(select(LedgerEntry.id)))
    finally:
        engine.dispose()


def test_a_sqlite_backup_taken_during_writes_restores_every_acknowledged_write(uow, database_url, tmp_path) -> None:
    out = tmp_path / "backups" / "during-load.db"
    before, total = write_while_backing_up(uow, database_url, out)
    assert total > len(before)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not list(out.parent.glob(".*partial"))
    fresh = f"sqlite:///{(tmp_path / 'fresh' / 'restored.db').as_posix()}"
    assert store_backup.restore(fresh, out) == migrate.head_revision()
    restored = entry_ids(fresh)
    assert before <= restored
    with sqlite3.connect(tmp_path / "fresh" / "restored.db") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.fixture
def spare_postgres():
    """An empty PostgreSQL database to restore into, dropped afterwards."""
    name = f"compensator_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:  # noqa: BLE001 - no server: the test is skipped like every PostgreSQL test
        admin.dispose()
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_postgres_dump_taken_during_writes_restores_every_acknowledged_write(
        uow, database_url, spare_postgres, tmp_path) -> None:
    out = tmp_path / "during-load.dump"
    before, _ = write_while_backing_up(uow, database_url, out)
    assert store_backup.restore(spare_postgres, out) == migrate.head_revision()
    assert before <= entry_ids(spare_postgres)


def test_a_restore_over_a_database_with_data_needs_force(uow, database_url, tmp_path) -> None:
    with uow() as unit:
        sessions.start_session(unit, seat_id="A2", minutes=30, actor=ACTOR)
    out = tmp_path / "one.db"
    store_backup.backup(database_url, out)
    with pytest.raises(store_backup.BackupError, match="already holds data.*--force"):
        store_backup.restore(database_url, out)
    assert store_backup.restore(database_url, out, force=True) == migrate.head_revision()


def test_a_file_that_is_not_a_whole_backup_is_refused_before_anything_is_touched(tmp_path) -> None:
    target = f"sqlite:///{(tmp_path / 'target.db').as_posix()}"
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(store_backup.BackupError, match="not a SQLite backup"):
        store_backup.restore(target, junk)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    with pytest.raises(store_backup.BackupError, match="not a Compensator backup"):
        store_backup.restore(target, other)
    with pytest.raises(store_backup.BackupError, match="no such backup file"):
        store_backup.restore(target, tmp_path / "missing.db")
    assert not (tmp_path / "target.db").exists()


def test_an_empty_file_is_refused_as_empty(tmp_path) -> None:
    target = f"sqlite:///{(tmp_path / 'target.db').as_posix()}"
    empty = tmp_path / "compensator-2026-12-07.db"
    empty.touch()
    with pytest.raises(store_backup.BackupError, match=r"the file is empty \(0 bytes\)"):
        store_backup.restore(target, empty)
    assert not (tmp_path / "target.db").exists()


def test_backups_made_at_once_to_the_same_file_never_collide(runtime, database_url, tmp_path) -> None:
    out = tmp_path / "backups" / "same.db"
    outcomes: list[object] = []

    def back_up() -> None:
        try:
            outcomes.append(store_backup.backup(database_url, out))
        except Exception as error:  # noqa: BLE001 - the test counts what each backup came to
            outcomes.append(error)

    for _ in range(5):
        threads = [threading.Thread(target=back_up) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert all(isinstance(outcome, store_backup.BackupFile) and outcome.size_bytes > 0 for outcome in outcomes), \
        outcomes
    assert len(outcomes) == 15
    # The last one renamed is whole, and no partial file is left behind.
    store_backup.check_backup(database_url, out)
    assert sorted(path.name for path in out.parent.iterdir()) == ["same.db"]


def test_an_older_backup_is_migrated_to_this_versions_schema(tmp_path) -> None:
    old = f"sqlite:///{(tmp_path / 'old.db').as_posix()}"
    engine = make_engine(old)
    migrate.upgrade(engine, "0006")
    engine.dispose()
    store_backup.backup(old, tmp_path / "old-backup.db")
    fresh = f"sqlite:///{(tmp_path / 'new.db').as_posix()}"
    assert store_backup.restore(fresh, tmp_path / "old-backup.db") == migrate.head_revision()


def test_the_nightly_backup_is_named_by_the_local_day_and_keeps_the_newest(runtime, clock, database_url) -> None:
    settings = make_settings(backups={"directory": "nightly", "keep": 3})
    directory = backup_directory(settings, database_url)
    assert directory == Path(store_backup.sqlite_path(database_url)).resolve().parent / "nightly"
    directory.mkdir()
    for days_ago in range(1, 6):
        day = clock.now().date() - timedelta(days=days_ago)
        (directory / f"compensator-{day.isoformat()}.db").write_bytes(b"old")
    (directory / "compensator-manual-2026-01-01T1200.db").write_bytes(b"by hand")
    made = nightly_backup(settings, database_url, clock.now())
    assert made.written.path.name == f"compensator-{clock.now().date().isoformat()}.db"
    kept = sorted(path.name for path in directory.iterdir())
    assert len(made.pruned) == 3
    assert kept == sorted([made.written.path.name, "compensator-manual-2026-01-01T1200.db",
                           *(f"compensator-{(clock.now().date() - timedelta(days=n)).isoformat()}.db" for n in (1, 2))])


def test_the_nightly_backup_job_is_registered_and_a_failure_is_only_logged(runtime, caplog) -> None:
    assert build_scheduler(runtime, AlertBoard()).get_job(BACKUP_JOB) is not None
    broken = Compensator.open(make_settings(backups={"directory": "/proc/cannot-write-here"}),
                              clock=runtime.clock, database_url=runtime.engine.url.render_as_string(hide_password=False))
    try:
        assert back_up_tonight(broken) is None
    finally:
        broken.close()
    assert "nightly backup failed" in caplog.text


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_servers_sharing_a_postgres_database_make_the_nights_backup_once(runtime, settings, clock, database_url,
                                                                         tmp_path) -> None:
    shared = make_settings(backups={"directory": str(tmp_path / "backups")})
    servers = [Compensator.open(shared, clock=clock, database_url=database_url, upgrade=False) for _ in range(2)]
    try:
        made = [back_up_tonight(server) for server in servers]
        # The next night is a night of its own.
        clock.advance(timedelta(days=1))
        next_night = [back_up_tonight(server) for server in reversed(servers)]
    finally:
        for server in servers:
            server.close()
    assert made[0] is not None and made[1] is None
    assert next_night[0] is not None and next_night[1] is None
    assert len(list((tmp_path / "backups").glob("compensator-*.dump"))) == 2


def test_backup_and_restore_from_the_command_line(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "config.yaml"
    config.write_text(Path(__file__).resolve().parents[2].joinpath("config.yaml").read_text(encoding="utf-8"))
    monkeypatch.setenv("COMPENSATOR_DATABASE_URL", f"sqlite:///{(tmp_path / 'venue.db').as_posix()}")
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    assert main(["backup", "--config", str(config)]) == 0
    (made,) = (tmp_path / "backups").glob("compensator-manual-*.db")
    assert main(["restore", str(made), "--config", str(config)]) == 2
    assert "already holds data" in capsys.readouterr().err
    assert main(["restore", str(made), "--force", "--config", str(config)]) == 0
    assert main(["restore", str(tmp_path / "nope.db"), "--force", "--config", str(config)]) == 2
    assert "no such backup file" in capsys.readouterr().err


def test_a_backup_of_an_in_memory_database_is_refused_plainly() -> None:
    with pytest.raises(store_backup.BackupError, match="in-memory"):
        store_backup.backup("sqlite://", Path("never.db"))


@pytest.mark.parametrize(("section", "message"), [
    ({"keep": 0}, "backups.keep:"), ({"keep": "many"}, "backups.keep:"), ({"directory": ""}, "backups.directory:"),
    ({"kept": 3}, "backups.kept:"),
])
def test_bad_backup_settings_name_their_key(section, message) -> None:
    from compensator.config import ConfigError

    with pytest.raises(ConfigError) as raised:
        make_settings(backups=section)
    assert any(problem.startswith(message) for problem in raised.value.problems), raised.value.problems


def test_the_default_is_fourteen_nightly_backups_beside_the_database() -> None:
    settings = make_settings()
    assert (settings.backups.directory, settings.backups.keep) == ("backups", 14)
