"""End to end through ``compensator run``: seats falling silent, and the server killed across a long gap.

The real command runs in a subprocess on a temporary venue (``tests.support.crash_server``) with its
real scheduler: the detection job every 5 s, the alive record at start and every 30 s. Seats
post heartbeats over HTTP and stop; the suspected outage is read back through the API. Then
the server is killed with SIGKILL, its last alive record is moved ten minutes back (as if the
counter PC had been off that long), and it is started again, twice.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from tests.support.crash_server import Server, api_call, prepare_venue

SILENT_AFTER_SECONDS = 5
WAIT_SECONDS = 20


@pytest.fixture
def venue(tmp_path: Path):
    prepared = prepare_venue(tmp_path / "venue")
    config = yaml.safe_load(prepared.config_path.read_text(encoding="utf-8"))
    config["heartbeats"] = {"silent_after_seconds": SILENT_AFTER_SECONDS, "silent_share_percent": 50, "min_seats": 2}
    config["server_gap"] = {"threshold_minutes": 3}
    prepared.config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return prepared


@pytest.fixture
def server(venue):
    running = Server(venue)
    running.start()
    yield running
    running.stop()


def outages_of(venue, source: str) -> list[dict]:
    return [item for item in api_call(venue, "GET", "/outages")["outages"] if item["source"] == source]


def wait_for(condition, *, beating=(), venue=None):
    """Poll ``condition`` until it holds, seats in ``beating`` posting a heartbeat each second meanwhile."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        for seat in beating:
            api_call(venue, "POST", "/heartbeats", {"seat": seat})
        found = condition()
        if found:
            return found
        time.sleep(1)
    raise AssertionError("the server did not get there in time")


def back_date_last_alive(venue, minutes: int) -> None:
    path = venue.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        run_id, last = connection.execute(
            "SELECT id, last_alive_at FROM server_runs ORDER BY last_alive_at DESC LIMIT 1").fetchone()
        moved = datetime.fromisoformat(last) - timedelta(minutes=minutes)
        # The monotonic reading kept with it goes back as far: the server measures a stop by it.
        connection.execute("UPDATE server_runs SET last_alive_at = ?, started_at = MIN(started_at, ?), "
                           "alive_boot_seconds = alive_boot_seconds - ? WHERE id = ?",
                           (moved.isoformat(sep=" "), moved.isoformat(sep=" "), minutes * 60, run_id))
    connection.close()


def runs_recorded(venue) -> int:
    """How many runs of the server its database holds (each start records one)."""
    with sqlite3.connect(venue.database_url.removeprefix("sqlite:///")) as connection:
        (count,) = connection.execute("SELECT count(*) FROM server_runs").fetchone()
    connection.close()
    return count


def test_silent_seats_and_a_long_server_gap_raise_their_suspected_outages_once(venue, server) -> None:
    watched = ["G1", "G2", "G3", "G4"]
    sessions = {seat: api_call(venue, "POST", "/sessions", {"seat": seat, "minutes": 120})["id"] for seat in watched}
    sessions["G5"] = api_call(venue, "POST", "/sessions", {"seat": "G5", "minutes": 120})["id"]
    for seat in watched:
        api_call(venue, "POST", "/heartbeats", {"seat": seat})
    # G1–G3 fall silent while G4 goes on beating: one suspected outage over those three seats.
    [suspected] = wait_for(lambda: outages_of(venue, "heartbeat"), beating=["G4"], venue=venue)
    assert (suspected["status"], suspected["scope"], suspected["seats"]) == ("suspected", "seats",
                                                                              ["G1", "G2", "G3"])
    state = api_call(venue, "GET", "/sources")
    assert {item["seat"] for item in state["silent_seats"]} == {"G1", "G2", "G3"}
    time.sleep(2)
    # Their heartbeats back give it its end; confirming it credits exactly their sessions.
    ended = wait_for(lambda: [item for item in outages_of(venue, "heartbeat") if item["ended_at"]],
                     beating=watched, venue=venue)
    assert [item["id"] for item in ended] == [suspected["id"]]
    confirmed = api_call(venue, "POST", f"/outages/{suspected['id']}/confirm")
    assert sorted(item["session"] for item in confirmed["compensations"]) == sorted(
        sessions[seat] for seat in ("G1", "G2", "G3"))
    message = api_call(venue, "POST", "/heartbeats", {"seat": "G1"})["message"]
    assert message["text"].startswith("Sorry for the power cut — we added")

    # The counter PC loses power for ten minutes: killed, its last alive record moved back, restarted.
    server.kill()
    back_date_last_alive(venue, 10)
    runs = runs_recorded(venue)
    server.start()
    # The gap is judged by the first alive record, a job the scheduler runs as the server starts.
    [gap] = wait_for(lambda: outages_of(venue, "server_gap"), venue=venue)
    assert runs_recorded(venue) == runs + 1
    assert (gap["status"], gap["scope"], gap["ended_at"] is not None) == ("suspected", "venue", True)
    assert api_call(venue, "GET", "/sources")["last_server_gap"]["outage"] == gap["id"]
    server.kill()
    server.start()
    wait_for(lambda: runs_recorded(venue) == runs + 2, venue=venue)
    assert [item["id"] for item in outages_of(venue, "server_gap")] == [gap["id"]]
    confirmed = api_call(venue, "POST", f"/outages/{gap['id']}/confirm")
    # Every session ran through the gap. G1–G3 had part of it counted by the heartbeat outage
    # already (a minute is never credited twice), so whether anything is left for them depends
    # on how fast the server restarted; G4 and G5 lost time only to the gap.
    credited = [item["session"] for item in confirmed["compensations"]]
    assert len(credited) == len(set(credited))
    assert {sessions["G4"], sessions["G5"]} <= set(credited) <= set(sessions.values())
