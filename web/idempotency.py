"""Idempotency keys for API mutations that create something (a session, a redeemed voucher).

A retry with the same ``Idempotency-Key`` and the same request returns what the first request
created; the same key with a different request is a conflict. Keys are kept per actor, so two
devices cannot collide. (Starting an outage has its own key handling in the service layer.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import request
from sqlalchemy.exc import IntegrityError

from compensator.errors import IdempotencyConflict, InvalidInput
from compensator.store.models import IdempotencyKey
from web.auth import Actor
from web.context import unit_of_work

MAX_KEY_LENGTH = 100


def _request_hash(payload: dict[str, Any]) -> str:
    canonical = json.dumps({"method": request.method, "path": request.path, "body": payload},
                           sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _known(key: str, request_hash: str, resource_type: str) -> int | None:
    with unit_of_work() as uow:
        row = uow.db.get(IdempotencyKey, key)
        if row is None:
            return None
        if row.request_hash != request_hash or row.resource_type != resource_type:
            raise IdempotencyConflict("this Idempotency-Key was used for a different request")
        return row.resource_id


def replay_or_run(actor: Actor, resource_type: str, payload: dict[str, Any], run: Callable[[], int]) -> int:
    """The id ``run`` creates, or the one a previous request with the same key created."""
    given = request.headers.get("Idempotency-Key")
    if given is None:
        return run()
    if not given.strip() or len(given) > MAX_KEY_LENGTH:
        raise InvalidInput(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters", field="Idempotency-Key")
    key = f"{actor.label}:{given.strip()}"
    request_hash = _request_hash(payload)
    known = _known(key, request_hash, resource_type)
    if known is not None:
        return known
    resource_id = run()
    try:
        with unit_of_work() as uow:
            uow.db.add(IdempotencyKey(key=key, request_hash=request_hash, resource_type=resource_type,
                                      resource_id=resource_id, created_at=uow.now()))
            uow.commit()
    except IntegrityError:
        # A racing twin stored the key first; its resource is the answer for both.
        return _known(key, request_hash, resource_type) or resource_id
    return resource_id
