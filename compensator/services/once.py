"""Exactly once for every mutation: a client-chosen key claimed in the same transaction as its effect.

Every entry point (the JSON API's ``Idempotency-Key`` header, the key each dashboard form
carries) hands its key to ``run_once`` with the use case to run. Inside one unit of work the key
is claimed first, by an INSERT that waits while a twin holding the same key is still in its
transaction; then the use case runs, its answer (status and body, as the caller renders it) is
stored in the key's row, and one commit makes the effect and the answer permanent together.

So a retry finds the first answer and returns it unchanged, with no second effect; copies racing
with one key queue on the key and all get the winner's answer; a crash before the commit leaves
neither the effect nor the key, and the retry simply runs. A refusal the user caused (a busy
seat, a bad field) is an answer too: the use case's writes are rolled back to a savepoint and
the refusal is kept under the key, so a retry hears the same thing. The same key sent with
another request is refused as ``idempotency_conflict``. A fault outside the program (the receipt
printer off) is not kept: the key is released with the rollback, and a retry tries again. Keys
belong to one actor and are kept for ``KEEP``, then pruned by the scheduler.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, delete, select

from compensator.errors import DomainError, IdempotencyConflict, InvalidInput
from compensator.store.database import UnitOfWork, insert_unless_present
from compensator.store.operations import IdempotencyRecord

KEEP = timedelta(days=7)
MAX_KEY_LENGTH = 100
KEY_FIELD = "Idempotency-Key"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Answer:
    """What a mutation answered: a status and a JSON-compatible body; ``replayed`` for a retry."""

    status: int
    body: Any
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class RequestKey:
    """A key as its actor sent it, with a fingerprint of the request it came with."""

    actor: str
    key: str
    fingerprint: str


def request_key(actor: str, given: str | None, *, operation: str, payload: Mapping[str, Any]) -> RequestKey | None:
    """The key of a request (None when it has none); ``operation`` and ``payload`` say what was asked."""
    if given is None:
        return None
    key = given.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInput(f"{KEY_FIELD} must be 1 to {MAX_KEY_LENGTH} printable characters", field=KEY_FIELD)
    canonical = json.dumps({"operation": operation, "payload": payload}, sort_keys=True, default=str)
    return RequestKey(actor, key, hashlib.sha256(canonical.encode("utf-8")).hexdigest())


def run_once(uow: UnitOfWork, key: RequestKey | None, action: Callable[[UnitOfWork], T],
             answer: Callable[[T], Answer], refusal: Callable[[DomainError], Answer]) -> Answer:
    """Run ``action`` once per key and return its answer, or the answer the key already has.

    Without a key the action simply runs (and a refusal is raised as usual). ``answer`` renders
    a result and ``refusal`` a domain error; both run inside the transaction, before the commit.
    """
    if key is None:
        return answer(action(uow))
    stored = _claim(uow, key)
    if stored is not None:
        return stored
    savepoint = uow.db.begin_nested()
    with uow.commit_held():
        try:
            reply = answer(action(uow))
        except DomainError as error:
            if not error.kept_for_retries:
                # Raised past the key's claim, so the unit of work rolls both back and a retry runs.
                raise
            # Nothing of a refused request stays, but the refusal itself is the answer to keep.
            savepoint.rollback()
            reply = refusal(error)
    record = uow.db.get(IdempotencyRecord, (key.actor, key.key))
    assert record is not None
    record.status, record.body = reply.status, reply.body
    uow.commit()
    return reply


def _claim(uow: UnitOfWork, key: RequestKey) -> Answer | None:
    """Claim ``key`` for this unit of work, or return the answer it already has."""
    claimed = insert_unless_present(uow.db, IdempotencyRecord.__table__, {
        "actor": key.actor, "key": key.key, "fingerprint": key.fingerprint, "created_at": uow.now()})
    if claimed:
        return None
    row = uow.db.execute(select(IdempotencyRecord.fingerprint, IdempotencyRecord.status, IdempotencyRecord.body)
                         .where(IdempotencyRecord.actor == key.actor, IdempotencyRecord.key == key.key)).one()
    # The first request's transaction has ended; this one only read, so it ends here too.
    uow.db.rollback()
    if row.fingerprint != key.fingerprint:
        raise IdempotencyConflict(f"this {KEY_FIELD} was used for a different request", field=KEY_FIELD)
    # A key is only ever committed together with its answer.
    assert row.status is not None
    return Answer(row.status, row.body, replayed=True)


def prune(uow: UnitOfWork, *, now: datetime | None = None) -> int:
    """Forget the keys older than ``KEEP``; return how many were removed."""
    cutoff = (now or uow.now()) - KEEP
    # A DELETE's result is a CursorResult, with its row count, though Session.execute's type
    # promises only a Result (SQLAlchemy's changelog for 2.0.44 says to cast it).
    result = uow.db.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff))
    removed = cast(CursorResult[Any], result).rowcount
    uow.commit()
    return removed
