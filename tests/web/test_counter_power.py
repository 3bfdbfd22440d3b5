"""A dark seat cannot be sold until its power is back (issue 22, item 8): the engine refuses, the
dashboard says so in a flash, the API answers 409 ``seat_dark``."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest

from compensator.domain import vouchers as codes
from compensator.errors import SeatDark
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions import views as session_views
from compensator.services.sessions import vouchers
from compensator.store.models import Voucher
from tests.conftest import log_in_cookie

ADA = "attendant:ada"


def cut(uow, **kwargs):
    with uow() as unit:
        return outages.start_outage(unit, actor=ADA, **kwargs)


def start(uow, seat: str, minutes: int = 30):
    with uow() as unit:
        return sessions.start_session(unit, seat_id=seat, minutes=minutes, actor=ADA)


def test_a_dark_seat_is_refused_and_a_seat_on_its_ups_is_not_until_the_ups_runs_out(uow, clock) -> None:
    outage = cut(uow)
    # Gaming has no UPS: dark at once. Standard's UPS holds 10 minutes.
    with pytest.raises(SeatDark, match=r"seat G3 has no power \(dark since 14:00, power cut\): cannot start a session"):
        start(uow, "G3")
    assert start(uow, "A1").seat_id == "A1"
    clock.advance(minutes=10)
    with pytest.raises(SeatDark, match="dark since 14:10"):
        start(uow, "A2")
    clock.advance(minutes=5)
    with uow() as unit:
        outages.end_outage(unit, outage.id, actor=ADA)
    assert start(uow, "G3").seat_id == "G3"
    assert start(uow, "A2").seat_id == "A2"


def test_moving_onto_or_resuming_on_a_dark_seat_and_a_voucher_onto_a_dark_free_seat_are_refused(uow, clock) -> None:
    running = start(uow, "A1", 60)
    paused = start(uow, "G1", 60)
    with uow() as unit:
        sessions.pause_session(unit, paused.id, actor=ADA)
    cut(uow, zones=["gaming"])
    with pytest.raises(SeatDark, match="cannot move a session on it"), uow() as unit:
        sessions.move_session(unit, running.id, seat_id="G2", actor=ADA)
    with pytest.raises(SeatDark, match="seat G1 has no power .*cannot resume a session"), uow() as unit:
        sessions.resume_session(unit, paused.id, actor=ADA)
    # Within the lit zone a move still works; a voucher cannot open a session on a dark seat.
    with uow() as unit:
        assert sessions.move_session(unit, running.id, seat_id="A2", actor=ADA).seat_id == "A2"
    with pytest.raises(SeatDark), uow() as unit:
        vouchers.redeem_voucher(unit, _voucher(unit), seat_id="G4", actor=ADA)


def _voucher(unit) -> str:
    code = codes.new_code()
    unit.db.add(Voucher(code=code, minutes=30, expires_at=unit.now() + timedelta(days=30), created_at=unit.now()))
    unit.db.flush()
    return codes.display(code)


def test_a_network_outage_leaves_the_pcs_on_and_does_not_stop_a_sale(uow) -> None:
    cut(uow, kind="network")
    assert start(uow, "G3").seat_id == "G3"


def test_the_dashboard_and_the_api_refuse_a_dark_seat_plainly(client, uow, clock) -> None:
    log_in_cookie(client, "ada")
    client.post("/power-cut", data={"csrf_token": "t"})
    shown = unescape(client.post("/seats/G3/start", data={"csrf_token": "t", "minutes": "30"},
                                 follow_redirects=True).get_data(as_text=True))
    assert "seat G3 has no power (dark since 14:00, power cut): cannot start a session on it until the power is back" \
        in shown
    answer = client.post("/api/v1/sessions", json={"seat": "G3", "minutes": 30}, headers={"X-CSRF-Token": "t"})
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "seat_dark"
    assert answer.get_json()["error"]["field"] == "seat"
    with uow() as unit:
        assert not any(view.seat_id == "G3" for view in session_views.list_open_sessions(unit))


def test_the_dashboard_marks_the_seats_without_power_and_offers_them_for_nothing(client, uow, clock) -> None:
    log_in_cookie(client, "ada")
    cut(uow)
    with uow() as unit:
        outages.start_outage(unit, kind="network", seats=["A5"], actor=ADA)
    board = {seat["seat"]: seat for seat in client.get("/board.json").get_json()["seats"]}
    # Gaming is dark at once; standard is on its UPS; A5's network failure leaves its PC on.
    assert (board["G3"]["dark"], board["G3"]["no_power"]) == (True, True)
    assert (board["A1"]["dark"], board["A1"]["no_power"]) == (False, False)
    assert (board["A5"]["dark"], board["A5"]["no_power"]) == (True, False)
    targets = {target["value"] for target in client.get("/board.json").get_json()["voucher_targets"]}
    assert "seat:G3" not in targets and {"seat:A1", "seat:A5"} <= targets
    page = client.get("/").get_data(as_text=True)
    assert 'data-seat="G3" data-zone="gaming" data-session="" data-state="free" data-no-power="1"' in page
    assert 'data-seat="A1" data-zone="standard" data-session="" data-state="free" data-no-power=""' in page
    assert "No power on this seat: it cannot be sold until the power is back." in page
