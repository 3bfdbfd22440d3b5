"""The API under a mixed load: 20 clients reading seats and sessions and sending heartbeats, 500 seats.

One venue of 500 seats, each running a session, is built on a SQLite file and served by
``bench.mixed_server`` (``compensator run``'s waitress, scheduler and jobs) in a subprocess. 20
client threads, each on its own keep-alive connection with a device token, send for a fixed
time a seeded mix of ``GET /api/v1/seats`` (the seat PCs' and the counter's board), ``POST
/api/v1/heartbeats`` for a random seat (a write) and ``GET /api/v1/sessions/<id>``.

It runs twice, each time on its own copy of the venue: first with read-only units of work made
to take SQLite's write lock at BEGIN (``--reads-take-write-lock``, every transaction did so before
issue 14), which is the floor, then as the code stands, where they begin deferred. Printed for
each: requests, throughput, p50 and p99 latency, errors, p99 / p50; and the throughput as a
ratio to the floor's. Targets: p99 <= 10 x p50, no error, throughput >= 3 x the floor's.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select

from bench.common import open_venue
from compensator.services.people import create_token
from compensator.store.models import SeatSession

ROOT = Path(__file__).resolve().parent.parent
SEATS = 500
CLIENTS = 20
DURATION_SECONDS = 12.0
WARM_UP_SECONDS = 2.0
SEED = 20261122
# The share of each request in the mix; the rest are session reads.
SEATS_SHARE = 0.5
HEARTBEAT_SHARE = 0.35
START_TIMEOUT_SECONDS = 60.0
REQUEST_TIMEOUT_SECONDS = 60.0


@dataclass
class Tally:
    """What one client thread saw: each request's latency in seconds, and the failures."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LoadResult:
    """The figures of one run of the load."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: list[str]

    @property
    def throughput(self) -> float:
        """Requests answered per second."""
        return self.requests / self.seconds


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(directory: Path) -> tuple[Path, str, list[int]]:
    """The venue's database file, a device token and the ids of its sessions."""
    runtime, _ = open_venue(SEATS, directory, minutes=lambda index: 8 * 60, start=datetime.now(timezone.utc))
    try:
        with runtime.unit_of_work() as uow:
            token = create_token(uow, name="bench", actor="bench").secret
        with runtime.reading() as uow:
            session_ids = list(uow.db.scalars(select(SeatSession.id)))
    finally:
        runtime.close()
    return directory / "venue.db", token, session_ids


def serve(database: Path, port: int, *, reads_take_write_lock: bool, log_path: Path) -> subprocess.Popen[bytes]:
    """Start the server on ``database`` and wait until it answers."""
    command = [sys.executable, "-m", "bench.mixed_server", "--database-url", f"sqlite:///{database.as_posix()}",
               "--seats", str(SEATS), "--port", str(port)]
    if reads_take_write_lock:
        command.append("--reads-take-write-lock")
    log = log_path.open("wb")
    server = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped at start-up; see {log_path}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/api/v1/health")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"the server did not answer within {START_TIMEOUT_SECONDS:.0f} s; see {log_path}")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server (Ctrl+C, as at the counter), killing it if it lingers."""
    server.send_signal(2)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def client(port: int, token: str, session_ids: list[int], seed: int, measure_from: float, until: float,
           tally: Tally) -> None:
    """Send the mix until ``until``; keep the latencies of the requests sent after ``measure_from``."""
    chooser = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS)
    seats = [f"S{number}" for number in range(1, SEATS // 2 + 1)] + [f"G{number}" for number in
                                                                     range(1, SEATS - SEATS // 2 + 1)]
    while (began := time.perf_counter()) < until:
        pick = chooser.random()
        if pick < SEATS_SHARE:
            method, path, payload = "GET", "/api/v1/seats", None
        elif pick < SEATS_SHARE + HEARTBEAT_SHARE:
            method, path, payload = "POST", "/api/v1/heartbeats", json.dumps({"seat": chooser.choice(seats)})
        else:
            method, path, payload = "GET", f"/api/v1/sessions/{chooser.choice(session_ids)}", None
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                tally.errors.append(f"{method} {path}: {response.status}")
        except (OSError, http.client.HTTPException) as error:
            tally.errors.append(f"{method} {path}: {type(error).__name__} {error}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS)
        if began >= measure_from:
            tally.latencies.append(time.perf_counter() - began)
    connection.close()


def run_load(port: int, token: str, session_ids: list[int], duration_seconds: float) -> LoadResult:
    """Drive the clients against the server on ``port`` and gather their figures."""
    tallies = [Tally() for _ in range(CLIENTS)]
    measure_from = time.perf_counter() + WARM_UP_SECONDS
    until = measure_from + duration_seconds
    threads = [threading.Thread(target=client, args=(port, token, session_ids, SEED + index, measure_from, until,
                                                     tallies[index])) for index in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The requests still in flight at ``until`` finish after it: the measured span ends with the last.
    seconds = duration_seconds + max(0.0, time.perf_counter() - until)
    latencies = sorted(latency for tally in tallies for latency in tally.latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else float("nan")
    return LoadResult(len(latencies), seconds, statistics.median(latencies) * 1000 if latencies else float("nan"),
                      p99 * 1000, [error for tally in tallies for error in tally.errors])


def measure(directory: Path, *, reads_take_write_lock: bool, duration_seconds: float) -> LoadResult:
    """One run of the load on a fresh copy of the prepared venue."""
    database, token, session_ids = prepare_once(directory)
    mode = "immediate" if reads_take_write_lock else "deferred"
    copy = directory / mode / "venue.db"
    copy.parent.mkdir()
    shutil.copyfile(database, copy)
    port = free_port()
    server = serve(copy, port, reads_take_write_lock=reads_take_write_lock, log_path=directory / f"{mode}.log")
    try:
        return run_load(port, token, session_ids, duration_seconds)
    finally:
        stop(server)


_prepared: dict[Path, tuple[Path, str, list[int]]] = {}


def prepare_once(directory: Path) -> tuple[Path, str, list[int]]:
    """The venue prepared in ``directory``, built on first use."""
    if directory not in _prepared:
        venue = directory / "venue"
        venue.mkdir()
        _prepared[directory] = prepare(venue)
    return _prepared[directory]


def describe(label: str, result: LoadResult) -> str:
    """One line of figures."""
    return (f"  {label}: {result.requests} requests, {result.throughput:6.1f} req/s, p50 {result.p50_ms:7.1f} ms, "
            f"p99 {result.p99_ms:7.1f} ms (p99/p50 {result.p99_ms / result.p50_ms:5.1f}), "
            f"{len(result.errors)} errors")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load with reads taking the write lock, then as the code stands; print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.mixed_load")
    parser.add_argument("--seconds", type=float, default=DURATION_SECONDS, help="how long each run sends requests")
    args = parser.parse_args(argv)
    print(f"mixed API load: {CLIENTS} clients, {SEATS} seats each running a session, {args.seconds:.0f} s a run "
          f"({SEATS_SHARE:.0%} GET seats, {HEARTBEAT_SHARE:.0%} POST heartbeats, the rest GET a session; SQLite file)")
    with tempfile.TemporaryDirectory(prefix="compensator-bench-") as name:
        directory = Path(name)
        floor = measure(directory, reads_take_write_lock=True, duration_seconds=args.seconds)
        print(describe("floor, reads take the write lock", floor))
        now = measure(directory, reads_take_write_lock=False, duration_seconds=args.seconds)
        print(describe("deferred reads (as the code stands)", now))
    for error in sorted(set(now.errors))[:5]:
        print(f"    error: {error}")
    print(f"  throughput ratio to the floor {now.throughput / floor.throughput:5.1f} (target >= 3); "
          f"p99/p50 {now.p99_ms / now.p50_ms:5.1f} (target <= 10); errors {len(now.errors)} (target 0)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
