"""Vouchers and notices on the dashboard: the redeem box, the notice shown large, the receipt, the QR code."""

from __future__ import annotations

import re

import pytest

from compensator.domain import vouchers
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions import views as session_views
from tests.conftest import power_cut_over

pytestmark = pytest.mark.usefixtures("staff")


@pytest.fixture
def voucher(uow, clock) -> str:
    """The code, as printed, of the 25-minute voucher G1's customer got when their time ran out in a cut."""
    outage, _ = power_cut_over(uow, clock, {"G1": 30}, after_minutes=20, lasting_minutes=30)
    return vouchers.display(outage.compensations[0].voucher_codes[0])


def test_the_redeem_box_offers_free_seats_and_prepaid_sessions_but_not_postpaid_ones(client, auth, uow) -> None:
    with uow() as unit:
        prepaid = sessions.start_session(unit, seat_id="A7", minutes=60, actor="test")
        postpaid = sessions.start_session(unit, seat_id="A8", postpaid=True, actor="test")
    auth.login()
    page = client.get("/").get_data(as_text=True)
    assert 'value="seat:A3"' in page
    assert f'value="session:{prepaid.id}"' in page
    assert f'value="session:{postpaid.id}"' not in page
    assert 'value="seat:A8"' not in page


def test_a_voucher_scanned_into_the_redeem_box_tops_up_the_session_chosen(client, auth, uow, voucher) -> None:
    with uow() as unit:
        running = sessions.start_session(unit, seat_id="A7", minutes=60, actor="test")
    auth.login()
    client.get("/")
    auth.post("/vouchers/redeem", code=voucher.lower(), onto=f"session:{running.id}")
    # A gaming voucher (25 min at NGN600/h) keeps its value on a standard seat (NGN300/h): 50 min.
    assert (f"Voucher {voucher}: 50 min added to seat A7; it is worth NGN250.00 (25 min at NGN600.00/h): 50 min at "
            "this seat&#39;s NGN300.00/h.") in client.get("/").get_data(as_text=True)
    with uow() as unit:
        assert session_views.get_session(unit, running.id).paid_minutes == 110


def test_a_voucher_typed_into_the_redeem_box_starts_a_session_on_the_free_seat_chosen(client, auth, uow,
                                                                                      voucher) -> None:
    auth.login()
    auth.post("/vouchers/redeem", code=voucher, onto="seat:A3")
    page = client.get("/").get_data(as_text=True)
    assert f"Voucher {voucher}: 50 min started on seat A3" in page
    assert 'value="seat:A3"' not in page


def test_each_voucher_the_redeem_box_refuses_flashes_its_plain_message(client, auth, uow, voucher) -> None:
    with uow() as unit:
        postpaid = sessions.start_session(unit, seat_id="A8", postpaid=True, actor="test")
    auth.login()
    typo = voucher[:-1] + ("2" if voucher[-1] != "2" else "3")
    refusals = [
        ({"code": typo, "onto": "seat:A3"}, "this code has a typing mistake: check it against the voucher"),
        ({"code": voucher, "onto": ""}, "redeem a voucher onto a free seat or onto a running session"),
        ({"code": voucher, "onto": f"session:{postpaid.id}"}, "the session on seat A8 is postpaid"),
        ({"code": "22222222", "onto": "seat:A3"}, "a voucher code has 9 characters"),
    ]
    for form, message in refusals:
        auth.post("/vouchers/redeem", **form)
        assert message in client.get("/").get_data(as_text=True), form
    auth.post("/vouchers/redeem", code=voucher, onto="seat:A3")
    auth.post("/vouchers/redeem", code=voucher, onto="seat:A4")
    assert f"voucher {voucher} was already used on 22 Nov 2026 at 14:50 on seat A3" in \
        client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("key", [{}, {"idempotency_key": "refused-once"}], ids=["no key", "the page's key"])
def test_after_a_refused_code_onto_stays_the_session_chosen_so_the_re_scan_tops_it_up(client, auth, uow,
                                                                                    voucher, key) -> None:
    with uow() as unit:
        running = sessions.start_session(unit, seat_id="G2", minutes=60, actor="test")
    auth.login()
    typo = voucher[:-1] + ("2" if voucher[-1] != "2" else "3")
    refused = auth.post("/vouchers/redeem", code=typo, onto=f"session:{running.id}", **key)
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "this code has a typing mistake" in page
    chosen = re.findall(r'<option value="([^"]+)" selected>', page)
    assert chosen == [f"session:{running.id}"]
    # The re-scan submits the form as the page now holds it: onto the session, not the first free seat.
    auth.post("/vouchers/redeem", code=voucher, onto=chosen[0])
    with uow() as unit:
        assert session_views.get_session(unit, running.id).paid_minutes == 85
    assert f"Voucher {voucher}: 25 min added to seat G2" in client.get("/").get_data(as_text=True)


def test_a_page_without_a_refusal_chooses_no_seat_of_its_own(client, auth) -> None:
    auth.login()
    assert " selected>" not in client.get("/?onto=seat:ZZ").get_data(as_text=True).split('id="voucher-onto"')[1][:4000]


@pytest.fixture
def voucher_notice(uow, clock) -> int:
    outage, _ = power_cut_over(uow, clock, {"G1": 30}, after_minutes=20, lasting_minutes=25)
    return outage.compensations[0].notice_id


def test_the_notice_shows_large_with_the_voucher_code_and_its_qr_code(client, auth, voucher_notice) -> None:
    auth.login()
    page = client.get(f"/notices/{voucher_notice}").get_data(as_text=True)
    assert "WE ARE SORRY" in page
    assert re.search(r'class="code">[2-9A-Z]{3}-[2-9A-Z]{3}-[2-9A-Z]{3}<', page)
    assert "<svg" in page


@pytest.mark.parametrize("width", [58, 80])
def test_the_receipt_is_laid_out_for_thermal_printers(client, auth, voucher_notice, width) -> None:
    auth.login()
    page = client.get(f"/notices/{voucher_notice}/receipt?width={width}").get_data(as_text=True)
    # A valid page size (two lengths): the roll's width, and a length that fits the receipt.
    height = int(re.search(rf"size: {width}mm (\d+)mm;", page).group(1))
    assert 60 < height < 250
    qr_mm = {58: 30, 80: 40}[width]
    assert re.search(rf'<svg width="{qr_mm}(\.0+\d*)?mm"', page)


def test_marking_a_notice_printed_with_feedback_takes_it_off_the_queue(client, auth, voucher_notice) -> None:
    auth.login()
    auth.post(f"/notices/{voucher_notice}/deliver", how="printed", feedback="happy")
    assert client.get("/board.json").get_json()["letters"] == []
    assert "printed" in client.get(f"/notices/{voucher_notice}").get_data(as_text=True)
