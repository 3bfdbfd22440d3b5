"""Fault test: the PC's clock stepped under a running ``compensator run`` (issue 23, item 1).

The real command runs under libfaketime, its wall clock offset read from a file at every call
(``FAKETIME_TIMESTAMP_FILE`` with ``FAKETIME_NO_CACHE=1``) while its monotonic clocks are left
alone (``FAKETIME_DONT_FAKE_MONOTONIC=1``), as when NTP or a person steps the clock. The clock
is set back an hour, put right, then set forward a day, with sessions running, seats beating
and a real cut in between. What users see is checked: the API's sessions and bills, the
dashboard's warning, no outage the server invented, the scheduled jobs still running, and
every acknowledged change in the database exactly once. Skipped without Debian's ``faketime``
package, unless ``COMPENSATOR_REQUIRE_FAKETIME=1`` (as in CI).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.crash_server import ROOT, Server, Venue, command_environment, compensator_command, prepare_venue

LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
PIN = "2468"
# The clock job notices and records a step within 5 s; the seat-silence job runs every 5 s.
WAIT_SECONDS = 30


@pytest.fixture
def faketime(tmp_path: Path) -> Path:
    """The file libfaketime reads the server's clock offset from, at "+0" to begin with."""
    if not LIBFAKETIME.exists():
        if os.environ.get("COMPENSATOR_REQUIRE_FAKETIME"):
            pytest.fail(f"{LIBFAKETIME} is missing (apt-get install faketime)")
        pytest.skip("libfaketime is not installed (apt-get install faketime)")
    offset = tmp_path / "faketime.rc"
    offset.write_text("+0\n", encoding="utf-8")
    return offset


@pytest.fixture
def venue(tmp_path: Path) -> Venue:
    prepared = prepare_venue(tmp_path / "venue")
    config = yaml.safe_load(prepared.config_path.read_text(encoding="utf-8"))
    config["heartbeats"] = {"silent_after_seconds": 5, "silent_share_percent": 50, "min_seats": 2}
    config["server_gap"] = {"threshold_minutes": 3}
    prepared.config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    added = subprocess.run(compensator_command("attendant", "add", "Bola", "--role", "manager", "--config",
                                               str(prepared.config_path)),
                           cwd=ROOT, env=command_environment(prepared.database_url), input=PIN + "\n",
                           capture_output=True, text=True, timeout=120, check=False)
    assert added.returncode == 0, added.stderr
    return prepared


@pytest.fixture
def server(venue: Venue, faketime: Path) -> Iterator[Server]:
    running = Server(venue, environment={"LD_PRELOAD": str(LIBFAKETIME), "FAKETIME_TIMESTAMP_FILE": str(faketime),
                                         "FAKETIME_NO_CACHE": "1", "FAKETIME_DONT_FAKE_MONOTONIC": "1"})
    running.start()
    yield running
    running.stop()


class Api:
    """The API with the device token, each mutation under its own idempotency key."""

    def __init__(self, venue: Venue) -> None:
        self.venue = venue
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.keys = 0

    def __call__(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self.venue.token}", "Content-Type": "application/json"}
        if method == "POST":
            self.keys += 1
            headers["Idempotency-Key"] = f"clock-step-{self.keys}"
        request = urllib.request.Request(f"{self.venue.base_url}/api/v1{path}", method=method, headers=headers,
                                         data=None if body is None else json.dumps(body).encode())
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read())

    def ok(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        status, answer = self(method, path, body)
        assert status < 300, (status, answer)
        return answer


class Counter:
    """The dashboard, logged in as the manager through the login page."""

    def __init__(self, venue: Venue) -> None:
        self.base = venue.base_url
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                  urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self.page("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        form = urllib.parse.urlencode({"name": "Bola", "pin": PIN, "csrf_token": token.group(1)}).encode()
        with self.opener.open(f"{self.base}/login", data=form, timeout=10) as response:
            assert response.status == 200

    def page(self, path: str) -> str:
        with self.opener.open(f"{self.base}{path}", timeout=10) as response:
            return str(response.read().decode("utf-8"))

    def board(self) -> dict[str, Any]:
        answer: dict[str, Any] = json.loads(self.page("/board.json"))
        return answer


def until(what: str, check: Callable[[], Any], seconds: float = WAIT_SECONDS) -> Any:
    """Wait for ``check`` to answer something true; fail with ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"not seen within {seconds:.0f} s: {what}"
        time.sleep(0.25)


def rows(venue: Venue, query: str) -> list[tuple[Any, ...]]:
    path = venue.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path, timeout=10) as connection:
        return list(connection.execute(query))


def step_clock(faketime: Path, offset: str) -> None:
    """Set the server's clock ``offset`` from the real one, in one step.

    libfaketime reads the file at every clock reading (FAKETIME_NO_CACHE): written in place, a reading
    between the truncation and the write found it empty, took the real time for a moment and so
    stepped the clock there and back (two steps more in the audit log). Written aside and renamed, the
    file is always whole.
    """
    written = faketime.with_suffix(".partial")
    written.write_text(offset + "\n", encoding="utf-8")
    written.replace(faketime)


def minutes_since(moment: float) -> int:
    """Whole minutes begun since ``moment`` (a monotonic reading), at most what a bill may count."""
    return int((time.monotonic() - moment) // 60) + 1


def beat(api: Api, seats: list[str]) -> None:
    for seat in seats:
        api.ok("POST", "/heartbeats", {"seat": seat})


def test_stepping_the_clock_back_an_hour_and_forward_a_day_changes_no_bill_no_credit_and_stalls_nothing(
        venue: Venue, server: Server, faketime: Path) -> None:
    api, counter = Api(venue), Counter(venue)
    began = time.monotonic()
    a1 = api.ok("POST", "/sessions", {"seat": "A1", "minutes": 60})
    a2 = api.ok("POST", "/sessions", {"seat": "A2", "postpaid": True})
    g1 = api.ok("POST", "/sessions", {"seat": "G1", "minutes": 60})
    g2 = api.ok("POST", "/sessions", {"seat": "G2", "postpaid": True})
    # Seats whose PCs beat and then fall silent (the seat-silence job must notice it).
    beating = ["A3", "A4", "A5"]
    watched = [api.ok("POST", "/sessions", {"seat": seat, "minutes": 60}) for seat in beating]
    beat(api, beating)
    assert counter.board()["clock_warning"] == ""
    alive_before = rows(venue, "SELECT max(last_alive_at) FROM server_runs")[0][0]

    # Set back an hour: noticed within seconds, and told on the dashboard with its size.
    step_clock(faketime, "-1h")
    warning = until("the warning of the step back", lambda: counter.board()["clock_warning"])
    assert "set back by 1 h 0 min" in warning
    assert "set back by 1 h 0 min" in counter.page("/")
    # The seats that fell silent are noticed although the clock went back: the scheduler runs.
    silence = until("a suspected outage for the silent seats", lambda: [
        item for item in api.ok("GET", "/outages")["outages"] if item["source"] == "heartbeat"])
    assert len(silence) == 1 and silence[0]["status"] == "suspected"
    # Time still passes for the running sessions: no hour of unpaid time.
    assert api.ok("GET", f"/sessions/{a1['id']}")["remaining_minutes"] <= 60
    # A postpaid session ended now lasted what it lasted: never less than nothing, never 0 for time used.
    ended_a2 = api.ok("POST", f"/sessions/{a2['id']}/end")
    assert ended_a2["state"] == "ended" and ended_a2["ended_at"] >= ended_a2["started_at"]
    assert 1 <= ended_a2["bill"]["used_minutes"] <= minutes_since(began)

    # A real cut in the gaming zone (no UPS there): both sessions that ran through it are credited.
    cut = api.ok("POST", "/outages", {"kind": "power", "zones": ["gaming"]})
    time.sleep(3)
    ended_cut = api.ok("POST", f"/outages/{cut['id']}/end")
    credited = {item["session"]: item["credit_minutes"] for item in ended_cut["compensations"]}
    assert set(credited) == {g1["id"], g2["id"]}, ended_cut["compensations"]
    assert all(minutes > 0 for minutes in credited.values())

    # Put right, then forward a day: each step noticed once, no outage from a day that did not pass.
    step_clock(faketime, "+0")
    until("the warning of the step forward", lambda: "set forward by 1 h 0 min" in counter.board()["clock_warning"])
    step_clock(faketime, "+1d")
    warning = until("the warning of the day forward",
                    lambda: "set forward by 1 day 0 h 0 min" in counter.board()["clock_warning"]
                    and counter.board()["clock_warning"])
    assert "Times shown here are 1 day 0 h 0 min behind the PC's clock" in warning
    beat(api, beating)  # the silent seats beat again: the silence ends, noticed by the scheduler
    until("the end of the seats' silence", lambda: api.ok("GET", f"/outages/{silence[0]['id']}")["ended_at"])
    for session in (a1, g1):
        seen = api.ok("GET", f"/sessions/{session['id']}")
        assert seen["state"] == "running", seen
        # What was bought and credited, less the time that really passed: not a day gone.
        bought = 60 + credited.get(session["id"], 0)
        assert bought - minutes_since(began) <= seen["remaining_minutes"] <= bought
    ended_g2 = api.ok("POST", f"/sessions/{g2['id']}/end")
    assert 1 <= ended_g2["bill"]["used_minutes"] <= minutes_since(began)
    assert ended_g2["bill"]["billed_minutes"] <= ended_g2["bill"]["used_minutes"]
    assert api.ok("GET", "/sources")["last_server_gap"] is None

    # Put right again: an ended session stays ended and cannot be ended a second time.
    step_clock(faketime, "+0")
    until("the warning of the step back to the right time",
          lambda: "set back by 1 day 0 h 0 min" in counter.board()["clock_warning"])
    assert api.ok("GET", f"/sessions/{g2['id']}")["state"] == "ended"
    status, refused = api("POST", f"/sessions/{g2['id']}/end")
    assert status == 409, refused
    # The alive record kept moving through every step, and never went back.
    until("an alive record after the steps",
          lambda: rows(venue, "SELECT max(last_alive_at) FROM server_runs")[0][0] > alive_before, seconds=40)
    assert rows(venue, "SELECT count(*) FROM server_runs") == [(1,)]

    # Stopped, the clock set a day forward meanwhile, started again: a step, not a day that passed.
    stopped = time.monotonic()
    server.kill()
    step_clock(faketime, "+1d")
    server.start()
    counter = Counter(venue)
    assert "set forward by 1 day 0 h 0 min" in counter.board()["clock_warning"]
    assert api.ok("GET", "/sources")["last_server_gap"] is None
    seen = api.ok("GET", f"/sessions/{a1['id']}")
    assert seen["state"] == "running" and 60 - minutes_since(began) <= seen["remaining_minutes"] <= 60
    assert time.monotonic() - stopped < 60
    for session in (a1, g1, *watched):
        ended = api.ok("POST", f"/sessions/{session['id']}/end")
        assert ended["state"] == "ended"

    # Nothing invented, nothing lost, nothing doubled.
    assert rows(venue, "SELECT count(*) FROM outages WHERE source = 'server_gap'") == [(0,)]
    assert sorted(rows(venue, "SELECT seat_session_id, count(*) FROM session_events WHERE kind = 'end' "
                              "GROUP BY seat_session_id")) == sorted(
        (session["id"], 1) for session in (a1, a2, g1, g2, *watched))
    # The one real cut, and the seats' silences (they beat only when told to): nothing else.
    assert rows(venue, "SELECT source, count(*) FROM outages WHERE source != 'heartbeat' GROUP BY source") == [
        ("api", 1)]
    steps = [json.loads(after)["size_seconds"] for (after,) in rows(
        venue, "SELECT after FROM audit_log WHERE action = 'clock.step' ORDER BY id")]
    assert steps == [-3600, 3600, 86400, -86400, 86400]
    log = server.log_path.read_text(encoding="utf-8")
    told = re.findall(r"^\S+ \S+ WARNING compensator\.clock: the PC's clock was set (\w+) by ([^a]+) at", log,
                      re.MULTILINE)
    assert told == [("back", "1 h 0 min"), ("forward", "1 h 0 min"), ("forward", "1 d 0 h 0 min"),
                    ("back", "1 d 0 h 0 min")]
    assert len(re.findall(r"^\S+ \S+ WARNING compensator\.clock: the PC's clock was set forward by 1 d 0 h 0 min "
                          r"while the server was stopped", log, re.MULTILINE)) == 1
    assert "Traceback" not in log
