"""The random simulation's driver: it runs each drawn request plainly, with a key or racing, and retries keys.

Invariant 4 of ``tests.system.test_random_outages`` is checked here: every keyed retry returns the
first answer and changes nothing, and a refusal leaves the database as it was. The requests come
from ``tests.support.random_requests``; the other invariants are checked by ``tests.support.random_world``.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine

from compensator.config import Settings
from compensator.errors import DomainError, IdempotencyConflict
from compensator.services.once import Answer, RequestKey, request_key, run_once
from tests.support.random_requests import Request, answer_for, draw, refusal
from tests.support.random_world import History, Rows, audit_count, check

COPIES = 5
# Seconds to the next step: none, a few, about a minute either side, up to three quarters of an hour.
ADVANCE_SECONDS = (0, 1, 20, 59, 61, 150, 300, 600, 900, 1800, 2700)


# --- keyed requests and races ------------------------------------------------------------------


@dataclass(frozen=True)
class Keyed:
    """A request sent with an idempotency key, and the answer it got the first time."""

    request: Request
    key: RequestKey
    first: Answer


def keyed_call(keyed_request: Request, key: RequestKey) -> Callable[[Any], Answer]:
    """The call of ``run_once`` for ``keyed_request`` under ``key``, in a given unit of work."""
    return lambda unit: run_once(unit, key, keyed_request.run, answer_for(keyed_request), refusal)


def race(uow: Callable[[], Any], call: Callable[[Any], Answer]) -> list[Answer]:
    """Run ``COPIES`` copies of ``call`` at once, each in a thread with its own unit of work; their answers."""
    barrier = threading.Barrier(COPIES)
    answers: list[Answer] = []
    errors: list[BaseException] = []

    def copy() -> None:
        try:
            barrier.wait()
            with uow() as unit:
                answers.append(call(unit))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=copy) for _ in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [], errors
    return answers


# --- the simulation ----------------------------------------------------------------------------


class Simulation:
    """One seeded run: draws steps, runs them plainly or with a key, retries keys, and checks after each step."""

    def __init__(self, seed: int, uow: Callable[[], Any], clock: Any, settings: Settings, engine: Engine) -> None:
        self.rng = random.Random(seed)
        self.uow = uow
        self.clock = clock
        self.settings = settings
        self.rows = Rows(engine)
        self.history = History()
        self.keyed: list[Keyed] = []
        self.world = check(uow, settings, clock.now(), self.history, "start")

    def run(self, steps: int) -> Counter[str]:
        """Run ``steps`` steps; how often each thing happened."""
        for step in range(steps):
            self.clock.advance(seconds=self.rng.choice(ADVANCE_SECONDS))
            request = draw(self.rng, self.world, self.clock.now())
            chance = self.rng.random()
            if chance < 0.45:
                self.plainly(request)
            elif chance < 0.9:
                self.with_key(request, f"step-{step}")
            else:
                self.racing(request, f"step-{step}")
            self.world = check(self.uow, self.settings, self.clock.now(), self.history, request.operation)
            self.retries()
        return self.history.stats + Counter(waived=len(self.history.waived), topups=len(self.history.topups))

    def plainly(self, request: Request) -> None:
        """Run a request without a key; a refusal must change nothing."""
        before = self.rows.snapshot()
        try:
            with self.uow() as unit:
                request.run(unit)
        except DomainError:
            self.history.stats["refused"] += 1
            assert self.rows.snapshot() == before, request
            return
        self.history.stats[request.operation] += 1

    def with_key(self, request: Request, given: str) -> None:
        """Run a request with a key; a refusal keeps only the key (and its answer)."""
        key = request_key(request.actor, given, operation=request.operation, payload=request.payload)
        assert key is not None
        before = self.rows.snapshot(without=["idempotency_records"])
        with self.uow() as unit:
            first = keyed_call(request, key)(unit)
        assert not first.replayed, request
        self.remember(Keyed(request, key, first), before)

    def racing(self, request: Request, given: str) -> None:
        """Send copies of a new keyed request at once: one runs, all get its answer, one effect."""
        key = request_key(request.actor, given, operation=request.operation, payload=request.payload)
        assert key is not None
        before = self.rows.snapshot(without=["idempotency_records"])
        audits = audit_count(self.uow)
        answers = race(self.uow, keyed_call(request, key))
        firsts = [answer for answer in answers if not answer.replayed]
        assert len(firsts) == 1, answers
        first = firsts[0]
        assert all((answer.status, answer.body) == (first.status, first.body) for answer in answers), answers
        # Each use case that changes something audits it once: two runs would show two records.
        assert audit_count(self.uow) - audits <= 1, request
        self.history.stats["raced"] += 1
        self.remember(Keyed(request, key, first), before)

    def remember(self, keyed: Keyed, before: dict[str, Any]) -> None:
        """Keep a keyed request for later retries, after checking that a refused one left nothing but its key."""
        if keyed.first.status >= 400:
            self.history.stats["refused"] += 1
            assert self.rows.snapshot(without=["idempotency_records"]) == before, keyed.request
        else:
            self.history.stats[keyed.request.operation] += 1
        self.keyed.append(keyed)

    def retries(self) -> None:
        """Retry some keyed requests: the one just sent, an older one, copies at once, and once with other content."""
        if not self.keyed:
            return
        if self.rng.random() < 0.15:
            self.retry(self.keyed[-1])
        if self.rng.random() < 0.15:
            self.retry(self.rng.choice(self.keyed))
        if self.rng.random() < 0.06:
            self.retry(self.rng.choice(self.keyed), racing=True)
        if self.rng.random() < 0.03:
            self.conflict(self.rng.choice(self.keyed))

    def retry(self, keyed: Keyed, *, racing: bool = False) -> None:
        """Send a keyed request again: the first answer comes back, replayed, and nothing changes."""
        before = self.rows.snapshot()
        call = keyed_call(keyed.request, keyed.key)
        if racing:
            answers = race(self.uow, call)
        else:
            with self.uow() as unit:
                answers = [call(unit)]
        expected = Answer(keyed.first.status, keyed.first.body, replayed=True)
        assert answers == [expected] * len(answers), (keyed.request, answers, keyed.first)
        # The database and the clock are as they were, so the invariants hold as they did.
        assert self.rows.snapshot() == before, keyed.request
        self.history.stats["retried racing" if racing else "retried"] += 1

    def conflict(self, keyed: Keyed) -> None:
        """Send a used key with another request: refused as a conflict, and nothing changes."""
        other = request_key(keyed.request.actor, keyed.key.key, operation=keyed.request.operation,
                            payload={**keyed.request.payload, "changed": True})
        before = self.rows.snapshot()
        with pytest.raises(IdempotencyConflict), self.uow() as unit:
            run_once(unit, other, keyed.request.run, answer_for(keyed.request), refusal)
        assert self.rows.snapshot() == before, keyed.request
        self.history.stats["conflicts"] += 1
