"""Backups as the venue sees them: where they go, the nightly one after closing time, and pruning.

The copying itself is the store's (``store.backup``); this decides the file: nightly backups
are named by the venue's local day and the oldest beyond ``backups.keep`` are deleted, while a
backup made by hand gets the minute it was made and is never pruned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from compensator.settings import Settings
from compensator.store import backup as store_backup
from compensator.store.database import UnitOfWork, data_directory, insert_unless_present, sqlite_file
from compensator.store.operations import IdempotencyRecord

# The claim of a night's backup among the servers sharing one PostgreSQL database, kept as a
# key of the scheduler's (pruned with the other keys after a week).
NIGHTLY_CLAIM_ACTOR = "scheduler"
NIGHTLY_CLAIM_PREFIX = "nightly-backup:"


@dataclass(frozen=True, slots=True)
class NightlyBackup:
    """The nightly backup written, and the older ones deleted to keep the configured number."""

    written: store_backup.BackupFile
    pruned: tuple[Path, ...]


def backup_directory(settings: Settings, database_url: str) -> Path:
    """The folder of the backups: ``backups.directory``, relative to the data folder (the SQLite database's)."""
    directory = Path(settings.backups.directory)
    return directory if directory.is_absolute() else data_directory(database_url) / directory


def manual_backup_path(settings: Settings, database_url: str, now: datetime) -> Path:
    """Where a backup made by hand goes when no path is given: the backups folder, named by the local minute."""
    local = now.astimezone(settings.venue.tz)
    name = f"compensator-manual-{local:%Y-%m-%dT%H%M%S}{store_backup.suffix_for(database_url)}"
    return backup_directory(settings, database_url) / name


def nightly_backup(settings: Settings, database_url: str, now: datetime) -> NightlyBackup:
    """Back up the database as tonight's backup, then keep only the newest ``backups.keep``."""
    directory = backup_directory(settings, database_url)
    day = now.astimezone(settings.venue.tz).date()
    written = store_backup.backup(database_url, store_backup.nightly_path(directory, day, database_url))
    pruned = store_backup.prune(directory, settings.backups.keep, database_url)
    return NightlyBackup(written, tuple(pruned))


def claim_nightly_backup(uow: UnitOfWork, database_url: str) -> bool:
    """Whether this server makes tonight's backup: always on SQLite (one server per file), on
    PostgreSQL only the first server whose claim of the night commits (counters share it by design)."""
    if sqlite_file(database_url) is not None:
        return True
    now = uow.now()
    day = now.astimezone(uow.settings.venue.tz).date()
    claimed = insert_unless_present(uow.db, IdempotencyRecord.__table__, {
        "actor": NIGHTLY_CLAIM_ACTOR, "key": f"{NIGHTLY_CLAIM_PREFIX}{day.isoformat()}", "fingerprint": "",
        "status": None, "body": None, "created_at": now})
    uow.commit()
    return claimed
