"""A crash load: the real server, killed with SIGKILL at random instants of a keyed load.

Shared by ``tests/test_crash.py`` (a few rounds, in CI) and ``bench/crash.py`` (a hundred rounds
or more). One run prepares a venue in a folder (the test venue's configuration, a SQLite file
and a device token made with ``compensator token create``), serves it with ``compensator run``
in a subprocess, and drives it with a few client threads. Each thread keeps a café of its own
(some seats and the sessions it started on them) and sends a seeded random mix of the API's
mutations: sessions started, extended, paused, resumed, moved and ended, outages opened and
ended, notices delivered, vouchers redeemed, and a few requests that are refused on purpose.
Every request carries its own ``Idempotency-Key`` and is remembered with its key, path, body
and every attempt made to get it answered.

Each round kills the server with SIGKILL a few to a few hundred milliseconds into the load,
restarts it on the same database, lets every thread re-send its unanswered request with the
same key and body until it is answered, and re-sends a few requests that had been answered just
before the kill. ``tests.crash_checks`` then holds every answer against the database (SPEC
section 6: no acknowledged write lost, no half-applied outage, every credit applied once).

Only the standard library talks to the server (urllib), as another café program would.
"""

from __future__ import annotations

import copy
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import VENUE, make_settings

ROOT = Path(__file__).resolve().parent.parent
TOKEN_NAME = "crash-load"
ACTOR = f"token:{TOKEN_NAME}"
# A request is answered in milliseconds; these only stop a run that hangs.
REQUEST_TIMEOUT_SECONDS = 30.0
ANSWER_DEADLINE_SECONDS = 120.0
START_TIMEOUT_SECONDS = 60.0
RETRY_PAUSES_SECONDS = (0.01, 0.02, 0.05, 0.1, 0.2)


class CrashLoadError(Exception):
    """The run itself could not go on (the server did not start, a request was never answered)."""


# --- the venue and its server ---------------------------------------------------------------


@dataclass(frozen=True)
class Venue:
    """A prepared venue: its folder, configuration file, database and the device token to call it with."""

    directory: Path
    config_path: Path
    database_url: str
    port: int
    token: str

    @property
    def base_url(self) -> str:
        """Where the server answers."""
        return f"http://127.0.0.1:{self.port}"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def command_environment(database_url: str) -> dict[str, str]:
    """The environment of a ``compensator`` subprocess: this checkout's code, this run's database."""
    environment = dict(os.environ)
    environment.pop("COMPENSATOR_CONFIG", None)
    # The variable wins over the file, so it is set rather than left to whatever the caller has.
    environment["COMPENSATOR_DATABASE_URL"] = database_url
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environment.get("PYTHONPATH")]))
    return environment


def compensator_command(*arguments: str) -> list[str]:
    """The ``compensator`` command line for ``arguments``, run by this interpreter."""
    return [sys.executable, "-m", "web", *arguments]


def prepare_venue(directory: Path, *, database_url: str | None = None) -> Venue:
    """Write the test venue's configuration and create a device token with the real CLI."""
    directory.mkdir(parents=True, exist_ok=True)
    url = database_url or f"sqlite:///{(directory / 'compensator.db').as_posix()}"
    config = copy.deepcopy(VENUE)
    config["database"] = {"url": url}
    # The scheduler archives a closed day's report at start-up: it must land in this folder.
    config["reports"] = {"directory": str(directory / "reports")}
    config_path = directory / "config.yaml"
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    created = subprocess.run(
        compensator_command("token", "create", TOKEN_NAME, "--config", str(config_path)),
        cwd=ROOT, env=command_environment(url), capture_output=True, text=True, timeout=120, check=False)
    if created.returncode != 0 or not created.stdout.strip():
        raise CrashLoadError(f"compensator token create failed ({created.returncode}): {created.stderr.strip()}")
    return Venue(directory, config_path, url, free_port(), created.stdout.strip().splitlines()[0])


class Server:
    """``compensator run`` on a prepared venue, in a subprocess that is killed and restarted."""

    def __init__(self, venue: Venue) -> None:
        self.venue = venue
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = venue.directory / "server.log"
        self.start_seconds: list[float] = []

    def start(self) -> float:
        """Start the server and wait until ``GET /api/v1/health`` answers; the seconds it took."""
        assert self.process is None, "the server is already running"
        began = time.monotonic()
        with self.log_path.open("ab") as log:
            # The child writes to its own copy of the descriptor; the parent's is closed at once.
            self.process = subprocess.Popen(
                compensator_command("run", "--config", str(self.venue.config_path), "--host", "127.0.0.1",
                                    "--port", str(self.venue.port)),
                cwd=ROOT, env=command_environment(self.venue.database_url), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while True:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                raise CrashLoadError(f"the server exited with status {code} while starting:\n{self.log_tail()}")
            try:
                with opener.open(f"{self.venue.base_url}/api/v1/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, http.client.HTTPException, OSError):
                pass
            if time.monotonic() - began > START_TIMEOUT_SECONDS:
                self.stop()
                raise CrashLoadError(f"the server did not answer within {START_TIMEOUT_SECONDS:.0f} s:\n"
                                     f"{self.log_tail()}")
            time.sleep(0.02)
        seconds = time.monotonic() - began
        self.start_seconds.append(seconds)
        return seconds

    def kill(self) -> None:
        """Kill the server with SIGKILL, as a power cut would, and reap it."""
        assert self.process is not None, "the server is not running"
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        """Stop the server if it runs (nothing is in flight then, so SIGKILL is as good as any)."""
        if self.process is not None:
            self.kill()

    def log_tail(self, lines: int = 30) -> str:
        """The last lines the server wrote, to explain a failure."""
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


# --- keyed requests and the client ----------------------------------------------------------


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


# --- the load -------------------------------------------------------------------------------


@dataclass
class SessionBelief:
    """What a thread knows of one of its sessions, from the answers it got."""

    seat: str
    postpaid: bool
    paused: bool = False


class Board:
    """What the threads share: open outages, notices to hand over, vouchers to redeem."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open_outages: set[int] = set()
        self.notices: list[int] = []
        self.vouchers: list[str] = []
        self.used_vouchers: list[str] = []


@dataclass(frozen=True)
class Layout:
    """The test venue's seats as the load deals them out: those a power cut darkens at once
    (their zone has no UPS), and those whose UPS bridges a short cut."""

    unbridged_seats: tuple[str, ...]
    bridged_seats: tuple[str, ...]
    unbridged_zones: tuple[str, ...]

    def seats_of(self, index: int, workers: int) -> tuple[list[str], list[str]]:
        """The unbridged and bridged seats of thread ``index``: every ``workers``-th of each."""
        return list(self.unbridged_seats[index::workers]), list(self.bridged_seats[index::workers])

    def shared_scopes(self) -> list[dict[str, Any]]:
        """The outage scopes every thread may open, so that two threads can meet on one outage."""
        return [{"zones": list(self.unbridged_zones)}, {}, {"kind": "network"}]


def venue_layout() -> Layout:
    """The layout of the test venue (``tests.conftest.VENUE``)."""
    settings = make_settings()
    unbridged = {zone.id for zone in settings.zones if zone.ups_minutes == 0}
    return Layout(tuple(seat.id for seat in settings.seats if seat.zone_id in unbridged),
                  tuple(seat.id for seat in settings.seats if seat.zone_id not in unbridged),
                  tuple(sorted(unbridged)))


Choice = tuple[str, str, dict[str, Any] | None, int | str | None]


class Worker:
    """One client thread: a café of its own seats, the sessions it started on them, and its choices.

    A thread only ever acts on its own sessions and sends one request at a time, so what it
    believes of them follows from its answers, and each answer of an extension names the one
    entry that extension wrote (the newest).
    """

    def __init__(self, index: int, layout: Layout, workers: int, board: Board, log: RequestLog, seed: int) -> None:
        self.index = index
        self.layout = layout
        # Seats a power cut darkens at once (their credits are worth a test), and the others.
        self.unbridged, self.bridged = layout.seats_of(index, workers)
        self.seats = self.unbridged + self.bridged
        self.board = board
        self.log = log
        self.rng = random.Random(f"{seed}:{index}")
        self.sessions: dict[int, SessionBelief] = {}
        self.ended: list[int] = []
        self.sent = 0

    # What to ask for: each builder returns (action, path, body, target), or None when it cannot apply.

    def free_seats(self) -> list[str]:
        """This thread's seats with no session on them."""
        taken = {belief.seat for belief in self.sessions.values()}
        return [seat for seat in self.seats if seat not in taken]

    def start(self, seat: str | None = None, minutes: int | None = None, postpaid: bool = False) -> Choice | None:
        """Start a session on a free seat (prepaid unless ``postpaid``)."""
        free = self.free_seats()
        if seat is None:
            if not free:
                return None
            seat = self.rng.choice(free)
        body: dict[str, Any] = {"seat": seat}
        if postpaid:
            body["postpaid"] = True
        else:
            body["minutes"] = minutes or self.rng.choice((30, 60, 90, 120))
        if self.rng.random() < 0.25:
            body.update(customer_name="Chidi", language=self.rng.choice(("fr", "pcm")))
        return "session.start", "/sessions", body, seat

    def _session(self, condition: Callable[[SessionBelief], bool]) -> int | None:
        candidates = sorted(session_id for session_id, belief in self.sessions.items() if condition(belief))
        return self.rng.choice(candidates) if candidates else None

    def extend(self, session_id: int | None = None, minutes: int | None = None) -> Choice | None:
        """Sell more minutes to one of this thread's prepaid sessions."""
        session_id = session_id or self._session(lambda belief: not belief.postpaid)
        if session_id is None:
            return None
        return ("session.extend", f"/sessions/{session_id}/extend",
                {"minutes": minutes or self.rng.choice((10, 15, 30))}, session_id)

    def pause(self, session_id: int | None = None) -> Choice | None:
        """Pause a running session."""
        session_id = session_id or self._session(lambda belief: not belief.paused)
        return None if session_id is None else ("session.pause", f"/sessions/{session_id}/pause", None, session_id)

    def resume(self, session_id: int | None = None) -> Choice | None:
        """Resume a paused session."""
        session_id = session_id or self._session(lambda belief: belief.paused)
        return None if session_id is None else ("session.resume", f"/sessions/{session_id}/resume", None, session_id)

    def move(self, session_id: int | None = None, seat: str | None = None) -> Choice | None:
        """Move a session to a free seat of this thread."""
        free = self.free_seats()
        session_id = session_id or self._session(lambda belief: True)
        if session_id is None or not free:
            return None
        return ("session.move", f"/sessions/{session_id}/move", {"seat": seat or self.rng.choice(free)}, session_id)

    def end(self, session_id: int | None = None) -> Choice | None:
        """End a session."""
        session_id = session_id or self._session(lambda belief: True)
        return None if session_id is None else ("session.end", f"/sessions/{session_id}/end", None, session_id)

    def open_outage(self, body: dict[str, Any] | None = None) -> Choice | None:
        """Open an outage over this thread's seats, or over a scope the threads share."""
        if body is None:
            scopes = [{"seats": self.unbridged}, {"kind": "network", "seats": self.bridged[:2]},
                      *self.layout.shared_scopes()]
            body = copy.deepcopy(self.rng.choice(scopes))
        return "outage.start", "/outages", body, None

    def end_outage(self, outage_id: int | None = None) -> Choice | None:
        """Power is back: end an open outage (another thread may have ended it already)."""
        if outage_id is None:
            with self.board.lock:
                open_ids = sorted(self.board.open_outages)
            if not open_ids:
                return None
            outage_id = self.rng.choice(open_ids)
        return "outage.end", f"/outages/{outage_id}/end", None, outage_id

    def deliver(self, notice_id: int | None = None) -> Choice | None:
        """Record a notice as shown, printed or declined."""
        if notice_id is None:
            with self.board.lock:
                if not self.board.notices:
                    return None
                notice_id = self.rng.choice(self.board.notices)
        body: dict[str, Any] = {"how": self.rng.choice(("shown", "printed", "declined"))}
        if self.rng.random() < 0.5:
            body["feedback"] = self.rng.choice(("happy", "neutral", "unhappy"))
        return "notice.deliver", f"/notices/{notice_id}/deliver", body, notice_id

    def redeem(self, code: str | None = None, seat: str | None = None) -> Choice | None:
        """Start a session on a free seat with a voucher nobody has redeemed yet."""
        free = self.free_seats()
        if not free:
            return None
        if code is None:
            with self.board.lock:
                if not self.board.vouchers:
                    return None
                code = self.board.vouchers.pop(self.rng.randrange(len(self.board.vouchers)))
        seat = seat or self.rng.choice(free)
        return "voucher.redeem", f"/vouchers/{urllib.parse.quote(code)}/redeem", {"seat": seat}, code

    def refused_on_purpose(self) -> Choice | None:
        """A request the server must refuse (a refusal is an answer too, kept under its key)."""
        options: list[Choice | None] = []
        busy = sorted({belief.seat for belief in self.sessions.values()})
        if busy:
            seat = self.rng.choice(busy)
            options.append(("session.start", "/sessions", {"seat": seat, "minutes": 30}, seat))
        paused = self._session(lambda belief: belief.paused)
        if paused is not None:
            options.append(self.pause(paused))
        running = self._session(lambda belief: not belief.paused)
        if running is not None:
            options.append(self.resume(running))
        postpaid = self._session(lambda belief: belief.postpaid)
        if postpaid is not None:
            options.append(("session.extend", f"/sessions/{postpaid}/extend", {"minutes": 15}, postpaid))
        if self.ended:
            options.append(self.end(self.rng.choice(self.ended)))
        with self.board.lock:
            used = list(self.board.used_vouchers)
        if used and self.free_seats():
            options.append(self.redeem(self.rng.choice(used)))
        ready = [option for option in options if option is not None]
        return self.rng.choice(ready) if ready else None

    def choose(self) -> Choice:
        """A random request that this thread's café makes sense of (or, now and then, one to refuse)."""
        with self.board.lock:
            open_count = len(self.board.open_outages)
        weighted: list[tuple[float, Callable[[], Choice | None]]] = [
            (4.0, self.start), (1.0, lambda: self.start(postpaid=True) if self.free_seats() else None),
            (2.0, self.extend), (1.0, self.pause), (1.5, self.resume), (1.0, self.move),
            (2.0 + 2.0 * bool(open_count), self.end), (1.5 if open_count < 3 else 0.0, self.open_outage),
            (1.5 * open_count, self.end_outage), (1.0, self.deliver), (2.0, self.redeem),
            (1.0, self.refused_on_purpose),
        ]
        while True:
            weights = [weight for weight, _ in weighted]
            index = self.rng.choices(range(len(weighted)), weights=weights)[0]
            choice = weighted[index][1]()
            if choice is not None:
                return choice
            weighted[index] = (0.0, weighted[index][1])

    # Sending and learning from the answer.

    def perform(self, client: Client, choice: Choice, round_number: int) -> KeyedRequest:
        """Send one request with a new key until it is answered, and learn from the answer."""
        action, path, body, target = choice
        self.sent += 1
        request = KeyedRequest(f"crash-w{self.index}-{self.sent:05d}", action, path, body, target, round_number,
                               self.index)
        self.log.add(request)
        answer = client.send_until_answered(request)
        self._learn(request, answer)
        return request

    def _learn(self, request: KeyedRequest, answer: Attempt) -> None:
        body = answer.body if isinstance(answer.body, dict) else {}
        ok = answer.status is not None and 200 <= answer.status < 300
        action, target = request.action, request.target
        if action == "session.start" and ok:
            assert request.body is not None
            self.sessions[body["id"]] = SessionBelief(request.body["seat"], bool(request.body.get("postpaid")))
        elif action == "voucher.redeem":
            assert request.body is not None and isinstance(target, str)
            if ok:
                self.sessions[body["id"]] = SessionBelief(request.body["seat"], False)
            with self.board.lock:
                if target not in self.board.used_vouchers and (ok or body.get("error", {}).get("code") == "conflict"):
                    self.board.used_vouchers.append(target)
        elif action in ("session.pause", "session.resume") and ok:
            assert isinstance(target, int)
            self.sessions[target].paused = action == "session.pause"
        elif action == "session.move" and ok:
            assert isinstance(target, int) and request.body is not None
            self.sessions[target].seat = request.body["seat"]
        elif action == "session.end" and ok:
            assert isinstance(target, int)
            del self.sessions[target]
            self.ended.append(target)
        elif action == "outage.start" and ok:
            with self.board.lock:
                self.board.open_outages.add(body["id"])
        elif action == "outage.end" and ok:
            with self.board.lock:
                self.board.open_outages.discard(body["id"])
                for compensation in body.get("compensations", []):
                    if compensation.get("notice") is not None and compensation["notice"] not in self.board.notices:
                        self.board.notices.append(compensation["notice"])
                    self.board.vouchers.extend(code for code in compensation.get("vouchers", [])
                                               if code not in self.board.used_vouchers)


def warm_up(worker: Worker, client: Client) -> None:
    """A fixed opening before the first kill, so that every kind of effect exists from the start.

    Two sessions on unbridged seats are cut off by an outage over them; one of them ends in the dark
    (its credit becomes a voucher), the other keeps its time (a credit entry); the notice is
    handed over and the voucher redeemed; a postpaid session is paused, resumed and moved.
    """
    dark, bridged = worker.unbridged, worker.bridged

    def do(choice: Choice | None) -> dict[str, Any]:
        assert choice is not None
        answer = worker.perform(client, choice, 0).first_answer
        assert answer is not None
        if answer.status is None or not 200 <= answer.status < 300:
            raise CrashLoadError(f"the warm-up's {choice[0]} was refused: {answer.describe()} {answer.body}")
        return answer.body if isinstance(answer.body, dict) else {}

    kept = do(worker.start(dark[0], 60))["id"]
    leaving = do(worker.start(dark[1], 30))["id"]
    postpaid = do(worker.start(bridged[0], postpaid=True))["id"]
    do(worker.extend(kept, 15))
    outage = do(worker.open_outage({"seats": dark[:2]}))["id"]
    do(worker.end(leaving))
    ended = do(worker.end_outage(outage))
    notices = [item["notice"] for item in ended["compensations"] if item["notice"] is not None]
    codes = [code for item in ended["compensations"] for code in item["vouchers"]]
    if not notices or not codes:
        raise CrashLoadError(f"the warm-up's outage gave no notice or no voucher: {ended['compensations']}")
    with worker.board.lock:
        worker.board.vouchers.remove(codes[0])
    do(worker.deliver(notices[0]))
    do(worker.redeem(codes[0], dark[1]))
    do(worker.pause(postpaid))
    do(worker.resume(postpaid))
    do(worker.move(postpaid, bridged[1]))


# --- rounds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kill:
    """One SIGKILL: its round, when it struck (epoch seconds), how far into the load, and the restart."""

    round: int
    killed_at: float
    delay_seconds: float
    restart_seconds: float


@dataclass
class CrashRun:
    """What a run did: every keyed request with its attempts, and every kill."""

    venue: Venue
    requests: list[KeyedRequest]
    kills: list[Kill]
    seconds: float


def _drive(worker: Worker, client: Client, stop: threading.Event, round_number: int,
           failures: list[BaseException]) -> None:
    """A thread's loop: requests one after the other until told to stop (after its current one)."""
    try:
        while not stop.is_set():
            worker.perform(client, worker.choose(), round_number)
    except BaseException as error:  # noqa: BLE001 - handed to the main thread, which raises it
        failures.append(error)


def run_round(number: int, server: Server, workers: list[Worker], client: Client, rng: random.Random,
              kill_after_seconds: tuple[float, float], resend_answered: int) -> Kill:
    """Load the server, kill it at a random instant, restart it, and let every request be answered."""
    stop = threading.Event()
    failures: list[BaseException] = []
    threads = [threading.Thread(target=_drive, args=(worker, client, stop, number, failures),
                                name=f"crash-load-{worker.index}") for worker in workers]
    delay = rng.uniform(*kill_after_seconds)
    for thread in threads:
        thread.start()
    try:
        time.sleep(delay)
        killed_at = time.time()
        server.kill()
        # No new request after this one: each thread only finishes (re-sends) the one it holds.
        stop.set()
        restart = server.start()
    except BaseException:
        client.abandoned.set()
        raise
    finally:
        stop.set()
        for thread in threads:
            thread.join(ANSWER_DEADLINE_SECONDS + REQUEST_TIMEOUT_SECONDS)
    if failures:
        raise failures[0]
    if any(thread.is_alive() for thread in threads):
        raise CrashLoadError(f"a client thread of round {number} never finished its request")
    # Requests answered just before the kill are the likeliest to be lost: ask again for a few.
    log = workers[0].log
    answered = sorted((request for request in log.requests if request.round == number and not request.interrupted
                       and request.first_answer is not None and request.first_answer.finished_at < killed_at),
                      key=lambda request: request.attempts[-1].finished_at)
    for request in answered[-resend_answered:] if resend_answered else []:
        client.send_until_answered(request)
    return Kill(number, killed_at, delay, restart)


def run_crash_load(directory: Path, *, rounds: int, seed: int, workers: int = 3,
                   kill_after_seconds: tuple[float, float] = (0.005, 0.3), resend_answered: int = 3,
                   database_url: str | None = None,
                   progress: Callable[[Kill, int], None] | None = None) -> CrashRun:
    """Prepare a venue in ``directory``, serve it, and kill the server ``rounds`` times under load.

    The server is always stopped on the way out, whatever happens. ``progress`` is called after
    each round with its kill and the number of requests sent so far.
    """
    layout = venue_layout()
    # Each thread needs a seat a power cut darkens; the first one needs two of each kind for the warm-up.
    if workers < 1 or len(layout.unbridged_seats) < max(workers, 2) or \
            min(len(seats) for seats in layout.seats_of(0, workers)) < 2:
        raise ValueError(f"{workers} workers do not fit the test venue's seats")
    began = time.monotonic()
    venue = prepare_venue(directory, database_url=database_url)
    server = Server(venue)
    client = Client(venue.base_url, venue.token)
    board = Board()
    log = RequestLog()
    team = [Worker(index, layout, workers, board, log, seed) for index in range(workers)]
    rng = random.Random(seed)
    kills: list[Kill] = []
    try:
        server.start()
        warm_up(team[0], client)
        for number in range(1, rounds + 1):
            kills.append(run_round(number, server, team, client, rng, kill_after_seconds, resend_answered))
            if progress is not None:
                progress(kills[-1], len(log.requests))
    finally:
        server.stop()
    return CrashRun(venue, log.requests, kills, time.monotonic() - began)
