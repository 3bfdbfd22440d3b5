"""The dashboard, login and manager pages through the Flask test client on a real database."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from compensator.services.outages import use_cases as outages
from compensator.services.outages import views as outage_views
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions import views as session_views
from compensator.store.models import Notice, Outage
from tests.conftest import VENUE, make_settings, power_cut_over

pytestmark = pytest.mark.usefixtures("staff")


def count(uow, model) -> int:
    with uow() as unit:
        return unit.db.scalar(select(func.count()).select_from(model))


def test_health_answers_ok_without_login(client) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_the_dashboard_sends_strangers_to_the_login_page(client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_an_attendant_logs_in_sees_every_seat_and_logs_out(client, auth, uow) -> None:
    with uow() as unit:
        sessions.start_session(unit, seat_id="A2", minutes=45, actor="test")
    assert auth.login().status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert page.count('class="seat ') == 18
    assert 'data-seat="A2"' in page
    assert "45 min" in page
    assert "Power cut" in page
    auth.post("/logout")
    assert client.get("/").status_code == 302


def test_a_wrong_pin_is_refused_and_repeated_failures_are_throttled(client, auth) -> None:
    assert auth.login(pin="9999").status_code == 401
    for _ in range(4):
        auth.login(pin="9999")
    response = auth.login(pin="1234")
    assert response.status_code == 429
    assert "Too many" in response.get_data(as_text=True)


def test_a_login_without_the_csrf_token_is_refused(client) -> None:
    client.get("/login")
    response = client.post("/login", data={"name": "ada", "pin": "1234"})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_a_form_without_the_csrf_token_changes_nothing(client, auth, uow) -> None:
    auth.login()
    client.post("/power-cut", data={})
    assert count(uow, Outage) == 0


def test_power_cut_twice_then_power_back_compensates_and_queues_notices(client, auth, uow, clock) -> None:
    auth.login()
    auth.post("/seats/G1/start", minutes="120")
    auth.post("/seats/G2/start", postpaid="1")
    clock.advance(minutes=30)
    auth.post("/power-cut")
    auth.post("/power-cut")
    assert count(uow, Outage) == 1
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'id="power-cut-form"[^>]*hidden', page)
    assert not re.search(r'id="power-back-form"[^>]*hidden', page)
    clock.advance(minutes=20)
    response = auth.post("/power-back")
    assert response.status_code == 302
    assert count(uow, Notice) == 2
    board = client.get("/board.json").get_json()
    assert board["outages"] == []
    assert [item["seat"] for item in board["letters"]] == ["G1", "G2"]
    assert board["figures"]["pending_notices"] == 2


def test_a_zone_power_cut_darkens_only_that_zone(client, auth) -> None:
    auth.login()
    auth.post("/power-cut", zone="gaming")
    seats = {seat["seat"]: seat for seat in client.get("/board.json").get_json()["seats"]}
    assert seats["G1"]["dark"] and not seats["A1"]["dark"]
    assert seats["A1"]["on_ups"] is False


def test_quick_actions_extend_pause_resume_move_and_end_a_session(client, auth, uow) -> None:
    auth.login()
    auth.post("/seats/A1/start", minutes="30", customer_name="Tunde", language="fr")
    with uow() as unit:
        session_id = session_views.list_open_sessions(unit)[0].id
    for action, data in [("extend", {"minutes": "60"}), ("pause", {}), ("resume", {}), ("move", {"seat": "A5"})]:
        assert auth.post(f"/sessions/{session_id}/{action}", **data).status_code == 302
    with uow() as unit:
        view = session_views.get_session(unit, session_id)
    assert (view.seat_id, view.paid_minutes, view.customer_name, view.language) == ("A5", 90, "Tunde", "fr")
    auth.post(f"/sessions/{session_id}/end")
    board = client.get("/board.json").get_json()
    assert all(seat["state"] == "free" for seat in board["seats"])


def test_a_refused_action_is_explained_in_a_message(client, auth) -> None:
    auth.login()
    auth.post("/seats/A1/start", minutes="30")
    response = auth.post("/seats/A1/start", minutes="30")
    assert response.status_code == 302
    assert "busy" in client.get("/").get_data(as_text=True)
    auth.post("/seats/A2/start", minutes="abc")
    assert "choose a number of minutes" in client.get("/").get_data(as_text=True)


def test_manager_pages_are_refused_to_attendants(client, auth) -> None:
    auth.login()
    assert client.get("/manage").status_code == 403
    assert auth.post("/manage/tokens", name="door").status_code == 403


def test_a_manager_approves_a_large_credit_and_corrects_an_outage(client, auth, uow, clock) -> None:
    with uow() as unit:
        sessions.start_session(unit, seat_id="G1", minutes=360, actor="test")
    clock.advance(minutes=60)
    with uow() as unit:
        outage = outages.start_outage(unit, actor="test")
    clock.advance(minutes=240)
    with uow() as unit:
        compensation = outages.end_outage(unit, outage.id, actor="test").compensations[0]
    auth.login("bola", "4321")
    page = client.get("/manage").get_data(as_text=True)
    assert "Credits awaiting approval" in page and "255 min" in page
    assert "rounded up to a multiple of 5 min" in page
    approved = auth.post(f"/manage/compensations/{compensation.id}/approve", idempotency_key="approve-1")
    assert approved.status_code == 302
    assert "255 min approved for seat G1." in client.get("/manage").get_data(as_text=True)
    clock.advance(minutes=10)
    corrected_end = (outage.started_at + timedelta(minutes=250)).astimezone(ZoneInfo("Africa/Lagos"))
    auth.post(f"/manage/outages/{outage.id}/correct", ended_at=corrected_end.strftime("%Y-%m-%dT%H:%M"),
              reason="generator log")
    with uow() as unit:
        view = outage_views.get_outage(unit, outage.id)
    assert view.compensations[0].status.value == "applied"
    assert view.compensations[0].current.credit_minutes == 265
    assert view.compensations[0].granted_minutes == 265


def test_a_manager_adds_an_attendant_and_creates_a_token_shown_once(client, auth) -> None:
    auth.login("bola", "4321")
    auth.post("/manage/attendants", name="chika", role="attendant", pin="2468")
    response = client.get("/manage")
    assert "chika" in response.get_data(as_text=True)
    auth.post("/manage/tokens", name="ups-monitor")
    page = client.get("/manage").get_data(as_text=True)
    assert re.search(r"cmp_[\w-]{20,}", page)
    assert not re.search(r"cmp_[\w-]{20,}", client.get("/manage").get_data(as_text=True))


def form_keys(page: str) -> list[str]:
    return re.findall(r'name="idempotency_key" value="([^"]+)"', page)


def test_every_form_on_the_dashboard_carries_a_key_of_its_own(auth, client) -> None:
    auth.login()
    page = client.get("/").get_data(as_text=True)
    keys = form_keys(page)
    assert len(keys) == page.count('method="post"') - 1  # the logout form needs none
    assert len(set(keys)) == len(keys)
    assert not set(keys) & set(form_keys(client.get("/").get_data(as_text=True)))


def test_a_double_submit_of_extend_extends_once_and_shows_the_same_outcome(auth, client, uow) -> None:
    auth.login()
    with uow() as unit:
        session_id = sessions.start_session(unit, seat_id="A1", minutes=60, actor="test").id
    key = form_keys(client.get("/").get_data(as_text=True))[0]
    first = auth.post(f"/sessions/{session_id}/extend", minutes="30", idempotency_key=key)
    again = auth.post(f"/sessions/{session_id}/extend", minutes="30", idempotency_key=key)
    assert (first.status_code, again.status_code) == (302, 302)
    assert first.headers["Location"] == again.headers["Location"]
    with uow() as unit:
        assert session_views.get_session(unit, session_id).paid_minutes == 90
    assert "Seat A1: 30 min added (90 min paid in all)." in client.get("/").get_data(as_text=True)
    conflict = auth.post(f"/sessions/{session_id}/extend", minutes="60", idempotency_key=key)
    assert conflict.status_code == 302
    assert "different request" in client.get("/").get_data(as_text=True)


def test_a_double_submit_of_power_back_compensates_once(auth, client, uow, clock) -> None:
    auth.login()
    with uow() as unit:
        sessions.start_session(unit, seat_id="G1", minutes=120, actor="test")
    auth.post("/power-cut")
    clock.advance(minutes=20)
    key = form_keys(client.get("/").get_data(as_text=True))[0]
    for _ in range(2):
        auth.post("/power-back", idempotency_key=key)
    with uow() as unit:
        assert [len(item.compensations) for item in outage_views.list_outages(unit)] == [1]
        assert unit.db.scalar(select(func.count()).select_from(Notice)) == 1


def correction_form(page: str, outage_id: int) -> dict[str, str]:
    """The fields of an outage's correction form as the manager page renders them."""
    form = re.search(rf'action="/manage/outages/{outage_id}/correct"[^>]*>(.*?)</form>', page, re.S).group(1)
    return dict(re.findall(r'<input[^>]*name="([^"]+)" value="([^"]*)"', form))


def test_correcting_only_the_end_leaves_the_start_to_the_second_and_an_unchanged_form_is_refused(
        client, auth, uow, clock) -> None:
    clock.advance(seconds=15.25)
    outage, _ = power_cut_over(uow, clock, {"G1": 120}, after_minutes=16, lasting_minutes=29)
    auth.login("bola", "4321")
    fields = correction_form(client.get("/manage").get_data(as_text=True), outage.id)
    assert fields["started_at"].endswith(":15")
    unchanged = client.post(f"/manage/outages/{outage.id}/correct", data={**fields, "reason": "checked"})
    assert unchanged.status_code == 302
    assert "the correction changes nothing" in client.get("/manage").get_data(as_text=True)
    with uow() as unit:
        assert outage_views.get_outage(unit, outage.id) == outage
    shortened = fields["ended_at"][:-5] + "40:15"
    client.post(f"/manage/outages/{outage.id}/correct", data={**fields, "ended_at": shortened, "reason": "log",
                                                               "idempotency_key": "correct-1"})
    with uow() as unit:
        corrected = outage_views.get_outage(unit, outage.id)
    assert corrected.started_at == outage.started_at
    assert corrected.ended_at.astimezone(ZoneInfo("Africa/Lagos")).strftime("%H:%M:%S") == "14:40:15"


class TestATwelveHourVenue:
    """A venue whose config says ``clock: 12h``."""

    @pytest.fixture
    def settings(self):
        return make_settings(venue={**VENUE["venue"], "clock": "12h"})

    def test_the_dashboard_and_the_manager_page_show_times_on_a_twelve_hour_clock(self, client, auth, uow,
                                                                                 clock) -> None:
        auth.login()
        auth.post("/seats/G1/start", minutes="120")
        auth.post("/power-cut")
        page = client.get("/").get_data(as_text=True)
        assert re.search(r"cut since \d{1,2}:\d{2} (AM|PM)", page)
        auth.post("/logout")
        auth.login("bola", "4321")
        page = client.get("/manage").get_data(as_text=True)
        assert re.search(r"<td>\d{2} \w{3} \d{1,2}:\d{2} (AM|PM)</td>", page)


def test_a_nearly_up_alert_leaves_the_board_once_its_minutes_have_passed(app, client, auth, clock) -> None:
    auth.login()
    app.extensions["compensator.alerts"].publish("nearly-up:1", "A1", "Seat A1: 5 min left", clock.now())
    assert [alert["message"] for alert in client.get("/board.json").get_json()["alerts"]] == ["Seat A1: 5 min left"]
    clock.advance(minutes=6)
    assert client.get("/board.json").get_json()["alerts"] == []


def test_an_attendant_refused_a_manager_page_or_lost_on_a_wrong_address_gets_a_page_with_its_navigation(
        client, auth) -> None:
    auth.login()
    refused = client.get("/manage")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert "only a manager can do this" in page and 'href="/"' in page and "app.css" in page
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert "Page not found" in missing.get_data(as_text=True)
    assert client.get("/api/v1/no-such-thing").get_json()["error"]["code"] == "not_found"


def test_the_dashboard_has_its_icon_and_a_legend_of_the_tiles(client, auth) -> None:
    auth.login()
    page = client.get("/").get_data(as_text=True)
    assert 'class="legend"' in page and "the zone's UPS is holding" in page
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    served = client.get(icon)
    served.close()
    assert (served.status_code, served.mimetype) == (200, "image/svg+xml")
