"""JSON API v1 through the Flask test client: success, refused auth and bad input for every endpoint."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from compensator.domain import vouchers
from compensator.services.outages import use_cases as outages
from tests.conftest import log_in_cookie, power_cut_over

WEIRD_BODIES = ["null", "[]", '"x"', "7", "{", '{"seat": {}}', '{"minutes": "NaN"}', '{"seat": "' + "A" * 5000 + '"}',
                '{"minutes": 1e400}', '{"seat": null, "minutes": null}', '{"seats": [1, 2]}', '{"started_at": 5}']


def as_person(client, role: str = "attendant") -> None:
    log_in_cookie(client, "bola" if role == "manager" else "ada", role)


def error_of(response) -> dict:
    assert response.is_json, response.get_data(as_text=True)
    return response.get_json()["error"]


@pytest.fixture
def ended_outage(uow, clock):
    outage, session_ids = power_cut_over(uow, clock, {"G1": 120}, after_minutes=30, lasting_minutes=20)
    return outage.id, session_ids["G1"]


ENDPOINTS = [
    ("get", "/seats"), ("post", "/sessions"), ("get", "/sessions/1"), ("post", "/sessions/1/extend"),
    ("post", "/sessions/1/pause"), ("post", "/sessions/1/resume"), ("post", "/sessions/1/move"),
    ("post", "/sessions/1/end"), ("post", "/outages"), ("get", "/outages"), ("get", "/outages/1"),
    ("post", "/outages/1/end"), ("post", "/outages/1/correct"), ("post", "/outages/1/confirm"),
    ("post", "/outages/1/dismiss"), ("post", "/compensations/1/approve"), ("get", "/notices"),
    ("get", "/notices/1"), ("post", "/notices/1/deliver"), ("post", "/notices/1/print"),
    ("post", "/vouchers/ABCDEFGHJ/redeem"),
    ("post", "/heartbeats"),
]


def test_health_and_the_openapi_document_need_no_credentials(client) -> None:
    assert client.get("/api/v1/health").get_json() == {"status": "ok"}
    assert client.get("/api/v1/openapi.json").get_json()["openapi"] == "3.1.0"


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_refuses_a_request_without_credentials(client, method, path) -> None:
    response = getattr(client, method)(f"/api/v1{path}", json={})
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_refuses_a_wrong_token(client, method, path) -> None:
    response = getattr(client, method)(f"/api/v1{path}", json={}, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path"), [item for item in ENDPOINTS if item[0] == "post"])
def test_weird_bodies_never_cause_a_server_error(api, method, path) -> None:
    for weird in WEIRD_BODIES:
        response = api.raw(path, weird)
        assert 400 <= response.status_code < 500, (path, weird, response.get_data(as_text=True))
        assert error_of(response)["message"]


def test_a_logged_in_attendant_may_use_the_api_with_the_csrf_header_only(client) -> None:
    as_person(client)
    assert client.get("/api/v1/seats").status_code == 200
    refused = client.post("/api/v1/sessions", json={"seat": "A1", "minutes": 30})
    assert refused.status_code == 403
    accepted = client.post("/api/v1/sessions", json={"seat": "A1", "minutes": 30}, headers={"X-CSRF-Token": "t"})
    assert accepted.status_code == 201


def test_seats_list_every_seat_with_state_and_remaining_minutes(api) -> None:
    api.post("/sessions", json={"seat": "G2", "minutes": 60})
    api.post("/outages", json={"zones": ["gaming"]})
    seats = {seat["seat"]: seat for seat in api.get("/seats").get_json()["seats"]}
    assert len(seats) == 18
    assert seats["A1"]["state"] == "free"
    assert seats["G2"]["state"] == "dark"
    assert seats["G2"]["remaining_minutes"] == 60


def test_a_seat_whose_time_is_up_has_its_own_state_documented_in_the_api(api, clock) -> None:
    api.post("/sessions", json={"seat": "A2", "minutes": 30})
    api.post("/sessions", json={"seat": "A3", "minutes": 60})
    api.post("/sessions", json={"seat": "A4", "postpaid": True})
    clock.advance(minutes=31)
    seats = {seat["seat"]: seat for seat in api.get("/seats").get_json()["seats"]}
    assert [seats[seat]["state"] for seat in ("A2", "A3", "A4", "A5")] == ["time_up", "in_session", "in_session",
                                                                          "free"]
    assert seats["A2"]["remaining_minutes"] == 0
    api.post("/outages", json={})
    clock.advance(minutes=20)
    assert api.get("/seats").get_json()["seats"][1]["state"] == "dark"
    document = api.get("/openapi.json").get_json()["components"]["schemas"]
    assert "time_up" in document["SeatState"]["enum"]
    assert "time_up (the prepaid time has run out" in document["Seat"]["properties"]["state"]["description"]


def test_a_session_starts_extends_pauses_resumes_moves_and_ends(api, clock) -> None:
    created = api.post("/sessions", json={"seat": "A1", "minutes": 60, "customer_name": "Ngozi", "language": "fr"})
    assert created.status_code == 201
    session = created.get_json()
    assert session["paid_end"].endswith("+01:00")
    assert session["entries"][0]["kind"] == "purchase"
    session_id = session["id"]
    clock.advance(minutes=10)
    assert api.post(f"/sessions/{session_id}/extend", json={"minutes": 30}).get_json()["paid_minutes"] == 90
    assert api.post(f"/sessions/{session_id}/pause").get_json()["state"] == "paused"
    assert api.post(f"/sessions/{session_id}/resume").get_json()["state"] == "running"
    assert api.post(f"/sessions/{session_id}/move", json={"seat": "A2"}).get_json()["seat"] == "A2"
    ended = api.post(f"/sessions/{session_id}/end").get_json()
    assert ended["state"] == "ended"
    assert api.get(f"/sessions/{session_id}").get_json()["remaining_minutes"] == 80


def test_a_postpaid_session_reports_its_bill_when_it_ends(api, clock) -> None:
    session_id = api.post("/sessions", json={"seat": "A1", "postpaid": True}).get_json()["id"]
    clock.advance(minutes=45)
    ended = api.post(f"/sessions/{session_id}/end").get_json()
    assert (ended["billed_minutes"], ended["bill_minor"]) == (45, 22500)


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({}, 400, "seat"),
        ({"seat": "A1"}, 400, "minutes"),
        ({"seat": "A1", "minutes": "60"}, 400, "minutes"),
        ({"seat": "A1", "minutes": -1}, 400, "minutes"),
        ({"seat": "A1", "minutes": 10**12}, 400, "minutes"),
        ({"seat": "A1", "minutes": 60, "postpaid": "yes"}, 400, "postpaid"),
        ({"seat": "Z9", "minutes": 60}, 404, "seat"),
        ({"seat": 12, "minutes": 60}, 400, "seat"),
        ({"seat": "A1", "minutes": 60, "customer_name": ["x"]}, 400, "customer_name"),
        ({"seat": "A1", "minutes": 60, "language": "not a language!"}, 400, "language"),
    ],
)
def test_a_bad_session_start_names_the_field(api, payload, status, field) -> None:
    response = api.post("/sessions", json=payload)
    assert response.status_code == status
    assert error_of(response)["field"] == field


def test_session_actions_refuse_unknown_ids_bad_input_and_ended_sessions(api) -> None:
    assert api.get("/sessions/999").status_code == 404
    assert api.get("/sessions/abc").status_code == 404
    session_id = api.post("/sessions", json={"seat": "A1", "minutes": 60}).get_json()["id"]
    assert api.post(f"/sessions/{session_id}/extend", json={"minutes": 0}).status_code == 400
    assert api.post(f"/sessions/{session_id}/move", json={"seat": "Z9"}).status_code == 404
    assert api.post(f"/sessions/{session_id}/resume").status_code == 409
    assert api.post(f"/sessions/{session_id}/fly").status_code == 404
    other = api.post("/sessions", json={"seat": "A2", "minutes": 60}).get_json()["id"]
    assert error_of(api.post(f"/sessions/{other}/move", json={"seat": "A1"}))["code"] == "seat_busy"
    api.post(f"/sessions/{session_id}/end")
    assert error_of(api.post(f"/sessions/{session_id}/end"))["code"] == "session_ended"
    assert api.post("/sessions", json={"seat": "A2", "minutes": 30}).status_code == 409


def test_an_idempotency_key_makes_a_session_start_safe_to_retry(api) -> None:
    headers = {"Idempotency-Key": "sale-1"}
    first = api.post("/sessions", json={"seat": "A1", "minutes": 60}, headers=headers)
    again = api.post("/sessions", json={"seat": "A1", "minutes": 60}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.get_json()["id"] == again.get_json()["id"]
    conflict = api.post("/sessions", json={"seat": "A3", "minutes": 60}, headers=headers)
    assert error_of(conflict)["code"] == "idempotency_conflict"
    assert api.post("/sessions", json={"seat": "A4", "minutes": 60},
                    headers={"Idempotency-Key": "x" * 101}).status_code == 400


def test_an_outage_starts_once_ends_with_compensations_and_lists_by_day(api, clock) -> None:
    api.post("/sessions", json={"seat": "G1", "minutes": 120})
    clock.advance(minutes=30)
    first = api.post("/outages", json={})
    again = api.post("/outages", json={})
    assert (first.status_code, again.status_code) == (201, 200)
    outage_id = first.get_json()["id"]
    assert again.get_json()["id"] == outage_id
    assert first.get_json()["source"] == "api"
    clock.advance(minutes=20)
    ended = api.post(f"/outages/{outage_id}/end").get_json()
    assert ended["status"] == "ended"
    compensation = ended["compensations"][0]
    assert (compensation["lost_minutes"], compensation["credit_minutes"], compensation["form"]) == (20, 35, "time")
    assert api.post(f"/outages/{outage_id}/end").get_json() == ended
    assert [item["id"] for item in api.get("/outages?date=2026-11-22").get_json()["outages"]] == [outage_id]
    assert api.get("/outages?date=2026-11-21").get_json()["outages"] == []
    assert api.get("/outages").get_json()["outages"][0]["id"] == outage_id
    assert api.get(f"/outages/{outage_id}").get_json()["compensations"][0]["notice"] is not None


def test_an_outage_start_with_an_idempotency_key_is_safe_to_retry(api, clock) -> None:
    headers = {"Idempotency-Key": "ups-event-7"}
    first = api.post("/outages", json={"zones": ["gaming"], "source": "ups"}, headers=headers).get_json()
    api.post(f"/outages/{first['id']}/end")
    retry = api.post("/outages", json={"zones": ["gaming"], "source": "ups"}, headers=headers)
    # The first answer, as it was: the outage as it stood when it was opened.
    assert (retry.status_code, retry.get_json()) == (201, first)
    assert api.post("/outages", json={"zones": ["standard"], "source": "ups"}, headers=headers).status_code == 409


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"kind": "fire"}, 400, "kind"),
        ({"zones": "gaming"}, 400, "zones"),
        ({"zones": ["moon"]}, 404, "zones"),
        ({"seats": ["A1"], "zones": ["gaming"]}, 400, "zones"),
        ({"started_at": "yesterday"}, 400, "started_at"),
        ({"started_at": "2026-11-22T13:00:00"}, 400, "started_at"),
        ({"started_at": "2030-01-01T00:00:00+00:00"}, 409, "started_at"),
        ({"source": "rumour"}, 400, "source"),
        ({"note": 42}, 400, "note"),
    ],
)
def test_a_bad_outage_start_names_the_field(api, payload, status, field) -> None:
    response = api.post("/outages", json=payload)
    assert response.status_code == status
    assert error_of(response)["field"] == field


def test_a_back_dated_outage_keeps_its_offset(api, clock) -> None:
    started = (clock.now() - timedelta(minutes=5)).isoformat()
    body = api.post("/outages", json={"started_at": started}).get_json()
    assert body["started_at"] == "2026-11-22T13:55:00+01:00"


def test_outage_actions_refuse_bad_input_and_unknown_ids(api, client, ended_outage) -> None:
    outage_id, _ = ended_outage
    assert api.get("/outages/999").status_code == 404
    assert api.get("/outages?date=22/11/2026").status_code == 400
    assert api.post("/outages/999/end").status_code == 404
    assert api.post(f"/outages/{outage_id}/confirm").status_code == 409
    assert api.post(f"/outages/{outage_id}/dismiss").status_code == 409
    assert api.post(f"/outages/{outage_id}/explode").status_code == 404
    ongoing = api.post("/outages", json={"seats": ["A1"]}).get_json()["id"]
    assert error_of(api.post(f"/outages/{ongoing}/end", json={"ended_at": "2020-01-01T00:00:00+00:00"}))["field"] \
        == "ended_at"


def test_only_a_manager_corrects_an_outage_or_approves_a_credit(api, client, ended_outage, clock) -> None:
    outage_id, _ = ended_outage
    correction = {"started_at": "2026-11-22T14:25:00+01:00", "reason": "generator log"}
    assert error_of(api.post(f"/outages/{outage_id}/correct", json=correction))["code"] == "forbidden"
    as_person(client, "attendant")
    assert client.post(f"/api/v1/outages/{outage_id}/correct", json=correction,
                       headers={"X-CSRF-Token": "t"}).status_code == 403
    as_person(client, "manager")
    refused = client.post(f"/api/v1/outages/{outage_id}/correct", json={"started_at": correction["started_at"]},
                          headers={"X-CSRF-Token": "t"})
    assert error_of(refused)["field"] == "reason"
    corrected = client.post(f"/api/v1/outages/{outage_id}/correct", json=correction, headers={"X-CSRF-Token": "t"})
    assert corrected.status_code == 200
    compensation = corrected.get_json()["compensations"][0]
    assert compensation["credit_minutes"] == 40
    assert corrected.get_json()["corrections"] == 1
    # The first explanation as it was given, then the correction's adjustment with its own.
    assert compensation["explanation"] == api.get(f"/outages/{outage_id}").get_json()["compensations"][0]["explanation"]
    assert "rounded to 35 min" in compensation["explanation"]
    (adjustment,) = compensation["adjustments"]
    assert (adjustment["previous_credit_minutes"], adjustment["credit_minutes"], adjustment["topup_minutes"]) == \
        (35, 40, 5)
    assert adjustment["explanation"].startswith("outage start corrected 14:30 → 14:25 by bola: lost 20 → 25")
    assert client.post("/api/v1/compensations/999/approve", headers={"X-CSRF-Token": "t"}).status_code == 404


def test_a_manager_approves_a_large_credit_through_the_api(api, client, clock) -> None:
    api.post("/sessions", json={"seat": "G1", "minutes": 360})
    clock.advance(minutes=60)
    outage_id = api.post("/outages", json={}).get_json()["id"]
    clock.advance(minutes=240)
    compensation = api.post(f"/outages/{outage_id}/end").get_json()["compensations"][0]
    assert compensation["status"] == "awaiting_approval"
    assert api.post(f"/compensations/{compensation['id']}/approve").status_code == 403
    as_person(client, "manager")
    approved = client.post(f"/api/v1/compensations/{compensation['id']}/approve", headers={"X-CSRF-Token": "t"})
    assert approved.get_json()["status"] == "applied"
    again = client.post(f"/api/v1/compensations/{compensation['id']}/approve", headers={"X-CSRF-Token": "t"})
    assert again.status_code == 409


def test_a_suspected_outage_is_confirmed_or_dismissed(api, uow, clock) -> None:
    with uow() as unit:
        suspected = outages.start_outage(unit, source="heartbeat", suspected=True, actor="test")
    assert api.post(f"/outages/{suspected.id}/confirm").get_json()["status"] == "ongoing"
    clock.advance(minutes=1)
    with uow() as unit:
        other = outages.start_outage(unit, seats=["A1"], source="heartbeat", suspected=True, actor="test")
    dismissed = api.post(f"/outages/{other.id}/dismiss", json={"reason": "seat rebooted"})
    assert dismissed.get_json()["status"] == "dismissed"
    assert api.post(f"/outages/{other.id}/dismiss", json={"reason": 5}).status_code in (400, 409)


def test_notices_list_render_and_record_their_delivery(api, ended_outage) -> None:
    notices = api.get("/notices?status=pending").get_json()["notices"]
    assert len(notices) == 1
    notice_id = notices[0]["id"]
    text = api.get(f"/notices/{notice_id}?format=text")
    assert text.mimetype == "text/plain" and "WE ARE SORRY" in text.get_data(as_text=True)
    html = api.get(f"/notices/{notice_id}?format=html")
    assert html.mimetype == "text/html" and "<pre" in html.get_data(as_text=True)
    assert api.get(f"/notices/{notice_id}?format=pdf").status_code == 400
    delivered = api.post(f"/notices/{notice_id}/deliver", json={"how": "shown", "feedback": "neutral"}).get_json()
    assert delivered["status"] == "shown"
    assert delivered["deliveries"][0]["by"] == "token:counter-2"
    assert api.get("/notices?status=pending").get_json()["notices"] == []
    assert api.get("/notices?status=lost").status_code == 400
    assert api.get("/notices/999").status_code == 404
    assert error_of(api.post(f"/notices/{notice_id}/deliver", json={"how": "faxed"}))["field"] == "how"
    assert error_of(api.post(f"/notices/{notice_id}/deliver", json={}))["field"] == "how"


def voucher_through_api(api, clock) -> str:
    """The code of the 25-minute voucher G1's customer gets when their time runs out in a cut."""
    api.post("/sessions", json={"seat": "G1", "minutes": 30})
    clock.advance(minutes=20)
    outage_id = api.post("/outages", json={}).get_json()["id"]
    clock.advance(minutes=30)
    return api.post(f"/outages/{outage_id}/end").get_json()["compensations"][0]["vouchers"][0]


def test_a_voucher_redeemed_onto_a_free_seat_answers_201_with_the_new_session(api, clock) -> None:
    code = voucher_through_api(api, clock)
    # Onto a seat of the gaming zone it was issued in: its 25 minutes.
    redeemed = api.post(f"/vouchers/{code}/redeem", json={"seat": "G4"})
    assert redeemed.status_code == 201
    assert redeemed.get_json()["seat"] == "G4"
    assert [(entry["kind"], entry["minutes"]) for entry in redeemed.get_json()["entries"]] == [
        ("voucher_redemption", 25)]
    used = error_of(api.post(f"/vouchers/{code}/redeem", json={"seat": "A5"}))
    assert (used["code"], used["field"]) == ("conflict", "code")
    assert used["message"].endswith("on seat G4")


def test_a_voucher_redeemed_onto_a_running_session_answers_200_with_the_entry_added(api, clock) -> None:
    code = voucher_through_api(api, clock)
    session_id = api.post("/sessions", json={"seat": "G4", "minutes": 60}).get_json()["id"]
    redeemed = api.post(f"/vouchers/{code}/redeem", json={"session": session_id})
    assert redeemed.status_code == 200
    assert redeemed.get_json()["id"] == session_id
    assert [(entry["kind"], entry["minutes"], entry["value_minor"]) for entry in redeemed.get_json()["entries"]] == [
        ("purchase", 60, 60000), ("voucher_redemption", 25, 0)]


def test_a_voucher_redemption_the_api_refuses_names_the_mistake(api, clock) -> None:
    code = voucher_through_api(api, clock)
    postpaid = api.post("/sessions", json={"seat": "A7", "postpaid": True}).get_json()["id"]
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    cases = [
        ({"seat": "A4", "session": postpaid}, 400, "invalid_input", "session"),
        ({}, 400, "invalid_input", "seat"),
        ({"session": postpaid}, 409, "invalid_state", "session"),
        ({"session": 9999}, 404, "not_found", "session"),
    ]
    for request_body, status, error_code, field in cases:
        response = api.post(f"/vouchers/{code}/redeem", json=request_body)
        assert (response.status_code, error_of(response)["code"], error_of(response)["field"]) == (
            status, error_code, field), request_body
    mistyped = api.post(f"/vouchers/{typo}/redeem", json={"seat": "A4"})
    assert (mistyped.status_code, error_of(mistyped)["message"]) == (
        404, "this code has a typing mistake: check it against the voucher")
    unknown = api.post(f"/vouchers/{vouchers.new_code(random.Random(99).choice)}/redeem", json={"seat": "A4"})
    assert (unknown.status_code, error_of(unknown)["field"]) == (404, "code")
    assert api.post(f"/vouchers/{code}/redeem", json={"seat": "A4"}).status_code == 201


def test_a_heartbeat_is_recorded_for_a_known_seat_only(api) -> None:
    assert api.post("/heartbeats", json={"seat": "A1"}).get_json()["seat"] == "A1"
    assert api.post("/heartbeats", json={"seat": "Z9"}).status_code == 404
    assert api.post("/heartbeats", json={}).status_code == 400


def test_an_unknown_api_path_or_method_answers_json(api, client) -> None:
    assert error_of(api.get("/nothing-here"))["code"] == "not_found"
    assert client.delete("/api/v1/seats").status_code == 405


def test_printing_where_no_printer_is_configured_is_a_409_of_the_configuration(api, uow, ended_outage) -> None:
    notice_id = api.get("/notices?status=pending").get_json()["notices"][0]["id"]
    refused = api.post(f"/notices/{notice_id}/print", json={}, headers={"Idempotency-Key": "print-none"})
    assert (refused.status_code, error_of(refused)["code"]) == (409, "printer_not_configured")
    assert "printer.kind is none" in error_of(refused)["message"]
    # A state of the configuration: the retry hears the same answer, and the notice stays pending.
    again = api.post(f"/notices/{notice_id}/print", json={}, headers={"Idempotency-Key": "print-none"})
    assert (again.status_code, again.headers.get("Idempotency-Replayed")) == (409, "true")
    assert api.get(f"/notices/{notice_id}").get_json()["status"] == "pending"
    answers = api.get("/openapi.json").get_json()["paths"]["/notices/{notice_id}/print"]["post"]["responses"]
    assert "printer_not_configured" in answers["409"]["description"]
