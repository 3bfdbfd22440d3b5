"""The server side of the crash load: a prepared venue, and ``compensator run`` killed and restarted on it.

``prepare_venue`` writes the test venue's configuration in a folder (a SQLite file there unless
another database is given) and makes a device token with ``compensator token create``;
``Server`` runs ``compensator run`` on it in a subprocess, with this checkout's code, and kills
it with SIGKILL as a power cut would. ``tests.support.crash_load`` drives the load against it.
"""

from __future__ import annotations

import copy
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.conftest import VENUE

ROOT = Path(__file__).resolve().parents[2]
TOKEN_NAME = "crash-load"
ACTOR = f"token:{TOKEN_NAME}"
# The server starts in seconds; this only stops a run that hangs.
START_TIMEOUT_SECONDS = 60.0


class CrashLoadError(Exception):
    """The run itself could not go on (the server did not start, a request was never answered)."""


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

    def __init__(self, venue: Venue, *, environment: dict[str, str] | None = None) -> None:
        self.venue = venue
        # More of the child's environment (libfaketime's, for the clock's fault test).
        self.environment = environment or {}
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
                cwd=ROOT, env={**command_environment(self.venue.database_url), **self.environment},
                stdin=subprocess.DEVNULL,
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


def api_call(venue: Venue, method: str, path: str, body: dict | None = None) -> dict:
    """One request to ``venue``'s API with its token, no proxy; the JSON answer (an HTTP error is raised)."""
    request = urllib.request.Request(f"{venue.base_url}/api/v1{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {venue.token}",
                                              "Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        return json.loads(response.read())
