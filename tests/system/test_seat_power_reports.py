"""Issue 24's "Done means": real seat agents killed with SIGKILL (their PCs losing power) against ``compensator run``.

A zone rated 2 minutes, three running seats with agents, a 4-minute cut. A1's agent is killed one
minute in, under ``faketime`` three hours wrong; A3's three minutes in, after the rating ran out;
A2's keeps beating. After Power back the two killed agents start again on a "new boot" (their
PCs did not really restart: ``COMPENSATOR_AGENT_BOOT_ID`` stands for it) and report when their
PCs went down. The policy rounds to the minute and caps lost work at one minute here, so that
each measured minute shows in the credit. That test lasts about five minutes of real time and is
marked ``crash`` (``make test-fast`` leaves it out); a quick one checks the wrong clock alone.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from compensator import seat_agent
from tests.support.crash_server import Server, api_call, prepare_venue

AGENT_FILE = Path(seat_agent.__file__)
CUT_SECONDS = 240
# The agent rewrites its record every 5 s: it went down at most that (and a second's slack) after it.
RECORD_SECONDS = seat_agent.RECORD_SECONDS + seat_agent.RECORD_SLACK_SECONDS
pytestmark = pytest.mark.skipif(shutil.which("faketime") is None, reason="faketime is not installed")


@pytest.fixture
def workdir():
    """A folder of the test's own: a run of minutes outlives the rotation of pytest's temporary folders by
    the other pytest runs on this machine."""
    path = Path(tempfile.mkdtemp(prefix="seat-power-reports-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def venue(workdir: Path):
    prepared = prepare_venue(workdir / "venue")
    config = yaml.safe_load(prepared.config_path.read_text(encoding="utf-8"))
    for zone in config["zones"]:
        if zone["id"] == "standard":
            zone["ups_minutes"] = 2
    config["policy"] = {**config.get("policy", {}), "round_to_minutes": 1, "lost_work_cap_minutes": 1}
    # No suspected outage from the killed agents' silence: the cut is the attendant's.
    config["heartbeats"] = {"silent_after_seconds": 5, "silent_share_percent": 100, "min_seats": 50}
    prepared.config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return prepared


@pytest.fixture
def server(venue):
    running = Server(venue)
    running.start()
    yield running
    running.stop()


class Agents:
    """Real agent processes, one per seat, each with its own state folder."""

    def __init__(self, venue, tmp_path: Path) -> None:
        self.venue = venue
        self.tmp_path = tmp_path
        self.token = tmp_path / "token.txt"
        self.token.write_text(venue.token, encoding="utf-8")
        self.running: dict[str, subprocess.Popen[str]] = {}

    def start(self, seat: str, boot: str, *, hours_wrong: int = 0) -> None:
        environment = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
        environment[seat_agent.BOOT_ID_VARIABLE] = boot
        prefix: list[str] = []
        if hours_wrong:
            environment["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
            prefix = ["faketime", "-f", f"{hours_wrong:+d}h"]
        self.running[seat] = subprocess.Popen(
            [*prefix, sys.executable, str(AGENT_FILE), "--server", self.venue.base_url, "--seat", seat,
             "--token-file", str(self.token), "--every", "1", "--state-dir", str(self.tmp_path / seat)],
            cwd=self.tmp_path, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            # faketime runs the agent as its child: the whole group is the PC.
            start_new_session=True)

    def record(self, seat: str) -> dict:
        path = self.tmp_path / seat / f"seat-{seat}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def kill(self, seat: str) -> float:
        """Its PC loses power: SIGKILL, nothing written after. The moment, by this host's clock."""
        process = self.running.pop(seat)
        os.killpg(process.pid, signal.SIGKILL)
        killed = time.time()
        process.wait(timeout=10)
        assert process.stderr is not None
        process.stderr.close()
        return killed

    def stop_all(self) -> list[str]:
        errors = []
        for process in self.running.values():
            os.killpg(process.pid, signal.SIGTERM)
            errors.append(process.communicate(timeout=10)[1])
        self.running.clear()
        return errors


@pytest.fixture
def agents(venue, workdir):
    running = Agents(venue, workdir)
    yield running
    running.stop_all()


def sleep_until(moment: float) -> None:
    time.sleep(max(moment - time.time(), 0))


def compensations(venue, outage_id: int) -> dict[str, dict]:
    [outage] = [item for item in api_call(venue, "GET", "/outages")["outages"] if item["id"] == outage_id]
    return {item["seat"]: item for item in outage["compensations"]}


def moment(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def test_an_agent_whose_clock_is_three_hours_ahead_reports_the_moment_of_its_kill_in_the_servers_time(
        venue, server, agents) -> None:
    agents.start("A1", "boot-1", hours_wrong=3)
    deadline = time.time() + 20
    while not agents.record("A1").get("anchor"):
        assert time.time() < deadline, "the agent did not reach the server"
        time.sleep(0.5)
    time.sleep(7)  # a record or two more, each with the PC's uptime
    killed = agents.kill("A1")
    agents.start("A1", "boot-2", hours_wrong=3)
    database = venue.database_url.removeprefix("sqlite:///")
    deadline = time.time() + 30
    while True:
        with sqlite3.connect(database) as connection:
            row = connection.execute("SELECT down_after, down_before, outcome FROM seat_power_reports").fetchone()
        connection.close()
        if row is not None:
            break
        assert time.time() < deadline, "no report from the agent started again"
        time.sleep(0.5)
    after, before = (datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() for text in row[:2])
    # Kept in UTC by the server's clock: the PC's own clock, three hours ahead, plays no part.
    assert killed - RECORD_SECONDS - 1 <= after <= killed + 1
    # The next record was due 6 s after the last; an agent started again sooner than that came back by then.
    assert 0 <= before - after <= RECORD_SECONDS
    assert row[2] == "no ended power cut over this seat at that moment"
    assert all("Traceback" not in error for error in agents.stop_all())


@pytest.mark.crash
def test_killed_agents_report_when_their_pcs_went_down_and_each_is_credited_once(venue, server, agents) -> None:
    for seat in ("A1", "A2", "A3"):
        api_call(venue, "POST", "/sessions", {"seat": seat, "minutes": 60})
    agents.start("A1", "boot-1", hours_wrong=-3)
    agents.start("A2", "boot-1")
    agents.start("A3", "boot-1")
    deadline = time.time() + 20
    while not all(agents.record(seat).get("anchor") for seat in ("A1", "A2", "A3")):
        assert time.time() < deadline, "the agents did not reach the server"
        time.sleep(0.5)
    # A1's PC clock is three hours behind, yet its record holds the server's time.
    outage = api_call(venue, "POST", "/outages", {"kind": "power"})
    cut_at = moment(outage["started_at"])
    # A minute in (its record, rewritten every 5 s, places the moment up to 6 s before the kill).
    sleep_until(cut_at + 68)
    killed_a1 = agents.kill("A1")
    sleep_until(cut_at + 188)
    killed_a3 = agents.kill("A3")
    sleep_until(cut_at + CUT_SECONDS + 0.5)
    # Power back four minutes after the cut began, to the microsecond (a late click would add a minute).
    ended = api_call(venue, "POST", f"/outages/{outage['id']}/end", {
        "ended_at": (datetime.fromisoformat(outage["started_at"]) + timedelta(seconds=CUT_SECONDS)).isoformat()})
    assert ended["status"] == "ended"
    first = compensations(venue, outage["id"])
    # A2 kept beating through the cut: nothing; A1 and A3 by the rating, dark from two minutes in.
    assert set(first) == {"A1", "A3"}
    for seat in ("A1", "A3"):
        assert first[seat]["dark_basis"] == "ups_rating" and first[seat]["adjustments"] == []
        assert moment(first[seat]["dark_start"]) == pytest.approx(cut_at + 120, abs=1)
    rated = {seat: first[seat]["granted_minutes"] for seat in ("A1", "A3")}

    # The PCs boot again: the agents start on a new boot and report.
    restarted = time.time()
    agents.start("A1", "boot-2", hours_wrong=-3)
    agents.start("A3", "boot-2")
    deadline = restarted + 60
    while True:
        now = compensations(venue, outage["id"])
        if all(now[seat]["adjustments"] for seat in ("A1", "A3")):
            break
        if time.time() >= deadline:
            records = {seat: agents.record(seat) for seat in ("A1", "A3")}
            raise AssertionError(f"no correction from the agents' reports within a minute: {now}\n{records}\n"
                                 f"{agents.stop_all()}\n{server.log_tail(60)}")
        time.sleep(1)
    time.sleep(5)  # the agents go on beating (and would repeat an unanswered report): still one adjustment each
    now = compensations(venue, outage["id"])
    a1, a3 = now["A1"], now["A3"]
    assert [len(a1["adjustments"]), len(a3["adjustments"])] == [1, 1]
    assert set(now) == {"A1", "A3"}

    # A1: went down a minute in, measured within its record's interval of the kill despite its clock.
    [adjustment] = a1["adjustments"]
    dark = moment(adjustment["dark_start"])
    assert killed_a1 - RECORD_SECONDS - 1 <= dark <= killed_a1 + 1
    assert adjustment["dark_basis"] == "seat_report" and adjustment["lost_minutes"] == 3
    assert adjustment["topup_minutes"] == adjustment["credit_minutes"] - rated["A1"] > 0
    assert a1["granted_minutes"] == adjustment["credit_minutes"]
    # A3: went down after the rating: nothing taken back, the difference waived.
    [adjustment] = a3["adjustments"]
    dark = moment(adjustment["dark_start"])
    assert killed_a3 - RECORD_SECONDS - 1 <= dark <= killed_a3 + 1
    assert adjustment["dark_basis"] == "seat_report" and adjustment["lost_minutes"] == 1
    assert adjustment["topup_minutes"] == 0 and adjustment["waived_minutes"] == rated["A3"] - adjustment["credit_minutes"] > 0
    assert a3["granted_minutes"] == rated["A3"]
    assert "waived" in adjustment["explanation"] and "after its UPS's rated 2" in adjustment["explanation"]

    # The same report posted again, as an agent whose answer was lost would: nothing more.
    after = datetime.fromisoformat(a1["adjustments"][0]["dark_start"])
    again = api_call(venue, "POST", "/heartbeats", {"seat": "A1", "up_seconds": 100, "went_down": {
        "after": after.isoformat(), "before": (after + timedelta(seconds=6)).isoformat()}})
    assert again["went_down"] == f"outage {outage['id']}: recomputed"
    assert [len(item["adjustments"]) for item in compensations(venue, outage["id"]).values()] == [1, 1]
    assert all("Traceback" not in error for error in agents.stop_all())
