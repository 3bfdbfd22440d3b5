"""A voucher keeps its value in money (issue 22, item 8): its minutes at the price of the zone it was
issued in. Redeemed in a dearer zone it gives fewer minutes, in a cheaper one more, a started minute
counting whole; the dashboard and the API say so. The test venue: standard NGN300/h, gaming NGN600/h.
"""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from compensator.domain import vouchers as codes
from compensator.domain.repricing import voucher_minutes
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions import vouchers
from compensator.store.models import Voucher
from tests.conftest import log_in_cookie
from tests.support.letters import leave_in_the_dark

ADA = "attendant:ada"


def test_the_minutes_keep_the_value_rounded_up_to_the_customer() -> None:
    assert voucher_minutes(60, 30000, 60000) == 30
    assert voucher_minutes(25, 30000, 60000) == 13  # 12.5 → 13
    assert voucher_minutes(25, 60000, 30000) == 50
    assert voucher_minutes(25, 30000, 30000) == 25
    assert voucher_minutes(25, None, 60000) == 25


def leavers_voucher(uow, clock) -> str:
    """A Standard customer's 60-min voucher: A7 (60 min) left 1 min after its 10-min UPS ran out."""
    _, outage, ended = leave_in_the_dark(uow, clock)
    (owed,) = ended.owed_on_leaving
    clock.advance(minutes=5)
    with uow() as unit:
        outages.end_outage(unit, outage.id, actor=ADA)
    assert owed.credit_minutes == 60
    return owed.voucher_codes[0]


def test_a_standard_voucher_is_issued_with_its_zones_price_and_gives_half_its_minutes_on_gaming(uow, clock) -> None:
    code = leavers_voucher(uow, clock)
    with uow() as unit:
        issued = unit.db.scalars(select(Voucher).where(Voucher.code == codes.normalize(code))).one()
        assert (issued.minutes, issued.price_minor_per_hour) == (60, 30000)
    with uow() as unit:
        redeemed = vouchers.redeem_voucher(unit, code, seat_id="G1", actor=ADA)
    assert (redeemed.minutes, redeemed.issued_minutes, redeemed.value_minor) == (30, 60, 30000)
    assert redeemed.session.paid_minutes == 30


def test_at_the_same_price_nothing_changes(uow, clock) -> None:
    code = leavers_voucher(uow, clock)
    with uow() as unit:
        running = sessions.start_session(unit, seat_id="A2", minutes=30, actor=ADA)
    with uow() as unit:
        redeemed = vouchers.redeem_voucher(unit, code, session_id=running.id, actor=ADA)
    assert (redeemed.minutes, redeemed.session.paid_minutes) == (60, 90)


def _voucher(uow, clock, minutes: int, price: int | None) -> str:
    code = codes.new_code()
    with uow() as unit:
        unit.db.add(Voucher(code=code, minutes=minutes, expires_at=clock.now() + timedelta(days=30),
                            created_at=clock.now(), price_minor_per_hour=price))
        unit.commit()
    return codes.display(code)


@pytest.mark.parametrize(("minutes", "price", "seat", "given"), [
    (25, 60000, "A3", 50),   # a gaming voucher in the cheaper standard zone: more minutes, same money
    (25, 30000, "G3", 13),   # 12.5 minutes of gaming: the started minute counts whole
    (25, None, "G3", 25),    # issued before prices were kept on vouchers: its minutes anywhere
])
def test_each_zone_gets_the_vouchers_value_in_its_own_minutes(uow, clock, minutes, price, seat, given) -> None:
    code = _voucher(uow, clock, minutes, price)
    with uow() as unit:
        assert vouchers.redeem_voucher(unit, code, seat_id=seat, actor=ADA).session.paid_minutes == given


def test_the_dashboard_and_the_api_say_the_fewer_minutes(client, uow, clock) -> None:
    log_in_cookie(client, "ada")
    first, second = _voucher(uow, clock, 60, 30000), _voucher(uow, clock, 60, 30000)
    client.post("/vouchers/redeem", data={"csrf_token": "t", "code": first, "onto": "seat:G1"})
    shown = unescape(client.get("/").get_data(as_text=True))
    assert (f"Voucher {first}: 30 min started on seat G1; it is worth NGN300.00 (60 min at NGN300.00/h): "
            "30 min at this seat's NGN600.00/h.") in shown
    answer = client.post(f"/api/v1/vouchers/{second}/redeem", json={"seat": "G2"}, headers={"X-CSRF-Token": "t"})
    assert answer.status_code == 201
    assert answer.get_json()["voucher"] == {
        "code": second, "issued_minutes": 60, "issued_price_minor_per_hour": 30000, "value_minor": 30000,
        "price_minor_per_hour": 60000, "minutes": 30}
    assert answer.get_json()["paid_minutes"] == 30


def test_the_french_dashboard_says_the_vouchers_value(client, uow, clock) -> None:
    french = {"Accept-Language": "fr-FR,fr;q=0.9"}
    log_in_cookie(client, "ada")
    code = _voucher(uow, clock, 60, 30000)
    client.post("/vouchers/redeem", data={"csrf_token": "t", "code": code, "onto": "seat:G1"}, headers=french)
    shown = unescape(client.get("/", headers=french).get_data(as_text=True))
    assert "il vaut 300,00\u00a0NGN (60 min à 300,00\u00a0NGN/h) : 30 min au tarif de ce poste, 600,00\u00a0NGN/h." in shown
