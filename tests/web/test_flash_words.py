"""What the flash says after a session or outage action: what happened, in words, in English and in French."""

from __future__ import annotations

import html
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from tests.conftest import power_cut_over


@pytest.fixture
def staff(add_person) -> None:
    """ada and bola with English pages, awa and ama (a manager) with French ones."""
    add_person("ada")
    add_person("bola", role="manager", pin="4321")
    add_person("awa", pin="5678", language="fr")
    add_person("ama", role="manager", pin="8765", language="fr")


pytestmark = pytest.mark.usefixtures("staff")

SESSION_WORDS = {
    "en": ["Seat A3: 30 min added (90 min paid in all).", "Session on A3 paused.", "Session on A3 resumed.",
           "Seat A3 moved to A4."],
    "fr": ["Poste A3\u00a0: 30 min ajoutées (90 min payées en tout).", "Séance du poste A3 mise en pause.",
           "Séance du poste A3 reprise.", "Poste A3 déplacé vers A4."],
}
OUTAGE_WORDS = {
    "en": ["dismissed: nobody is compensated for it.", "corrected: its credits follow the new times.",
           "confirmed: 1 customer compensated."],
    "fr": ["écartée\u00a0: personne n'est dédommagé pour elle.",
           "corrigée\u00a0: ses crédits suivent les nouvelles heures.", "confirmée\u00a0: 1 client dédommagé."],
}
PEOPLE = {"en": (("ada", "1234"), ("bola", "4321")), "fr": (("awa", "5678"), ("ama", "8765"))}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_session_action_says_what_happened(client, auth, uow, language) -> None:
    with uow() as unit:
        session_id = sessions.start_session(unit, seat_id="A3", minutes=60, actor="test").id
    auth.login(*PEOPLE[language][0])
    shown = []
    for action, fields in (("extend", {"minutes": "30"}), ("pause", {}), ("resume", {}), ("move", {"seat": "A4"})):
        auth.post(f"/sessions/{session_id}/{action}", **fields)
        shown.append(client.get("/").get_data(as_text=True))
    for words, page in zip(SESSION_WORDS[language], shown, strict=True):
        assert words in page, words
        assert " done." not in page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_outage_action_on_the_manager_page_says_what_happened(client, auth, uow, clock, language) -> None:
    outage, _ = power_cut_over(uow, clock, {"G1": 120}, after_minutes=20, lasting_minutes=20)
    clock.advance(minutes=1)
    with uow() as unit:
        dismissed = outages.start_outage(unit, seats=["A1"], source="heartbeat", suspected=True, actor="test")
    clock.advance(minutes=1)
    with uow() as unit:
        outages.end_outage(unit, dismissed.id, actor="test")
    auth.login(*PEOPLE[language][1])
    auth.post(f"/manage/outages/{dismissed.id}/dismiss", reason="the agent restarted")
    first = client.get("/manage").get_data(as_text=True)
    end = (outage.ended_at - timedelta(minutes=5)).astimezone(ZoneInfo("Africa/Lagos"))
    auth.post(f"/manage/outages/{outage.id}/correct", ended_at=end.strftime("%Y-%m-%dT%H:%M:%S"), reason="log")
    second = client.get("/manage").get_data(as_text=True)
    clock.advance(minutes=1)
    with uow() as unit:
        confirmed = outages.start_outage(unit, source="heartbeat", suspected=True, actor="test")
    clock.advance(minutes=5)
    with uow() as unit:
        outages.end_outage(unit, confirmed.id, actor="test")
    auth.post(f"/manage/outages/{confirmed.id}/confirm")
    third = client.get("/manage").get_data(as_text=True)
    word = {"en": "Outage", "fr": "Coupure"}[language]
    for outage_id, words, page in zip((dismissed.id, outage.id, confirmed.id), OUTAGE_WORDS[language],
                                      (first, second, third), strict=True):
        assert f"{word} {outage_id} {words}" in html.unescape(page), words
        assert " done." not in page
