"""The equipment record on the web: GET /sources gives each zone's last UPS status changes and each seat's last
bridges, in the documented shape; the manager page names the seat whose UPS held 1 of its rated 2 minutes."""

from __future__ import annotations

import pytest

from tests.conftest import log_in_cookie
from tests.support.weak_seat import weak_seat_history, weak_seat_settings
from web.schemas.devices import Sources

pytestmark = pytest.mark.usefixtures("staff")


@pytest.fixture
def settings():
    return weak_seat_settings()


def test_sources_give_the_last_status_changes_of_each_zone_and_the_last_bridges_of_each_seat(
        client, bearer, uow, clock) -> None:
    weak_seat_history(uow, clock)
    answer = client.get("/api/v1/sources", headers=bearer).get_json()
    Sources.model_validate(answer)
    zones = {zone["zone"]: zone for zone in answer["equipment"]["zones"]}
    assert zones["standard"]["ups"] == [] and zones["standard"]["changes"] == []
    gaming = zones["gaming"]
    assert gaming["ups"] == ["gaming-ups"]
    # Newest first; the second OL CHRG at 22% was no change, and OB DISCHRG from 99% to 60% was one.
    assert [(change["status"], change["battery_charge"]) for change in gaming["changes"]] == [
        ("OL CHRG RB", 60), ("OL CHRG", 22), ("OB DISCHRG LB", 20), ("OB DISCHRG", 60), ("OB DISCHRG", 99),
        ("OL", 100)]
    assert gaming["changes"][0]["at"].endswith("+01:00") and gaming["changes"][0]["source"] == "nut"
    seats = {seat["seat"]: seat for seat in answer["equipment"]["seats"]}
    # The gaming seats' bridges are their zone's UPS's low battery, the record of every basis.
    assert list(seats) == ["A3", "A5", "A7", "G1", "G2", "G3", "G4", "G5", "G6"]
    assert [(bridge["basis"], bridge["held_seconds"], bridge["rated_minutes"]) for bridge in seats["G1"]["bridges"]] \
        == [("ups_battery", 300, 15)]
    assert [(bridge["basis"], bridge["held_seconds"], bridge["rated_minutes"]) for bridge in seats["A3"]["bridges"]] \
        == [("seat_report", 180, 2), ("seat_report", 60, 2), ("seat_report", 60, 2)]
    assert seats["A3"]["zone"] == "standard" and seats["A3"]["bridges"][0]["dark_from"].endswith("+01:00")


def test_the_manager_page_names_the_weak_seat_and_shows_the_last_bridges(client, uow, clock) -> None:
    weak_seat_history(uow, clock)
    log_in_cookie(client, "bola", "manager")
    page = client.get("/manage").get_data(as_text=True)
    card = page.split('id="equipment"', 1)[1].split("</section>", 1)[0]
    assert ("Seat A3: its UPS held at most 1 min of its rated 2 minutes in 2 of the last 3 cuts — check its "
            "battery.") in card
    assert "Zone Gaming: NUT says the battery of UPS gaming-ups needs replacing (RB) — replace it." in card
    assert 'data-equipment="seat:A3"' in card and 'data-equipment="zone:gaming"' in card
    assert "<code>OB DISCHRG LB</code> 20%" in card
    assert "A7" in card and "Seat A7:" not in card.split("</ul>", 1)[0], "A7 fell short once only: no finding"


def test_the_manager_page_in_french_words_the_finding_in_french(client, auth, uow, clock) -> None:
    weak_seat_history(uow, clock)
    auth.login("bola", "4321")
    auth.post("/language", language="fr", next="/manage")
    findings = client.get("/manage").get_data(as_text=True).split('id="equipment"', 1)[1].split("</ul>", 1)[0]
    assert ("Poste A3 : son onduleur a tenu au plus 1\u00a0min de ses 2 minutes nominales dans 2 des 3 dernières "
            "coupures — vérifiez sa batterie.") in findings
