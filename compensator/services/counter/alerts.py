"""Short-lived alerts for the dashboard (a session is nearly up), kept in this process's memory.

Alerts matter only while they are fresh, so they are not stored: a restarted server simply
raises them again on the scheduler's next run. The scheduler publishes, the dashboard reads
with ``since`` the id of the last alert it has shown.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_ALERTS = 200
# Keys are remembered longer than alerts are kept, so an alert that has scrolled off the
# list is not raised a second time.
MAX_KEYS = 5000


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert: a numbered message about a seat."""

    id: int
    seat_id: str
    message: str
    at: datetime
    key: str = ""
    # When what it says stops being true (the paid time ends), if known: it is not shown after.
    expires_at: datetime | None = None
    # What a page in another language rewords the message from.
    remaining_minutes: int | None = None


class AlertBoard:
    """A bounded, thread-safe list of recent alerts, each published at most once per key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._alerts: deque[Alert] = deque(maxlen=MAX_ALERTS)
        self._keys: dict[str, None] = {}
        self._numbers = itertools.count(1)

    def publish(self, key: str, seat_id: str, message: str, at: datetime,
                expires_at: datetime | None = None, *, remaining_minutes: int | None = None) -> Alert | None:
        """Add an alert unless one with ``key`` was published already; return it if added."""
        with self._lock:
            if key in self._keys:
                return None
            self._keys[key] = None
            if len(self._keys) > MAX_KEYS:
                del self._keys[next(iter(self._keys))]
            alert = Alert(next(self._numbers), seat_id, message, at, key, expires_at, remaining_minutes)
            self._alerts.append(alert)
            return alert

    def fresh(self, now: datetime, within: timedelta) -> list[Alert]:
        """The alerts published less than ``within`` before ``now``, oldest first: a warning that
        five minutes are left is stale once they have passed."""
        with self._lock:
            return [alert for alert in self._alerts if alert.at > now - within
                    and (alert.expires_at is None or alert.expires_at > now)]

    def withdraw_except(self, prefix: str, live_keys: set[str]) -> int:
        """Take down the alerts whose key starts with ``prefix`` but is no longer live; how many.

        A "5 min left" alert whose session was extended, paused or ended is no longer true and goes.
        """
        with self._lock:
            keep = [alert for alert in self._alerts if not alert.key.startswith(prefix) or alert.key in live_keys]
            removed = len(self._alerts) - len(keep)
            self._alerts = deque(keep, maxlen=MAX_ALERTS)
            return removed

    def since(self, alert_id: int = 0) -> list[Alert]:
        """The alerts newer than ``alert_id``, oldest first."""
        with self._lock:
            return [alert for alert in self._alerts if alert.id > alert_id]
