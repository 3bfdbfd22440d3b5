"""The API under a mixed load: 20 clients reading seats and sessions and sending heartbeats, 500 seats.

One venue of 500 seats, each running a session, is built on a SQLite file (``bench.mixed_venue``
in a subprocess) and served in a subprocess as ``compensator run`` serves it (waitress, the
scheduler and its jobs). 20 client threads, each on its own keep-alive connection with a device
token, send for a fixed time a seeded mix of ``GET /api/v1/seats`` (the seat PCs' and the
counter's board), ``POST /api/v1/heartbeats`` for a random seat (a write) and ``GET
/api/v1/sessions/<id>``.

It runs three times, each time on a venue of its own and with the same seeds, so the same
requests in the same order:

1. the baseline: the tree of commit b1d7794 (main when issue 14 was filed) extracted with ``git
   archive``, its venue built and served (``python -m web run``) by that tree's own code alone;
2. the floor: this checkout's ``bench.mixed_server`` with read-only units of work made to take
   SQLite's write lock at BEGIN (``--reads-take-write-lock``, as every transaction did before
   issue 14);
3. as the code stands.

Printed for each: requests, throughput, p50 and p99 latency, errors, p99 / p50; then the
throughput as a ratio to the baseline's and to the floor's. Targets: throughput >= 3 x the
baseline's, p99 <= 10 x p50, no error.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bench.common import venue_config

ROOT = Path(__file__).resolve().parent.parent
# Main when issue 14 was filed: the throughput the issue measured (95 req/s) was this commit's.
BASELINE_COMMIT = "b1d7794"
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


@dataclass(frozen=True)
class Venue:
    """A built venue: its database file, a device token and the ids of its sessions."""

    database: Path
    token: str
    session_ids: list[int]


def checkout_environment(checkout: Path, **extra: str) -> dict[str, str]:
    """The environment of a subprocess that imports ``compensator`` and ``web`` from ``checkout``."""
    return {**os.environ, "PYTHONPATH": str(checkout), **extra}


def build_venue(checkout: Path, config: Path, directory: Path) -> Venue:
    """The venue built in ``directory`` by ``checkout``'s own code (``bench/mixed_venue.py`` in a subprocess)."""
    directory.mkdir()
    database = directory / "venue.db"
    built = subprocess.run([sys.executable, "-P", str(ROOT / "bench" / "mixed_venue.py"), str(config),
                            f"sqlite:///{database.as_posix()}"], cwd=checkout, env=checkout_environment(checkout),
                           capture_output=True, text=True)
    if built.returncode:
        raise RuntimeError(f"building the venue with {checkout} failed:\n{built.stderr}")
    answer = json.loads(built.stdout)
    if not Path(answer["package"]).resolve().is_relative_to(checkout.resolve()):
        raise RuntimeError(f"the venue of {checkout} was built by {answer['package']}")
    return Venue(database, answer["token"], answer["sessions"])


def extract(commit: str, directory: Path) -> Path:
    """The tree of ``commit`` of this repository, written under ``directory``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], capture_output=True, check=True).stdout
    tree = directory / f"tree-{commit}"
    tree.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive)) as members:
        members.extractall(tree, filter="data")
    return tree


def serve(command: list[str], checkout: Path, port: int, log_path: Path, **environment: str) -> subprocess.Popen[bytes]:
    """Start ``command`` (a server on ``port``) with ``checkout`` on the path, and wait until it answers."""
    log = log_path.open("wb")
    server = subprocess.Popen(command, cwd=checkout, env=checkout_environment(checkout, **environment), stdout=log,
                              stderr=subprocess.STDOUT)
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


def measure(venue: Venue, command: list[str], checkout: Path, log_path: Path, duration_seconds: float,
            **environment: str) -> LoadResult:
    """One run of the load against ``command``'s server (``{database_url}`` and ``{port}`` filled in)."""
    port = free_port()
    filled = [part.format(database_url=f"sqlite:///{venue.database.as_posix()}", port=port) for part in command]
    environment = {name: value.format(database_url=f"sqlite:///{venue.database.as_posix()}")
                   for name, value in environment.items()}
    server = serve([sys.executable, *filled], checkout, port, log_path, **environment)
    try:
        return run_load(port, venue.token, venue.session_ids, duration_seconds)
    finally:
        stop(server)


def copy_venue(venue: Venue, directory: Path) -> Venue:
    """A copy of ``venue``'s database in ``directory``, for a run of its own."""
    directory.mkdir()
    shutil.copyfile(venue.database, directory / "venue.db")
    return Venue(directory / "venue.db", venue.token, venue.session_ids)


def describe(label: str, result: LoadResult) -> str:
    """One line of figures."""
    return (f"  {label}: {result.requests} requests, {result.throughput:6.1f} req/s, p50 {result.p50_ms:7.1f} ms, "
            f"p99 {result.p99_ms:7.1f} ms (p99/p50 {result.p99_ms / result.p50_ms:5.1f}), "
            f"{len(result.errors)} errors")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load on the baseline commit, with reads taking the write lock, then as the code stands."""
    parser = argparse.ArgumentParser(prog="python -m bench.mixed_load")
    parser.add_argument("--seconds", type=float, default=DURATION_SECONDS, help="how long each run sends requests")
    parser.add_argument("--baseline", default=BASELINE_COMMIT, metavar="COMMIT",
                        help=f"the commit served first, as the issue measured it (default {BASELINE_COMMIT}; "
                             "'' skips it)")
    args = parser.parse_args(argv)
    print(f"mixed API load: {CLIENTS} clients, {SEATS} seats each running a session, {args.seconds:.0f} s a run "
          f"({SEATS_SHARE:.0%} GET seats, {HEARTBEAT_SHARE:.0%} POST heartbeats, the rest GET a session; SQLite file)")
    with tempfile.TemporaryDirectory(prefix="compensator-bench-") as name:
        directory = Path(name)
        config = directory / "venue.yaml"
        config.write_text(yaml.safe_dump(venue_config(SEATS), allow_unicode=True), encoding="utf-8")
        baseline = None
        current = build_venue(ROOT, config, directory / "venue")
        if args.baseline:
            tree = extract(args.baseline, directory)
            old = build_venue(tree, config, directory / "baseline")
            if old.session_ids != current.session_ids:
                raise RuntimeError(f"the venue of {args.baseline} has other sessions than this checkout's")
            baseline = measure(old, ["-m", "web", "run", "--config", str(config), "--port", "{port}"], tree,
                               directory / "baseline.log", args.seconds, COMPENSATOR_DATABASE_URL="{database_url}",
                               COMPENSATOR_SECRET_KEY="bench")
            print(describe(f"{args.baseline} (the issue's baseline)", baseline))
        server = ["-m", "bench.mixed_server", "--config", str(config), "--database-url", "{database_url}",
                  "--port", "{port}"]
        floor = measure(copy_venue(current, directory / "immediate"), [*server, "--reads-take-write-lock"], ROOT,
                        directory / "immediate.log", args.seconds)
        print(describe("floor, reads take the write lock", floor))
        now = measure(copy_venue(current, directory / "deferred"), server, ROOT, directory / "deferred.log",
                      args.seconds)
        print(describe("as the code stands", now))
    for error in sorted(set(now.errors))[:5]:
        print(f"    error: {error}")
    against = f"to {args.baseline} {now.throughput / baseline.throughput:5.1f} (target >= 3), " if baseline else ""
    print(f"  throughput ratio {against}to the write-lock floor {now.throughput / floor.throughput:5.1f}; "
          f"p99/p50 {now.p99_ms / now.p50_ms:5.1f} (target <= 10); errors {len(now.errors)} (target 0)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
