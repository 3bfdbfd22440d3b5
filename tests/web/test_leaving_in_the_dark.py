"""A customer who leaves while their seat is dark is compensated as they leave (SPEC §3, rule 2 amended)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from compensator.domain import vouchers as codes
from compensator.domain.kinds import CompensationForm, CompensationStatus
from compensator.services.handover import letters
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions import vouchers
from compensator.store.models import Compensation, Voucher
from tests.conftest import log_in_cookie
from tests.support.letters import leave_in_the_dark

ADA = "attendant:ada"


def test_leaving_in_the_dark_gives_the_voucher_and_letter_before_power_back(uow, clock) -> None:
    # The Standard zone's UPS holds 10 minutes: the seat goes dark at 14:15, the customer leaves at 14:16.
    seat, outage, ended = leave_in_the_dark(uow, clock)
    (owed,) = ended.owed_on_leaving
    # 45 min of paid time were left at 14:15 (15 used): all lost, plus restart 3 and lost work 10.
    assert (owed.form, owed.credit_minutes, owed.awaiting_approval) == (CompensationForm.VOUCHER, 60, False)
    assert owed.notice_id is not None and len(owed.voucher_codes) == 1
    with uow() as unit:
        letter = letters.letter_for(unit, owed.notice_id)
    assert letter.voucher_codes == owed.voucher_codes
    clock.advance(minutes=10)
    with uow() as unit:
        back = outages.end_outage(unit, outage.id, actor=ADA)
    # Power back compensates the others; the leaver is not compensated twice.
    assert [item.session_id for item in back.compensations] == [seat.id]
    with uow() as unit:
        assert unit.db.scalar(select(func.count()).select_from(Compensation)) == 1
        assert unit.db.scalar(select(func.count()).select_from(Voucher)) == 1


def test_leaving_while_the_ups_still_holds_owes_nothing_at_the_counter(uow, clock) -> None:
    with uow() as unit:
        seat = sessions.start_session(unit, seat_id="A7", minutes=60, actor=ADA)
    with uow() as unit:
        outage = outages.start_outage(unit, actor=ADA)
    clock.advance(minutes=4)
    with uow() as unit:
        assert sessions.end_session(unit, seat.id, actor=ADA).owed_on_leaving == ()
    clock.advance(minutes=20)
    with uow() as unit:
        assert outages.end_outage(unit, outage.id, actor=ADA).compensations == ()


def test_a_large_leavers_credit_waits_for_a_manager_and_says_so(uow, clock) -> None:
    with uow() as unit:
        seat = sessions.start_session(unit, seat_id="G1", minutes=240, actor=ADA)
    clock.advance(minutes=5)
    with uow() as unit:
        outages.start_outage(unit, zones=["gaming"], actor=ADA)
    clock.advance(minutes=1)
    with uow() as unit:
        (owed,) = sessions.end_session(unit, seat.id, actor=ADA).owed_on_leaving
    assert owed.awaiting_approval and owed.notice_id is None and owed.voucher_codes == ()


def test_a_redeemed_voucher_and_earlier_credits_are_carried_over_not_new_credit(uow, clock) -> None:
    with uow() as unit:
        seat = sessions.start_session(unit, seat_id="G1", minutes=120, actor=ADA)
    code = codes.new_code()
    with uow() as unit:
        unit.db.add(Voucher(code=code, minutes=65, expires_at=clock.now() + timedelta(days=30),
                            created_at=clock.now()))
        unit.commit()
    with uow() as unit:
        vouchers.redeem_voucher(unit, code, session_id=seat.id, actor=ADA)
    clock.advance(minutes=15)
    with uow() as unit:
        outage = outages.start_outage(unit, zones=["gaming"], actor=ADA)
    clock.advance(minutes=1, seconds=18)
    with uow() as unit:
        (owed,) = sessions.end_session(unit, seat.id, actor=ADA).owed_on_leaving
    # 170 min were left: the 105 bought and not used, and the 65 of the voucher (carried over);
    # with restart 3 and lost work 10, 183 → 185.
    assert (owed.credit_minutes, owed.carried_minutes) == (185, 65)
    with uow() as unit:
        compensation = unit.db.scalars(select(Compensation).where(Compensation.outage_id == outage.id)).one()
    assert compensation.status is CompensationStatus.AWAITING_APPROVAL
    # Only what is new has a value: 120 min at NGN 600/h.
    assert compensation.value_minor == 120 * 1000


def test_the_counter_is_told_at_once_what_the_leaving_customer_is_owed(client, uow, clock) -> None:
    log_in_cookie(client, "ada")
    with uow() as unit:
        seat = sessions.start_session(unit, seat_id="G2", minutes=60, actor=ADA)
    clock.advance(minutes=5)
    with uow() as unit:
        outages.start_outage(unit, actor=ADA)
    clock.advance(minutes=2)
    shown = client.post(f"/sessions/{seat.id}/end", data={"csrf_token": "t"},
                        follow_redirects=True).get_data(as_text=True)
    assert "Owed for the outage: a voucher for 65 min" in shown
    assert "Hand over the letter before the customer leaves." in shown
    assert "Open the letter" in shown
    answer = client.get(f"/api/v1/sessions/{seat.id}", headers={"X-CSRF-Token": "t"}).get_json()
    assert answer["state"] == "ended"
