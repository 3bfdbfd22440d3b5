"""The client side of the crash load: keyed requests, every attempt made at each, and the client that sends them.

Every request carries its own ``Idempotency-Key`` and is remembered with its key, path, body
and every attempt made to get it answered; after a connection error it is sent again with the
same key and body until it is answered. Only the standard library talks to the server
(urllib), as another café program would.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from tests.support.crash_server import CrashLoadError

# A request is answered in milliseconds; these only stop a run that hangs.
REQUEST_TIMEOUT_SECONDS = 30.0
ANSWER_DEADLINE_SECONDS = 120.0
RETRY_PAUSES_SECONDS = (0.01, 0.02, 0.05, 0.1, 0.2)


@dataclass(frozen=True)
class Attempt:
    """One sending of a request: its answer (status, body, whether replayed) or the connection error."""

    sent_at: float
    finished_at: float
    status: int | None = None
    body: Any = None
    replayed: bool = False
    error: str | None = None

    def describe(self) -> str:
        """The attempt in a few words."""
        if self.status is None:
            return str(self.error)
        code = self.body.get("error", {}).get("code") if isinstance(self.body, dict) else None
        return f"{self.status}{' ' + code if code else ''}{' (replayed)' if self.replayed else ''}"


@dataclass
class KeyedRequest:
    """A mutation sent with its own Idempotency-Key, with every attempt made to get it answered.

    ``action`` names the audit action it asks for (``session.extend``...), ``target`` what it
    acts on: the session, outage or notice id, the voucher code, or the seat a session starts on.
    """

    key: str
    action: str
    path: str
    body: dict[str, Any] | None
    target: int | str | None
    round: int
    worker: int
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def answers(self) -> list[Attempt]:
        """The attempts that got an answer, in order."""
        return [attempt for attempt in self.attempts if attempt.status is not None]

    @property
    def first_answer(self) -> Attempt | None:
        """The first answer received for this key."""
        answers = self.answers
        return answers[0] if answers else None

    @property
    def succeeded(self) -> bool:
        """Whether the first answer was a success."""
        answer = self.first_answer
        return answer is not None and answer.status is not None and 200 <= answer.status < 300

    @property
    def refused(self) -> bool:
        """Whether the first answer was a refusal (a 4xx)."""
        answer = self.first_answer
        return answer is not None and answer.status is not None and 400 <= answer.status < 500

    @property
    def interrupted(self) -> bool:
        """Whether an attempt got no answer: it was in flight at a kill, or sent while the server was down."""
        return any(attempt.status is None for attempt in self.attempts)

    @property
    def resent(self) -> bool:
        """Whether the request was sent more than once."""
        return len(self.attempts) > 1

    def describe(self) -> str:
        """The request and what each attempt got, for a failure message."""
        body = json.dumps(self.body, sort_keys=True) if self.body is not None else ""
        # Runs of the same connection error (the server restarting) are told once, with their count.
        runs: list[list[Any]] = []
        for attempt in self.attempts:
            text = attempt.describe()
            if runs and runs[-1][0] == text and attempt.status is None:
                runs[-1][1] += 1
            else:
                runs.append([text, 1])
        outcomes = [text if count == 1 else f"{count}× {text}" for text, count in runs]
        return (f"key {self.key} (round {self.round}, worker {self.worker}): POST {self.path} {body} -> "
                + ", then ".join(outcomes))


class RequestLog:
    """Every keyed request of a run, in the order they were first sent; shared by the threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: list[KeyedRequest] = []

    def add(self, request: KeyedRequest) -> None:
        """Remember a request before it is first sent."""
        with self._lock:
            self.requests.append(request)


class Client:
    """Sends keyed POSTs to the API with urllib, as a device holding a bearer token."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.token = token
        # A proxy from the environment must never see loopback traffic.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        # Set when the run fails, so that no thread keeps knocking at a server that will not return.
        self.abandoned = threading.Event()

    def attempt(self, request: KeyedRequest) -> Attempt:
        """Send the request once; the answer, or the connection error that took its place."""
        data = json.dumps(request.body).encode("utf-8") if request.body is not None else b""
        headers = {"Authorization": f"Bearer {self.token}", "Idempotency-Key": request.key}
        if request.body is not None:
            headers["Content-Type"] = "application/json"
        outgoing = urllib.request.Request(f"{self.base_url}/api/v1{request.path}", data=data, headers=headers,
                                          method="POST")
        sent_at = time.time()
        try:
            with self._opener.open(outgoing, timeout=REQUEST_TIMEOUT_SECONDS) as response:
                return self._answer(sent_at, response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            try:
                return self._answer(sent_at, error.code, error.headers, error.read())
            except (http.client.HTTPException, OSError) as cut:
                return Attempt(sent_at, time.time(), error=f"{type(cut).__name__}: {cut}")
            finally:
                error.close()
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            reason = error.reason if isinstance(error, urllib.error.URLError) else error
            return Attempt(sent_at, time.time(),
                           error=type(reason).__name__ if isinstance(reason, BaseException) else str(reason))

    @staticmethod
    def _answer(sent_at: float, status: int, headers: Any, payload: bytes) -> Attempt:
        try:
            body = json.loads(payload) if payload else None
        except ValueError:
            body = payload.decode("utf-8", errors="replace")
        return Attempt(sent_at, time.time(), status, body, headers.get("Idempotency-Replayed") == "true")

    def send_until_answered(self, request: KeyedRequest) -> Attempt:
        """Send the request, and again with the same key and body after each connection error, until answered."""
        began = time.monotonic()
        pauses = iter(RETRY_PAUSES_SECONDS)
        while True:
            attempt = self.attempt(request)
            request.attempts.append(attempt)
            if attempt.status is not None:
                return attempt
            if self.abandoned.is_set():
                raise CrashLoadError(f"the run was abandoned: {request.describe()}")
            if time.monotonic() - began > ANSWER_DEADLINE_SECONDS:
                raise CrashLoadError(f"no answer within {ANSWER_DEADLINE_SECONDS:.0f} s: {request.describe()}")
            time.sleep(next(pauses, RETRY_PAUSES_SECONDS[-1]))
