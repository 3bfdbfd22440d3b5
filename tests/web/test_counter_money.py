"""Money at the counter through the Flask test client: prices on the package buttons, the amount due
when a session ends, the printable bill, and the bill in the API's answer."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from compensator.services.outages import use_cases as outages
from compensator.services.sessions import views as session_views
from tests.support.known_day import do

pytestmark = pytest.mark.usefixtures("staff")

END_LINK = re.compile(r'<a href="(/sessions/(\d+)/bill\?width=80)" target="_blank">Print the bill</a>')


def flashes(client) -> list[str]:
    page = client.get("/").get_data(as_text=True)
    return [unescape(text) for text in re.findall(r'<div class="flash success" role="status">(.*?)</div>', page)]


def start(auth, client, uow, seat: str, **form) -> int:
    """Start a session from the dashboard, read its start message away, and return its id."""
    auth.post(f"/seats/{seat}/start", **form)
    flashes(client)
    with uow() as unit:
        return next(view.id for view in session_views.list_open_sessions(unit) if view.seat_id == seat)


def test_each_package_button_carries_its_price_in_every_zone(client, auth) -> None:
    auth.login()
    page = client.get("/").get_data(as_text=True)
    prices = {(minutes, unescape(table)) for minutes, table in re.findall(
        r'<button class="big" name="minutes" value="(\d+)" data-prices=\'([^\']+)\'>', page)}
    assert {(int(minutes), *sorted(json.loads(table).items())) for minutes, table in prices} == {
        (30, ("gaming", "NGN300.00"), ("standard", "NGN150.00")),
        (60, ("gaming", "NGN600.00"), ("standard", "NGN300.00")),
        (120, ("gaming", "NGN1,200.00"), ("standard", "NGN600.00"))}
    hourly = re.search(r'name="postpaid" value="1" data-prices=\'([^\']+)\'', page).group(1)
    assert json.loads(unescape(hourly)) == {"standard": "NGN300.00/h", "gaming": "NGN600.00/h"}
    assert '>+30 min<small class="price"></small></button>' in page
    # The dialog shows the prices of the zone of the tile clicked.
    assert 'data-seat="G1" data-zone="gaming"' in page


def test_ending_a_postpaid_session_after_a_power_cut_says_the_amount_and_the_reduction(client, auth, uow, clock) -> None:
    auth.login()
    session_id = start(auth, client, uow, "G1", postpaid="1")
    clock.advance(minutes=30)
    outage = do(uow, outages.start_outage)
    clock.advance(minutes=20)
    do(uow, outages.end_outage, outage.id)
    clock.advance(minutes=40)
    auth.post(f"/sessions/{session_id}/end")
    [message] = flashes(client)
    assert message.startswith("Seat G1: session ended. Bill: 55 min, NGN550.00 (35 min off for the power cut).")
    assert END_LINK.search(message).group(2) == str(session_id)


def test_ending_a_prepaid_session_says_nothing_more_is_due(client, auth, uow, clock) -> None:
    auth.login()
    session_id = start(auth, client, uow, "A1", minutes="30")
    clock.advance(minutes=10)
    auth.post(f"/sessions/{session_id}/end")
    assert flashes(client)[0].startswith("Seat A1: session ended. Nothing more to pay (paid NGN150.00 for 30 min).")


def test_a_repeated_end_form_shows_the_same_amount_and_link_again(client, auth, uow, clock) -> None:
    auth.login()
    session_id = start(auth, client, uow, "A1", postpaid="1")
    clock.advance(minutes=20)
    form = {"csrf_token": auth.token, "idempotency_key": "end-once"}
    client.post(f"/sessions/{session_id}/end", data=form)
    first = flashes(client)
    client.post(f"/sessions/{session_id}/end", data=form)
    assert flashes(client) == first
    assert "Bill: 20 min, NGN100.00." in first[0] and END_LINK.search(first[0])


@pytest.mark.parametrize("width", [58, 80])
def test_the_bill_receipt_states_seat_times_minutes_price_reductions_and_amount(client, auth, uow, clock,
                                                                                width) -> None:
    auth.login()
    session_id = start(auth, client, uow, "G1", postpaid="1")
    clock.advance(minutes=30)
    outage = do(uow, outages.start_outage)
    clock.advance(minutes=20)
    do(uow, outages.end_outage, outage.id)
    clock.advance(minutes=40)
    auth.post(f"/sessions/{session_id}/end")
    page = client.get(f"/sessions/{session_id}/bill?width={width}").get_data(as_text=True)
    height = int(re.search(rf"size: {width}mm (\d+)mm;", page).group(1))
    assert 40 < height < 200
    lines = [(label, unescape(value)) for label, value in
             re.findall(r'<tr(?: class="due")?><td>(.*?)</td><td class="value">(.*?)</td></tr>', page)]
    assert lines == [("Seat", "G1 (Gaming)"), ("Date", "22 Nov 2026"), ("Started", "14:00"), ("Ended", "15:30"),
                     ("Time used", "90 min"), ("Power cut", "−35 min"), ("Billed", "55 min"),
                     ("Price", "NGN600.00/h"), ("Amount due", "NGN550.00")]
    assert '<tr class="due"><td>Amount due</td>' in page
    assert "receipt.js" in page and "Bright Star Cyber Café" in page


def test_a_running_session_has_no_bill_to_print_and_the_attendant_is_told_why(client, auth, uow) -> None:
    auth.login()
    session_id = start(auth, client, uow, "A1", minutes="30")
    response = client.get(f"/sessions/{session_id}/bill", headers={"Referer": "/"})
    assert response.status_code == 302
    assert "has not ended: its bill is not final yet" in client.get("/").get_data(as_text=True)
    assert client.get("/sessions/999/bill", headers={"Referer": "/"}).status_code == 302
    assert "unknown session 999" in client.get("/").get_data(as_text=True)


def test_ending_a_session_through_the_api_answers_with_its_bill(client, auth, clock) -> None:
    auth.login()
    headers = {"X-CSRF-Token": auth.token}
    session_id = client.post("/api/v1/sessions", json={"seat": "A1", "postpaid": True}, headers=headers).get_json()["id"]
    assert client.get(f"/api/v1/sessions/{session_id}").get_json()["bill"] is None
    clock.advance(minutes=45)
    ended = client.post(f"/api/v1/sessions/{session_id}/end", headers=headers).get_json()
    assert ended["bill"] == {"price_minor_per_hour": 30000, "used_minutes": 45, "paid_minutes": 0, "paid_minor": 0,
                             "credits": [], "billed_minutes": 45, "due_minor": 22500}
    assert ended["bill_minor"] == 22500
