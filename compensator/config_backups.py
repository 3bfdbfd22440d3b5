"""The ``backups:`` section of ``config.yaml`` (SPEC appendix A): the nightly backup's folder and how many to keep."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compensator.config_values import text_value, whole_number
from compensator.settings import BackupSettings

BACKUP_KEYS = ("directory", "keep")
# A year of nightly backups is the most any venue has asked to keep; fewer than one is no backup.
MAX_KEPT = 366


def parse_backups(data: Mapping[str, Any], problems: list[str]) -> BackupSettings:
    """The backup settings from their section, adding a problem for each bad key."""
    defaults = BackupSettings()
    directory = text_value(data, "directory", "backups", problems, default=defaults.directory, maximum=1000)
    keep = whole_number(data, "keep", "backups", problems, default=defaults.keep, minimum=1, maximum=MAX_KEPT)
    return BackupSettings(directory or defaults.directory, keep or defaults.keep)
