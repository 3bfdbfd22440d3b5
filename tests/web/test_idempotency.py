"""Every mutation of the API, retried with its Idempotency-Key one after the other and ten at once,
has one effect and answers the same; the same key with another request is a conflict.

Each case prepares the database through the services, then sends its request through the
Flask test client (a device token, or a manager's cookie session for manager actions). "One
effect" is checked on the whole database: every row of every table (but the keys' own) is the
same after the retries as after the first answer, although the clock moved on in between.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import inspect, select, text

from compensator.domain import vouchers
from compensator.services import once
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from compensator.store.models import AuditRecord
from compensator.store.operations import IdempotencyRecord
from tests.conftest import log_in_cookie, power_cut_over

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
COPIES = 10


@dataclass(frozen=True)
class Case:
    """One mutation: how to prepare for it, and the request (path and body) it sends."""

    audit_action: str
    prepare: Callable[[Any, Any], tuple[str, dict[str, Any] | None]]
    manager: bool = False


def _session(uow, seat: str = "A1", minutes: int = 60) -> int:
    with uow() as unit:
        return sessions.start_session(unit, seat_id=seat, minutes=minutes, actor="test").id


def _paused(uow, clock) -> int:
    session_id = _session(uow)
    with uow() as unit:
        sessions.pause_session(unit, session_id, actor="test")
    return session_id


def _ongoing(uow, clock) -> int:
    _session(uow, "G1", 120)
    clock.advance(minutes=20)
    with uow() as unit:
        outage_id = outages.start_outage(unit, actor="test").id
    clock.advance(minutes=25)
    return outage_id


def _ended(uow, clock) -> Any:
    outage, _ = power_cut_over(uow, clock, {"G1": 120, "G2": 30}, after_minutes=20, lasting_minutes=25)
    clock.advance(minutes=5)
    return outage


def _suspected(uow, clock) -> int:
    _session(uow, "G1", 120)
    clock.advance(minutes=20)
    with uow() as unit:
        return outages.start_outage(unit, source="heartbeat", suspected=True, actor="test").id


def _awaiting(uow, clock) -> int:
    outage, _ = power_cut_over(uow, clock, {"G1": 360}, after_minutes=60, lasting_minutes=240)
    return outage.compensations[0].id


def _voucher(uow, clock) -> str:
    outage, _ = power_cut_over(uow, clock, {"G3": 30}, after_minutes=25, lasting_minutes=20)
    return vouchers.display(outage.compensations[0].voucher_codes[0])


CASES = {
    "start a session": Case("session.start", lambda uow, clock: ("/sessions", {"seat": "A1", "minutes": 60})),
    "extend": Case("session.extend", lambda uow, clock: (f"/sessions/{_session(uow)}/extend", {"minutes": 30})),
    "pause": Case("session.pause", lambda uow, clock: (f"/sessions/{_session(uow)}/pause", None)),
    "resume": Case("session.resume", lambda uow, clock: (f"/sessions/{_paused(uow, clock)}/resume", None)),
    "move": Case("session.move", lambda uow, clock: (f"/sessions/{_session(uow)}/move", {"seat": "A5"})),
    "end a session": Case("session.end", lambda uow, clock: (f"/sessions/{_session(uow)}/end", None)),
    "start an outage": Case("outage.start", lambda uow, clock: ("/outages", {"zones": ["gaming"]})),
    "end an outage": Case("outage.end", lambda uow, clock: (f"/outages/{_ongoing(uow, clock)}/end", None)),
    "correct an outage": Case("outage.correct", lambda uow, clock: (
        f"/outages/{_ended(uow, clock).id}/correct",
        {"ended_at": "2026-11-22T14:50:00+01:00", "reason": "the generator log says 14:50"}), manager=True),
    "confirm": Case("outage.confirm", lambda uow, clock: (f"/outages/{_suspected(uow, clock)}/confirm", None)),
    "dismiss": Case("outage.dismiss", lambda uow, clock: (
        f"/outages/{_suspected(uow, clock)}/dismiss", {"reason": "a switch was unplugged"})),
    "approve": Case("compensation.approve", lambda uow, clock: (
        f"/compensations/{_awaiting(uow, clock)}/approve", None), manager=True),
    "deliver a notice": Case("notice.deliver", lambda uow, clock: (
        f"/notices/{_ended(uow, clock).compensations[0].notice_id}/deliver", {"how": "shown", "feedback": "happy"})),
    "redeem a voucher": Case("voucher.redeem", lambda uow, clock: (
        f"/vouchers/{_voucher(uow, clock)}/redeem", {"seat": "A9"})),
}


@pytest.fixture
def send(app, token):
    """Sends one POST to the API as a device, or as a manager, each call with a client of its own."""
    # The manager exists before any copies race, so that none of them races to create her.
    log_in_cookie(app.test_client(), "bola", "manager")

    def post(path: str, body: dict[str, Any] | None, key: str | None, *, manager: bool = False):
        client = app.test_client()
        headers = {"Idempotency-Key": key} if key is not None else {}
        if manager:
            log_in_cookie(client, "bola", "manager")
            headers["X-CSRF-Token"] = "t"
        else:
            headers["Authorization"] = f"Bearer {token}"
        response = client.post(f"/api/v1{path}", json=body, headers=headers)
        return response.status_code, response.get_json(), response.headers.get("Idempotency-Replayed")

    return post


def database_rows(runtime) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the idempotency keys, in a stable order."""
    names = sorted(set(inspect(runtime.engine).get_table_names()) - {"idempotency_records", "alembic_version"})
    with runtime.engine.connect() as connection:
        return {name: sorted(map(tuple, connection.execute(text(f"SELECT * FROM {name}"))), key=repr)
                for name in names}


def audit_count(uow, action: str) -> int:
    with uow() as unit:
        return len(unit.db.scalars(select(AuditRecord.id).where(AuditRecord.action == action)).all())


def race(send, path: str, body: dict[str, Any] | None, key: str, manager: bool) -> list[tuple[Any, ...]]:
    """Send ``COPIES`` copies of one request at once; their answers."""
    answers: list[tuple[Any, ...]] = []
    start = threading.Barrier(COPIES)

    def copy() -> None:
        start.wait()
        answers.append(send(path, body, key, manager=manager))

    threads = [threading.Thread(target=copy) for _ in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.parametrize("name", list(CASES))
def test_a_mutation_retried_with_its_key_has_one_effect_and_the_first_answer(name, send, runtime, uow, clock) -> None:
    case = CASES[name]
    path, body = case.prepare(uow, clock)
    before = audit_count(uow, case.audit_action)
    status, first, replayed = send(path, body, "retry-1", manager=case.manager)
    assert status < 300, first
    assert replayed is None
    after_first = database_rows(runtime)
    assert audit_count(uow, case.audit_action) == before + 1
    clock.advance(minutes=1)
    assert send(path, body, "retry-1", manager=case.manager) == (status, first, "true")
    assert race(send, path, body, "retry-1", case.manager) == [(status, first, "true")] * COPIES
    assert database_rows(runtime) == after_first


@pytest.mark.parametrize("name", list(CASES))
def test_copies_racing_with_one_key_make_one_effect_and_all_get_its_answer(name, send, uow, clock) -> None:
    case = CASES[name]
    path, body = case.prepare(uow, clock)
    before = audit_count(uow, case.audit_action)
    answers = race(send, path, body, "race-1", case.manager)
    assert audit_count(uow, case.audit_action) == before + 1
    firsts = [answer for answer in answers if answer[2] is None]
    assert len(firsts) == 1 and firsts[0][0] < 300, answers
    assert sorted(answers, key=repr) == sorted([firsts[0]] + [(*firsts[0][:2], "true")] * (COPIES - 1), key=repr)


@pytest.mark.parametrize("name", list(CASES))
def test_the_same_key_with_another_request_is_a_conflict(name, send, uow, clock) -> None:
    case = CASES[name]
    path, body = case.prepare(uow, clock)
    assert send(path, body, "used-once", manager=case.manager)[0] < 300
    before = audit_count(uow, case.audit_action)
    other_path, other_body = _other_request(path, body)
    status, answer, _ = send(other_path, other_body, "used-once", manager=case.manager)
    assert (status, answer["error"]["code"]) == (409, "idempotency_conflict")
    assert audit_count(uow, case.audit_action) == before


def _other_request(path: str, body: dict[str, Any] | None) -> tuple[str, dict[str, Any] | None]:
    """Another request of the same kind: another id in the path, or else other values in the body."""
    parts = path.split("/")
    for index, part in enumerate(parts):
        if part.isdigit():
            parts[index] = str(int(part) + 1000)
            return "/".join(parts), body
    assert body is not None
    return path, {key: f"{value}-changed" for key, value in body.items()}


def test_a_refusal_is_the_first_answer_too_and_leaves_nothing(send, uow, runtime, clock) -> None:
    occupant = _session(uow, "A1")
    before = database_rows(runtime)
    refused = send("/sessions", {"seat": "A1", "minutes": 30}, "sale-9")
    assert (refused[0], refused[1]["error"]["code"]) == (409, "seat_busy")
    assert database_rows(runtime) == before
    with uow() as unit:
        sessions.end_session(unit, occupant, actor="test")
    # The seat is free now, but the key already has its answer: the retry hears the same.
    assert send("/sessions", {"seat": "A1", "minutes": 30}, "sale-9") == (*refused[:2], "true")


def test_a_failure_before_the_commit_keeps_neither_the_effect_nor_the_key(send, uow, runtime, monkeypatch) -> None:
    before = database_rows(runtime)
    original = once.run_once

    def crash_after_the_effect(unit, key, action, answer, refusal):
        def broken(result):
            raise RuntimeError("the process died here")
        return original(unit, key, action, broken, refusal)

    monkeypatch.setattr("web.api.run_once", crash_after_the_effect)
    assert send("/sessions", {"seat": "A2", "minutes": 30}, "sale-10")[0] == 500
    monkeypatch.undo()
    assert database_rows(runtime) == before
    status, answer, replayed = send("/sessions", {"seat": "A2", "minutes": 30}, "sale-10")
    assert (status, answer["seat"], replayed) == (201, "A2", None)


def test_keys_belong_to_one_actor(send, uow, clock) -> None:
    first = send("/outages", {"zones": ["gaming"]}, "shared-name")
    other = send("/outages", {"zones": ["standard"]}, "shared-name", manager=True)
    assert (first[0], other[0], other[2]) == (201, 201, None)


@pytest.mark.parametrize("key", ["", "   ", "x" * 101, "tab\there"])
def test_a_malformed_key_is_refused(key, send) -> None:
    status, answer, _ = send("/sessions", {"seat": "A1", "minutes": 30}, key)
    assert (status, answer["error"]["field"]) == (400, "Idempotency-Key")


def test_keys_older_than_a_week_are_pruned_and_newer_ones_kept(send, uow, clock) -> None:
    send("/sessions", {"seat": "A1", "minutes": 30}, "old")
    clock.advance(minutes=6 * 24 * 60)
    send("/sessions", {"seat": "A2", "minutes": 30}, "recent")
    clock.advance(minutes=24 * 60 + 1)
    with uow() as unit:
        assert once.prune(unit) == 1
    with uow() as unit:
        assert unit.db.scalars(select(IdempotencyRecord.key)).all() == ["recent"]


def test_first_heartbeats_of_a_seat_racing_without_keys_all_succeed(send, uow) -> None:
    answers = race(send, "/heartbeats", {"seat": "A1"}, None, False)  # type: ignore[arg-type]
    assert [status for status, _, _ in answers] == [200] * COPIES
