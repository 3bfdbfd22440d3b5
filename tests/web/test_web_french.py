"""The attendant's pages in French: the chosen language, the switch, the login page, plurals and fallbacks."""

from __future__ import annotations

import logging

import pytest

from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from tests.conftest import make_settings, power_cut_over
from tests.support.login import Auth, csrf_of
from web import create_app
from web.i18n import format_number

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}


@pytest.fixture
def staff(add_person) -> None:
    """ada, an attendant, and awa and bola, who chose French pages: awa an attendant, bola a manager."""
    add_person("ada")
    add_person("awa", pin="5678", language="fr")
    add_person("bola", role="manager", pin="4321", language="fr")


pytestmark = pytest.mark.usefixtures("staff")


def page(client, path: str = "/", **headers) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_a_french_attendant_sees_the_dashboard_in_french(client, auth) -> None:
    auth.login("awa", "5678")
    dashboard = page(client)
    assert '<html lang="fr">' in dashboard
    for words in ("Coupure de courant", "Tableau de bord", "Utiliser un bon", "Avis à remettre", "Libre",
                  "Déconnexion", "Terminer la séance", "Post-payé", "Aujourd'hui"):
        assert words in dashboard, words
    for english in ("Power cut", "Redeem voucher", "Notices to hand over", "Log out", "End session"):
        assert english not in dashboard, english


def test_the_dashboards_script_gets_its_words_in_french(client, auth) -> None:
    auth.login("awa", "5678")
    dashboard = page(client)
    assert '"confirmEnd": "Terminer la s\\u00e9ance du poste {seat}\\u00a0?"' in dashboard
    assert '"postpaid": "post-pay\\u00e9"' in dashboard


def test_the_seat_tiles_show_their_minutes_and_postpaid_in_french(client, auth) -> None:
    auth.login("awa", "5678")
    auth.post("/seats/G1/start", minutes="60")
    auth.post("/seats/G2/start", postpaid="1")
    dashboard = page(client)
    assert "<span class=\"minutes\">60\u00a0min</span>" in dashboard
    assert '<span class="minutes word">post-payé</span>' in dashboard
    assert '<span class="state">Libre</span>' in dashboard


def test_flash_messages_the_pages_compose_are_french_with_plurals(client, auth, uow, clock) -> None:
    auth.login("awa", "5678")
    auth.post("/seats/G1/start", minutes="60")
    assert "Poste G1\u00a0: séance commencée." in page(client)
    auth.post("/seats/G2/start", minutes="60")
    clock.advance(minutes=20)
    auth.post("/power-cut")
    assert "Coupure de courant notée à 14:20." in page(client)
    clock.advance(minutes=20)
    auth.post("/power-back")
    assert "Retour du courant. 2 clients dédommagés\u00a0: remettez-leur leurs avis." in page(client)


def test_one_customer_compensated_is_said_in_the_singular(client, auth, clock) -> None:
    auth.login("awa", "5678")
    auth.post("/seats/G1/start", minutes="60")
    clock.advance(minutes=20)
    auth.post("/power-cut")
    clock.advance(minutes=20)
    auth.post("/power-back")
    assert "Retour du courant. 1 client dédommagé\u00a0: remettez-lui son avis." in page(client)


def test_the_live_board_speaks_french_too(client, auth, uow, clock) -> None:
    power_cut_over(uow, clock, {"G1": 120}, after_minutes=20, lasting_minutes=20)
    auth.login("awa", "5678")
    board = client.get("/board.json").get_json()
    g1 = next(seat for seat in board["seats"] if seat["seat"] == "G1")
    assert g1["state_label"] == "En séance"
    assert [letter["label"] for letter in board["letters"]] == ["Poste G1 · 35\u00a0min en temps"]
    with uow() as unit:
        outages.start_outage(unit, actor="test")
    board = client.get("/board.json").get_json()
    assert board["outages"][0]["label"] == "Coupure de courant depuis 14:40 (toute la salle, manuelle)"


def test_the_switch_keeps_the_language_across_logins(client, auth) -> None:
    auth.login("ada", "1234")
    assert "Power cut" in page(client)
    response = auth.post("/language", language="fr", next="/reports")
    assert response.headers["Location"].endswith("/reports")
    reports = page(client, "/reports")
    assert "Rapports de fin de journée" in reports and "Les pages sont maintenant en français." in reports
    auth.post("/logout")
    assert "Log in" in page(client, "/login")
    auth.login("ada", "1234")
    assert "Coupure de courant" in page(client)
    auth.post("/language", language="en", next="/")
    assert "The pages are now in English." in page(client)


def test_a_language_the_pages_lack_is_refused_and_changes_nothing(client, auth) -> None:
    auth.login("awa", "5678")
    auth.post("/language", language="pcm", next="/")
    dashboard = page(client)
    assert "language must be en or fr" in dashboard and "Coupure de courant" in dashboard


def test_the_login_page_follows_the_browsers_language(client) -> None:
    assert "Connexion" in page(client, "/login", **FRENCH)
    assert "Code PIN" in page(client, "/login", **FRENCH)
    assert "Log in" in page(client, "/login", **{"Accept-Language": "en-GB,en;q=0.8"})
    assert "Log in" in page(client, "/login", **{"Accept-Language": "de-DE"})


def test_a_failed_login_is_told_in_the_browsers_language(client) -> None:
    token = csrf_of(client)
    response = client.post("/login", data={"name": "awa", "pin": "0000", "csrf_token": token}, headers=FRENCH)
    assert "Nom inconnu ou code PIN incorrect." in response.get_data(as_text=True)


def test_the_venues_default_language_serves_a_browser_that_asks_for_neither(runtime, clock, database_url) -> None:
    from compensator.runtime import Compensator

    french_venue = Compensator.open(make_settings(dashboard={"language": "fr"}), clock=clock,
                                    database_url=database_url)
    try:
        client = create_app(french_venue, {"TESTING": True, "SECRET_KEY": "test"}).test_client()
        assert "Connexion" in page(client, "/login", **{"Accept-Language": "de-DE"})
        assert "Connexion" in page(client, "/login")
        assert "Log in" in page(client, "/login", **{"Accept-Language": "en"})
    finally:
        french_venue.close()


def test_the_manager_page_and_the_error_pages_speak_french(client, auth) -> None:
    auth.login("bola", "4321")
    manage = page(client, "/manage")
    assert "Coupures des 7 derniers jours" in manage and "Jetons d'API" in manage and "gérant" in manage
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "Page introuvable" in missing.get_data(as_text=True)
    auth.post("/logout")
    auth.login("awa", "5678")
    refused = client.get("/manage")
    assert refused.status_code == 403
    assert "seul un gérant peut faire cela" in refused.get_data(as_text=True)


def test_the_json_api_stays_in_english_for_a_french_attendant(client, auth) -> None:
    auth.login("awa", "5678")
    refused = client.post("/api/v1/outages", json={"kind": "power"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["message"].startswith("the form has expired")


def test_numbers_follow_the_pages_language(app) -> None:
    with app.test_request_context("/login", headers=FRENCH):
        assert format_number(12345) == "12\u202f345"
    with app.test_request_context("/login"):
        assert format_number(12345) == "12,345"


def test_without_a_compiled_catalogue_the_pages_stay_in_english(runtime, uow, tmp_path, caplog) -> None:
    app = create_app(runtime, {"TESTING": True, "SECRET_KEY": "test", "TRANSLATIONS_DIRECTORY": str(tmp_path)})
    client = app.test_client()
    Auth(client).login("awa", "5678")
    with caplog.at_level(logging.WARNING, logger="web.i18n"):
        dashboard = page(client)
    assert "Power cut" in dashboard and '<html lang="fr">' in dashboard
    assert "no compiled fr catalogue" in caplog.text


def test_sessions_the_api_starts_show_on_a_french_board(client, auth, uow) -> None:
    with uow() as unit:
        sessions.start_session(unit, seat_id="A1", minutes=30, actor="test")
    auth.login("awa", "5678")
    assert "30\u00a0min" in page(client)


def test_ending_a_session_says_the_bill_in_french(client, auth, clock) -> None:
    auth.login("awa", "5678")
    auth.post("/seats/A1/start", postpaid="1")
    clock.advance(minutes=30)
    session_id = client.get("/board.json").get_json()["seats"][0]["session"]
    auth.post(f"/sessions/{session_id}/end")
    dashboard = page(client)
    assert "Poste A1\u00a0: séance terminée. À payer\u00a0: 30\u00a0min, 150,00\u00a0NGN." in dashboard
    assert "Imprimer la facture" in dashboard
    bill = page(client, f"/sessions/{session_id}/bill")
    assert "Facture · séance" in bill and "Temps utilisé" in bill and '<html lang="fr">' in bill
