"""Automatic outage sources on the web: the heartbeat answer, GET /sources, the banners, the agent download."""

from __future__ import annotations

import pytest

from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from compensator.services.sources import detection, server_gap
from tests.conftest import log_in_cookie, power_cut_over

pytestmark = pytest.mark.usefixtures("staff")


def logged_in(client, name="ada", role="attendant"):
    log_in_cookie(client, name, role)


def silent_gaming_seats(uow, clock, client, bearer):
    """G1–G3 run sessions and beat, then fall silent while A1 and A2 go on: one suspected outage."""
    for seat in ("G1", "G2", "G3", "A1", "A2"):
        with uow() as unit:
            sessions.start_session(unit, seat_id=seat, minutes=60, actor="test")
        client.post("/api/v1/heartbeats", json={"seat": seat}, headers=bearer)
    for _ in range(4):
        clock.advance(seconds=10)
        for seat in ("A1", "A2"):
            client.post("/api/v1/heartbeats", json={"seat": seat}, headers=bearer)
        with uow() as unit:
            detection.detect(unit)


def test_a_heartbeat_answers_with_a_null_message_when_nothing_is_owed(client, bearer) -> None:
    answer = client.post("/api/v1/heartbeats", json={"seat": "A1"}, headers=bearer).get_json()
    assert answer["seat"] == "A1" and answer["message"] is None and answer["at"].endswith("+01:00")


def test_sources_list_the_silent_seats_and_the_last_server_gap(client, bearer, uow, clock) -> None:
    no_changes = [{"zone": "standard", "name": "Standard", "ups": [], "changes": []},
                  {"zone": "gaming", "name": "Gaming", "ups": [], "changes": []}]
    assert client.get("/api/v1/sources", headers=bearer).get_json() == {
        "ups": [], "silent_seats": [], "last_server_gap": None, "equipment": {"zones": no_changes, "seats": []}}
    silent_gaming_seats(uow, clock, client, bearer)
    with uow() as unit:
        server_gap.start_run(unit)
    clock.advance(minutes=10)
    with uow() as unit:
        gap = server_gap.start_run(unit).gap_outage
    state = client.get("/api/v1/sources", headers=bearer).get_json()
    assert [item["seat"] for item in state["silent_seats"]] == ["A1", "A2", "G1", "G2", "G3"]
    assert state["last_server_gap"]["outage"] == gap.id
    assert client.get("/api/v1/sources").status_code == 401


def test_the_dashboard_shows_a_suspected_outage_as_a_banner_confirmed_with_one_click(client, bearer, uow,
                                                                                    clock) -> None:
    silent_gaming_seats(uow, clock, client, bearer)
    logged_in(client)
    board = client.get("/board.json").get_json()
    assert board["outages"] == []
    [banner] = board["suspected"]
    assert banner["label"] == "Seats G1–G3 stopped answering at 14:00 — was it a power cut?"
    page = client.get("/").get_data(as_text=True)
    assert "Seats G1–G3 stopped answering at 14:00" in page
    response = client.post(f"/outages/{banner['id']}/confirm", data={"csrf_token": "t"})
    assert response.status_code == 302
    board = client.get("/board.json").get_json()
    assert board["suspected"] == [] and [item["source"] for item in board["outages"]] == ["heartbeat"]
    # Only confirm and dismiss are offered here: anything else is refused with a message, and changes nothing.
    client.post(f"/outages/{banner['id']}/end", data={"csrf_token": "t"})
    assert [item["status"] for item in client.get("/board.json").get_json()["outages"]] == ["ongoing"]


def test_the_manager_page_shows_the_banner_and_a_dismiss_comes_back_to_it(client, bearer, uow, clock) -> None:
    silent_gaming_seats(uow, clock, client, bearer)
    logged_in(client, "bola", "manager")
    page = client.get("/manage").get_data(as_text=True)
    assert "stopped answering at 14:00" in page and 'name="from" value="manage"' in page
    [banner] = client.get("/board.json").get_json()["suspected"]
    response = client.post(f"/outages/{banner['id']}/dismiss", data={"csrf_token": "t", "from": "manage"})
    assert response.headers["Location"].endswith("/manage")
    assert client.get("/board.json").get_json()["suspected"] == []


def test_a_server_gap_banner_names_the_time_the_counter_pc_was_off(client, uow, clock) -> None:
    with uow() as unit:
        server_gap.start_run(unit)
    clock.advance(minutes=13)
    with uow() as unit:
        server_gap.start_run(unit)
    logged_in(client)
    [banner] = client.get("/board.json").get_json()["suspected"]
    assert banner["label"] == "The counter PC was off from 14:00 to 14:13 — was it a power cut?"
    client.post(f"/outages/{banner['id']}/confirm", data={"csrf_token": "t"})
    with uow() as unit:
        assert outages.start_outage(unit, actor="test").created


def test_the_seat_agent_is_downloaded_from_the_dashboard(client) -> None:
    assert client.get("/seat-agent.py").status_code == 302
    logged_in(client)
    response = client.get("/seat-agent.py")
    assert response.headers["Content-Disposition"] == "attachment; filename=seat_agent.py"
    source = response.get_data(as_text=True)
    assert "def main(" in source and "import flask" not in source


def test_a_heartbeat_may_carry_the_pcs_uptime_and_its_report_and_an_old_agents_still_works(
        client, bearer, uow, clock) -> None:
    old = client.post("/api/v1/heartbeats", json={"seat": "A1"}, headers=bearer)
    assert old.status_code == 200 and old.get_json()["went_down"] is None
    _, ids = power_cut_over(uow, clock, {"A2": 90}, after_minutes=5, lasting_minutes=20)
    clock.advance(minutes=2)
    went_down = {"after": "2026-11-22T14:06:00+01:00", "before": "2026-11-22T14:06:06+01:00"}
    answer = client.post("/api/v1/heartbeats", json={"seat": "A2", "up_seconds": 60, "went_down": went_down},
                         headers=bearer)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["went_down"].endswith(": recomputed")
    [outage] = client.get("/api/v1/outages", headers=bearer).get_json()["outages"]
    [item] = outage["compensations"]
    assert (item["dark_basis"], item["dark_start"], item["lost_minutes"]) == ("seat_report", "2026-11-22T14:06:00+01:00",
                                                                             19)
    assert item["adjustments"][0]["dark_basis"] == "seat_report"
    backwards = client.post("/api/v1/heartbeats", json={"seat": "A2", "went_down": {
        "after": went_down["before"], "before": went_down["after"]}}, headers=bearer)
    assert backwards.status_code == 400 and backwards.get_json()["error"]["field"] == "went_down"
    unknown = client.post("/api/v1/heartbeats", json={"seat": "A2", "uptime": 5}, headers=bearer)
    assert unknown.status_code == 400
    # Found by schemathesis: a report without its times is refused, not a server error.
    empty = client.post("/api/v1/heartbeats", json={"seat": "A2", "went_down": {}}, headers=bearer)
    assert empty.status_code == 400 and empty.get_json()["error"]["field"].startswith("went_down")
