"""The faults a counter PC meets, made for real: a PostgreSQL of the test's own stopped and started, a
small tmpfs that fills, and a keyed load that retries through them and remembers what was acknowledged.

``OwnPostgres`` runs ``initdb`` and ``pg_ctl`` in a folder of its own on a free port (as the
``postgres`` user when the tests run as root), so that stopping it never touches the shared
server on 5432. ``small_disk`` mounts a tmpfs of a few megabytes. ``SessionLoad`` starts,
extends and ends sessions with an ``Idempotency-Key`` each, sending a request again with the
same key after a 5xx or a connection error until it is answered, and ``check_acknowledged``
reads every acknowledged session back through the API. ``Counter`` is a person at the counter:
logged in through the login page, reading the dashboard's board as the page does.
"""

from __future__ import annotations

import contextlib
import glob
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter as Tally
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.crash_server import ROOT, Venue, command_environment, compensator_command, free_port

PIN = "2468"
ATTENDANT = "ada"


def _postgres_program(name: str) -> str | None:
    installed = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                       key=lambda path: int(re.sub(r"\D", "", path.split("/")[4]) or 0))
    return installed[-1] if installed else shutil.which(name)


class OwnPostgres:
    """A PostgreSQL server of the test's own, in a temporary folder, on a free port."""

    def __init__(self) -> None:
        initdb, self.pg_ctl = _postgres_program("initdb"), _postgres_program("pg_ctl")
        if initdb is None or self.pg_ctl is None:
            pytest.skip("initdb and pg_ctl are not installed (Debian: apt-get install postgresql)")
        # The server refuses to run as root: it runs as postgres, in a folder postgres may enter.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.folder = Path(tempfile.mkdtemp(prefix="compensator-own-pg-"))
        self.folder.chmod(0o755)
        self.data = self.folder / "data"
        self.port = free_port()
        if self.as_user:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run([initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        self.start()
        self._run([str(Path(initdb).with_name("createdb")), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                   "compensator"])

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of its database."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/compensator"

    def _run(self, command: list[str]) -> None:
        done = subprocess.run([*self.as_user, *command], capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip() or done.stdout.strip()}")

    def start(self) -> None:
        """Start it and wait until it accepts connections."""
        assert self.pg_ctl is not None
        self._run([self.pg_ctl, "-D", str(self.data), "-w", "-l", str(self.folder / "postgres.log"), "-o",
                   f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1", "start"])

    def stop(self) -> None:
        """Stop it at once (``-m fast``: connections are cut, as a crash of the database would)."""
        assert self.pg_ctl is not None
        self._run([self.pg_ctl, "-D", str(self.data), "-w", "-m", "fast", "stop"])

    def remove(self) -> None:
        """Stop it if it runs, and delete its folder."""
        with contextlib.suppress(RuntimeError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def small_disk(megabytes: int) -> Iterator[Path]:
    """A tmpfs of ``megabytes`` mounted on a new folder, unmounted afterwards; skipped where mount is refused."""
    folder = Path(tempfile.mkdtemp(prefix="compensator-small-disk-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(folder)],
                             capture_output=True, text=True, timeout=30, check=False)
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"a small disk needs mount -t tmpfs, which is not permitted here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def add_attendant(venue: Venue) -> None:
    """A manager named ada with a PIN, made with the real CLI."""
    done = subprocess.run(compensator_command("attendant", "add", ATTENDANT, "--role", "manager", "--config",
                                              str(venue.config_path)),
                          cwd=ROOT, env=command_environment(venue.database_url), input=PIN + "\n",
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


@dataclass
class Answer:
    """An HTTP answer: status, headers and the JSON body (None when not JSON)."""

    status: int
    headers: dict[str, str]
    body: Any


def call(base_url: str, method: str, path: str, body: object | None = None, *, token: str | None = None,
         key: str | None = None, opener: urllib.request.OpenerDirector | None = None,
         extra: dict[str, str] | None = None, timeout: float = 30) -> Answer:
    """One request; a connection error is raised as OSError."""
    headers = {"Accept": "application/json", **(extra or {})}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(base_url + path, data=data, method=method, headers=headers)
    opener = opener or urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            status, answer_headers, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, raw = error.code, dict(error.headers), error.read()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return Answer(status, answer_headers, parsed)


@dataclass
class Acknowledged:
    """What the server acknowledged of one session: its id, the extensions answered, whether it was ended."""

    session_id: int
    extensions: int = 0
    ended: bool = False


@dataclass
class SessionLoad:
    """Sessions started, extended twice and ended on a few seats, every request keyed and retried through faults."""

    venue: Venue
    seats: tuple[str, ...]
    pause: float = 0.1
    statuses: Tally[int | str] = field(default_factory=Tally)
    acknowledged: list[Acknowledged] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _abandoned: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def keyed(self, method: str, path: str, body: object, deadline: float) -> Answer | None:
        """Send until answered below 500 (None if the deadline passed first); every attempt's status is counted."""
        key = uuid.uuid4().hex
        while time.monotonic() < deadline and not self._abandoned.is_set():
            try:
                answer = call(self.venue.base_url, method, path, body, token=self.venue.token, key=key)
            except OSError as error:
                self._count(type(error).__name__)
                time.sleep(0.3)
                continue
            self._count(answer.status)
            if answer.status < 500:
                return answer
            # A fault of the machine says when to come back; a bug would not.
            assert answer.headers.get("Retry-After"), (answer.status, answer.body)
            time.sleep(0.3)
        self.unanswered.append(f"{method} {path}")
        return None

    def _count(self, status: int | str) -> None:
        with self._lock:
            self.statuses[status] += 1

    def _work(self, seat: str) -> None:
        while not self._stop.is_set():
            deadline = time.monotonic() + 300
            started = self.keyed("POST", "/api/v1/sessions", {"seat": seat, "minutes": 30}, deadline)
            if started is None or started.status != 201:
                time.sleep(self.pause)
                continue
            done = Acknowledged(started.body["id"])
            with self._lock:
                self.acknowledged.append(done)
            for _ in range(2):
                extended = self.keyed("POST", f"/api/v1/sessions/{done.session_id}/extend", {"minutes": 5}, deadline)
                if extended is not None and extended.status == 200:
                    done.extensions += 1
                time.sleep(self.pause)
            ended = self.keyed("POST", f"/api/v1/sessions/{done.session_id}/end", {}, deadline)
            done.ended = ended is not None and ended.status == 200
            time.sleep(self.pause)

    def start(self) -> None:
        """Start one worker per seat."""
        self._threads = [threading.Thread(target=self._work, args=(seat,), daemon=True) for seat in self.seats]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Let each worker finish the session it is on, then wait for them."""
        self._stop.set()
        for thread in self._threads:
            thread.join(320)
        assert not any(thread.is_alive() for thread in self._threads)

    def abandon(self) -> None:
        """Stop at once, the requests still unanswered left so (a test that failed already)."""
        self._abandoned.set()
        self._stop.set()
        for thread in self._threads:
            thread.join(60)

    def acknowledged_count(self) -> int:
        """How many sessions were acknowledged so far."""
        with self._lock:
            return len(self.acknowledged)


def check_acknowledged(load: SessionLoad) -> None:
    """Every acknowledged session is there with exactly its acknowledged extensions, and ended if that was."""
    assert load.acknowledged, "the load acknowledged nothing"
    assert not load.unanswered, load.unanswered
    for done in load.acknowledged:
        answer = call(load.venue.base_url, "GET", f"/api/v1/sessions/{done.session_id}", token=load.venue.token)
        assert answer.status == 200, answer.body
        extensions = [entry for entry in answer.body["entries"] if entry["kind"] == "extension"]
        assert len(extensions) == done.extensions, (done, answer.body["entries"])
        if done.ended:
            assert answer.body["state"] == "ended", (done, answer.body["state"])


class Counter:
    """A person at the counter: logged in through the login page, reading the board as the dashboard does."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                  urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def login(self) -> None:
        """Log in as ada with her PIN."""
        with self.opener.open(self.base_url + "/login", timeout=30) as page:
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)  # type: ignore[union-attr]
        form = urllib.parse.urlencode({"name": ATTENDANT, "pin": PIN, "csrf_token": csrf}).encode()
        with self.opener.open(urllib.request.Request(self.base_url + "/login", data=form), timeout=30) as answer:
            assert answer.status == 200

    def board(self) -> Answer:
        """``GET /board.json``, as the page polls it."""
        return call(self.base_url, "GET", "/board.json", opener=self.opener)

    def page(self, path: str = "/") -> tuple[int, str]:
        """A page as the browser gets it: status and text."""
        request = urllib.request.Request(self.base_url + path, headers={"Accept": "text/html"})
        try:
            with self.opener.open(request, timeout=30) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def log_lines(path: Path) -> list[str]:
    """The server's log, line by line."""
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


def check_fault_logged(path: Path, began: str, ended: str) -> None:
    """The server's log tells the fault once as it began and once as it ended, without a traceback,
    in a few lines for the whole run rather than a line per failed request."""
    lines = log_lines(path)
    assert sum(began in line for line in lines) == 1, "\n".join(lines)
    assert sum(ended in line for line in lines) == 1, "\n".join(lines)
    assert not any("Traceback" in line for line in lines), "\n".join(lines)
    assert len(lines) < 40, "\n".join(lines)


def wait_until(predicate: Any, seconds: float, pause: float = 0.2) -> bool:
    """Whether ``predicate()`` came true within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(pause)
    return bool(predicate())
