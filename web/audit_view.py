"""The audit log as a manager reads it: each change's before and after, times in the venue's clock.

Records keep what changed as JSON with UTC times (``2026-11-22T13:18:00+00:00``); shown raw, a
manager in Lagos would read an hour off. Every value that is a time is shown in the venue's
zone and clock style, and each side as ``key: value`` pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from compensator.settings import Settings
from compensator.store.models import AuditRecord
from compensator.timeofday import time_of_day


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One audit record ready for the page."""

    id: int
    at: str
    actor: str
    action: str
    target: str
    before: str
    after: str


def _moment(value: str, settings: Settings) -> str | None:
    """A stored UTC time as the venue's local date and time, or None when ``value`` is no time."""
    if len(value) < 16 or value[4] != "-" or "T" not in value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    local = moment.astimezone(settings.venue.tz)
    return f"{local:%Y-%m-%d} {time_of_day(moment, settings.venue.tz, settings.venue.clock)}"


def _shown(value: Any, settings: Settings) -> str:
    if isinstance(value, str):
        return _moment(value, settings) or value
    if isinstance(value, list):
        return ", ".join(_shown(item, settings) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_shown(item, settings)}" for key, item in value.items())
    return "—" if value is None else str(value)


def audit_row(record: AuditRecord, settings: Settings) -> AuditRow:
    """An audit record with its time, before and after in the venue's local time."""
    return AuditRow(record.id, _shown(record.at.isoformat(), settings), record.actor, record.action,
                    f"{record.target_type} {record.target_id}",
                    _shown(record.before, settings) if record.before else "",
                    _shown(record.after, settings) if record.after else "")
