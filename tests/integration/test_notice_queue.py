"""Apology notices in the queue: waiting until delivered, and the delivery records refused or kept."""

from __future__ import annotations

import pytest

from compensator.domain.kinds import Delivery, Feedback
from compensator.errors import InvalidInput, NotFound
from compensator.services.handover import notices
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions

ACTOR = "attendant:ada"


@pytest.fixture
def notice_id(uow, clock) -> int:
    with uow() as unit:
        sessions.start_session(unit, seat_id="G1", minutes=120, actor=ACTOR, customer_name="Amaka")
    clock.advance(minutes=30)
    with uow() as unit:
        outage = outages.start_outage(unit, actor=ACTOR)
    clock.advance(minutes=15)
    with uow() as unit:
        outages.end_outage(unit, outage.id, actor=ACTOR)
        return notices.list_notices(unit, status="pending")[0].id


def test_a_notice_waits_in_the_queue_until_delivered(uow, notice_id) -> None:
    with uow() as unit:
        notice = notices.get_notice(unit, notice_id)
        assert notice.status == "pending"
        assert "Amaka" in notice.text
        delivered = notices.deliver_notice(unit, notice_id, how="printed", feedback="happy", actor=ACTOR)
    assert delivered.status == "printed"
    assert delivered.deliveries[0].how is Delivery.PRINTED
    assert delivered.deliveries[0].feedback is Feedback.HAPPY
    assert delivered.deliveries[0].actor == ACTOR
    with uow() as unit:
        assert notices.list_notices(unit, status="pending") == []
        assert [item.id for item in notices.list_notices(unit, status="printed")] == [notice_id]


@pytest.mark.parametrize(("how", "feedback", "field"), [("faxed", None, "how"), ("shown", "ecstatic", "feedback")])
def test_a_bad_delivery_is_refused(uow, notice_id, how, feedback, field) -> None:
    with pytest.raises(InvalidInput) as raised, uow() as unit:
        notices.deliver_notice(unit, notice_id, how=how, feedback=feedback, actor=ACTOR)
    assert raised.value.field == field


def test_an_unknown_notice_or_status_is_refused(uow) -> None:
    with uow() as unit:
        with pytest.raises(NotFound):
            notices.get_notice(unit, 404)
        with pytest.raises(InvalidInput):
            notices.list_notices(unit, status="lost")
