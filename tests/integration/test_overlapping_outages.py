"""Overlapping outages settled in any order, and corrections of them, count each dark minute once.

Found by the random simulation (``test_random_outages``): an outage settled or recomputed with
an end before a later-ending, already compensated overlapping outage lost the overlap's
minutes, and a correction that left a credit awaiting approval with nothing due made its
approval crash.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from compensator.errors import InvalidState
from compensator.services.outages import approvals
from compensator.services.outages import use_cases as outages
from compensator.services.outages import views as outage_views
from compensator.services.sessions import use_cases as sessions
from compensator.store.models import Notice, Voucher
from tests.conftest import START

ACTOR = "test"
pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def lost(uow, session_id):
    with uow() as unit:
        return {item.outage_id: item.current.lost_minutes for outage in outage_views.list_outages(unit)
                for item in outage.compensations if item.session_id == session_id}


def at(minutes):
    return START + timedelta(minutes=minutes)


def test_a_back_dated_end_before_an_overlapping_compensated_cut_gets_its_own_minutes(uow, clock):
    with uow() as unit:  # 14:00, gaming seat (no UPS), postpaid: no paid-time cap
        session_id = sessions.start_session(unit, seat_id="G1", postpaid=True, actor=ACTOR).id
    clock.set(at(10))
    with uow() as unit:
        network = outages.start_outage(unit, kind="network", actor=ACTOR).id  # 14:10
    clock.set(at(30))
    with uow() as unit:
        power = outages.start_outage(unit, kind="power", actor=ACTOR).id  # 14:30
    clock.set(at(60))
    with uow() as unit:
        outages.end_outage(unit, power, actor=ACTOR)  # power back 15:00: 30 min lost
    clock.set(at(65))
    with uow() as unit:  # the line came back at 14:40, recorded late
        outages.end_outage(unit, network, ended_at=at(40), actor=ACTOR)
    # Dark 14:10-15:00 is 50 minutes; the power cut counted 30 of them, so the network outage
    # must count the other 20 (14:10-14:30).
    assert lost(uow, session_id) == {power: 30, network: 20}


def network_then_power(uow, clock) -> tuple[int, int, int]:
    """A postpaid session on G1 from 14:00; the network fails 14:10-14:40, the power 14:30-15:00.

    The session, the network outage and the power cut, both ended and compensated in that order.
    """
    with uow() as unit:
        session_id = sessions.start_session(unit, seat_id="G1", postpaid=True, actor=ACTOR).id
    clock.set(at(10))
    with uow() as unit:
        network = outages.start_outage(unit, kind="network", actor=ACTOR).id
    clock.set(at(30))
    with uow() as unit:
        power = outages.start_outage(unit, kind="power", actor=ACTOR).id
    clock.set(at(40))
    with uow() as unit:
        outages.end_outage(unit, network, actor=ACTOR)  # 14:40: 30 lost
    clock.set(at(60))
    with uow() as unit:
        outages.end_outage(unit, power, actor=ACTOR)  # 15:00: 50 dark in all, 20 more
    return session_id, network, power


def test_a_correction_that_does_not_touch_a_session_keeps_its_lost_minutes(uow, clock):
    session_id, network, power = network_then_power(uow, clock)
    assert lost(uow, session_id) == {network: 30, power: 20}
    clock.set(at(70))
    with uow() as unit:  # the network outage began a minute later than logged
        outages.correct_outage(unit, network, started_at=at(11), reason="router log", actor="manager")
    # 49 minutes dark in all, the power cut's 20 unchanged: the network outage now counts 29.
    assert lost(uow, session_id) == {network: 29, power: 20}


def test_corrections_and_a_third_outage_never_count_more_than_the_dark_minutes(uow, clock):
    session_id, network, power = network_then_power(uow, clock)
    with uow() as unit:
        third = outages.start_outage(unit, kind="network", actor=ACTOR).id  # 15:00, same stretch
    with uow() as unit:
        outages.correct_outage(unit, network, started_at=at(11), reason="router log", actor="manager")
    clock.set(at(70))
    with uow() as unit:
        outages.end_outage(unit, third, actor=ACTOR)  # 15:10
    clock.set(at(75))
    with uow() as unit:
        outages.correct_outage(unit, network, ended_at=at(55), reason="router log", actor="manager")
    # Dark 14:11-15:10: 59 minutes, whatever the corrections.
    figures = lost(uow, session_id)
    assert sum(figures.values()) <= 59, figures


def test_a_credit_awaiting_approval_that_a_correction_brought_to_nothing_needs_no_approval(uow, clock):
    with uow() as unit:
        sessions.start_session(unit, seat_id="G1", minutes=360, actor=ACTOR)
    clock.set(at(60))
    with uow() as unit:
        outage = outages.start_outage(unit, actor=ACTOR).id
    clock.set(at(300))
    with uow() as unit:  # 240 lost: waits for a manager
        compensation = outages.end_outage(unit, outage, actor=ACTOR).compensations[0]
    assert compensation.status.value == "awaiting_approval"
    with uow() as unit:  # the cut was a glitch of the logger: it lasted no time
        view = outages.correct_outage(unit, outage, started_at=at(300), reason="logger glitch", actor="manager")
    (item,) = view.compensations
    assert (item.current.lost_minutes, item.current.credit_minutes, item.granted_minutes, item.status.value) == (
        0, 0, 0, "applied")
    assert "nothing is due any more: no approval needed" in item.adjustments[0].explanation
    with uow() as unit:
        assert outage_views.awaiting_approval(unit) == []
    with pytest.raises(InvalidState), uow() as unit:
        approvals.approve_compensation(unit, compensation.id, actor="manager")


def test_confirming_a_suspected_outage_after_an_overlapping_cut_was_compensated_counts_its_own_minutes(uow, clock):
    with uow() as unit:
        session_id = sessions.start_session(unit, seat_id="G1", postpaid=True, actor=ACTOR).id
    clock.set(at(30))
    with uow() as unit:
        power = outages.start_outage(unit, actor=ACTOR).id  # 14:30, pressed by hand
    clock.set(at(45))
    with uow() as unit:  # heartbeats: the seats went silent at 14:10 and came back at 14:40
        suspected = outages.start_outage(unit, seats=["G1"], source="heartbeat", suspected=True,
                                         started_at=at(10), ended_at=at(40), actor=ACTOR).id
    clock.set(at(60))
    with uow() as unit:
        outages.end_outage(unit, power, actor=ACTOR)  # 15:00: 30 lost
    with uow() as unit:
        outages.confirm_outage(unit, suspected, actor=ACTOR)
    # Dark 14:10-15:00: 50 minutes; the confirmed outage adds 14:10-14:30.
    assert lost(uow, session_id) == {power: 30, suspected: 20}


def test_a_voucher_credit_that_a_correction_brought_to_nothing_writes_no_empty_voucher(uow, clock):
    with uow() as unit:
        session_id = sessions.start_session(unit, seat_id="G1", minutes=360, actor=ACTOR).id
    clock.set(at(60))
    with uow() as unit:
        outage = outages.start_outage(unit, actor=ACTOR).id
    clock.set(at(300))
    with uow() as unit:
        sessions.end_session(unit, session_id, actor=ACTOR)  # the customer gave up in the dark
    with uow() as unit:
        compensation = outages.end_outage(unit, outage, actor=ACTOR).compensations[0]
    assert compensation.status.value == "awaiting_approval"
    with uow() as unit:
        outages.correct_outage(unit, outage, started_at=at(300), reason="logger glitch", actor="manager")
    with pytest.raises(InvalidState), uow() as unit:
        approvals.approve_compensation(unit, compensation.id, actor="manager")
    with uow() as unit:
        assert list(unit.db.scalars(select(Voucher.minutes))) == []
        assert list(unit.db.scalars(select(Notice.id))) == []


def test_a_correction_recomputes_an_overlapping_outage_whose_minutes_it_no_longer_covers(uow, clock):
    with uow() as unit:
        session_id = sessions.start_session(unit, seat_id="G1", postpaid=True, actor=ACTOR).id
    clock.set(at(10))
    with uow() as unit:
        power = outages.start_outage(unit, actor=ACTOR).id
    clock.set(at(30))
    with uow() as unit:
        network = outages.start_outage(unit, kind="network", seats=["G1"], actor=ACTOR).id
    clock.set(at(60))
    with uow() as unit:
        outages.end_outage(unit, power, actor=ACTOR)  # 14:10-15:00: 50 lost
    clock.set(at(65))
    with uow() as unit:  # the router came back at 14:50, inside the power cut: nothing more lost
        outages.end_outage(unit, network, ended_at=at(50), actor=ACTOR)
    assert lost(uow, session_id) == {power: 50}
    with uow() as unit:  # the generator log: power was back at 14:35
        view = outages.correct_outage(unit, power, ended_at=at(35), reason="generator log", actor="manager:bola")
    # Dark 14:10-14:50 is 40 minutes: the cut's 25, and the 15 that only the network outage covers now.
    assert lost(uow, session_id) == {power: 25, network: 15}
    assert view.compensations[0].adjustments[0].explanation.startswith(
        "outage end corrected 15:00 → 14:35 by bola: lost 50 → 25, credit 65 → 40, nothing taken back: 25 min waived")
    with uow() as unit:
        (credit,) = outage_views.get_outage(unit, network).compensations
    # The network outage's compensation is new: its own explanation, its own notice.
    assert credit.explanation.startswith("lost 15 min (14:35–14:50)")
    assert credit.notice_id is not None
