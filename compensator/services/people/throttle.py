"""The login throttle: failed logins counted per (name, address) and per address, in the database.

Counting per name alone would let anyone at a seat PC lock the manager out by typing wrong PINs
under the manager's name; counting per (name, address) blocks that guesser only, and the
per-address limit stops one machine trying many names. The failures are rows, so the throttle
survives a restart and is the same for every counter on one database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from compensator.store.database import UnitOfWork
from compensator.store.operations import LoginFailure

MAX_FAILURES_PER_NAME_AND_ADDRESS = 5
MAX_FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = timedelta(minutes=5)
ADDRESS_LENGTH = 64
NAME_LENGTH = 64


@dataclass(frozen=True, slots=True)
class Lockout:
    """Why a login must wait, and until when."""

    until: datetime

    def wait_minutes(self, now: datetime) -> int:
        """Whole minutes left to wait, at least one."""
        return max(1, math.ceil((self.until - now).total_seconds() / 60))


def _keys(name: str, address: str) -> tuple[str, str]:
    return name.strip().lower()[:NAME_LENGTH], address[:ADDRESS_LENGTH]


def lockout(uow: UnitOfWork, *, name: str, address: str) -> Lockout | None:
    """The lock-out in force for ``name`` from ``address``, if any, with when it lifts."""
    name_key, address_key = _keys(name, address)
    # A locked-out attempt is refused before it is counted, so these are a few rows at most.
    from_address = list(uow.db.execute(
        select(LoginFailure.at, LoginFailure.name_key)
        .where(LoginFailure.address == address_key, LoginFailure.at > uow.now() - FAILURE_WINDOW)
        .order_by(LoginFailure.at)).tuples())
    for times, limit in (([at for at, key in from_address if key == name_key], MAX_FAILURES_PER_NAME_AND_ADDRESS),
                         ([at for at, _ in from_address], MAX_FAILURES_PER_ADDRESS)):
        if len(times) >= limit:
            # It lifts when enough failures have left the window to bring the count under the limit.
            return Lockout(times[len(times) - limit] + FAILURE_WINDOW)
    return None


def record_failure(uow: UnitOfWork, *, name: str, address: str) -> None:
    """Count one failed login, forgetting those that have left the window, and commit."""
    name_key, address_key = _keys(name, address)
    now = uow.now()
    uow.db.execute(delete(LoginFailure).where(LoginFailure.at <= now - FAILURE_WINDOW))
    uow.db.add(LoginFailure(name_key=name_key, address=address_key, at=now))
    uow.commit()


def record_success(uow: UnitOfWork, *, name: str, address: str) -> None:
    """Forget the failures of ``name`` from ``address`` once it logged in there, and commit."""
    name_key, address_key = _keys(name, address)
    uow.db.execute(delete(LoginFailure).where(LoginFailure.name_key == name_key, LoginFailure.address == address_key))
    uow.commit()
