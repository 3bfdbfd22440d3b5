"""The ``backup`` and ``restore`` commands: a consistent copy of the venue's data, and putting one back.

``backup`` is safe while the server runs. ``restore`` checks the file first, refuses to replace
a database that already holds data unless ``--force`` is given (stop the server first), and
migrates the restored database to this version's schema.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from compensator.cli.common import EXIT_OK, CommandError
from compensator.clock import SystemClock
from compensator.config import load_settings


def cmd_backup(args: argparse.Namespace) -> int:
    """Write a backup of the database, to ``--out`` or into the backups folder."""
    # Imported here, as in each command that opens the database: ``--help`` loads none of it.
    from compensator.services.backups import manual_backup_path
    from compensator.store import backup as store_backup

    settings = load_settings(args.config)
    url = settings.database.url
    out = Path(args.out) if args.out else manual_backup_path(settings, url, SystemClock().now())
    try:
        made = store_backup.backup(url, out)
    except (store_backup.BackupError, OSError) as error:
        raise CommandError(str(error)) from None
    print(f"backup written to {made.path} ({made.size_bytes} bytes)")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the database with a backup, then migrate it."""
    from compensator.store import backup as store_backup

    settings = load_settings(args.config)
    try:
        revision = store_backup.restore(settings.database.url, Path(args.path), force=args.force)
    except (store_backup.BackupError, OSError) as error:
        raise CommandError(str(error)) from None
    print(f"restored {args.path}; database at revision {revision}")
    return EXIT_OK


def add_backup_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Register ``backup`` and ``restore`` on the ``compensator`` command."""
    backup = commands.add_parser("backup", parents=[common], help="back up the database into one file")
    backup.add_argument("--out", metavar="PATH", default=None,
                        help="the backup file (default: the backups folder, named by the time)")
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser("restore", parents=[common], help="replace the database with a backup")
    restore.add_argument("path", metavar="PATH")
    restore.add_argument("--force", action="store_true",
                         help="replace a database that already holds data (stop the server first)")
    restore.set_defaults(handler=cmd_restore)
