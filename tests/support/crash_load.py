"""A crash load: the real server, killed with SIGKILL at random instants of a keyed load.

Shared by ``tests/system/test_crash.py`` (a few rounds, in CI) and ``bench/crash.py`` (a hundred rounds
or more). One run prepares a venue in a folder (the test venue's configuration, a SQLite file
and a device token made with ``compensator token create``), serves it with ``compensator run``
in a subprocess (``tests.support.crash_server``), and drives it with a few client threads, each
sending a seeded random mix of the API's mutations on a café of its own (``tests.support.crash_worker``).
Every request carries its own ``Idempotency-Key`` and is remembered with its key, path, body and
every attempt made to get it answered (``tests.support.crash_client``).

Each round kills the server with SIGKILL a few to a few hundred milliseconds into the load,
restarts it on the same database, lets every thread re-send its unanswered request with the
same key and body until it is answered, and re-sends a few requests that had been answered just
before the kill. ``tests.support.crash_checks`` then holds every answer against the database (SPEC
section 6: no acknowledged write lost, no half-applied outage, every credit applied once).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.crash_client import (
    ANSWER_DEADLINE_SECONDS,
    REQUEST_TIMEOUT_SECONDS,
    Client,
    KeyedRequest,
    RequestLog,
)
from tests.support.crash_server import CrashLoadError, Server, Venue, prepare_venue
from tests.support.crash_worker import Board, Choice, Worker, venue_layout


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
