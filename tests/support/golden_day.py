"""The golden day: a fixed, busy venue day lived through the services, whose report is kept in ``tests/golden/``.

It holds a bit of everything a report shows, so that a change to how the report is computed
can be checked to change nothing it says (``tests/integration/test_report_golden.py``):

    09:00  s1 G1 prepaid 120 · s2 G2 prepaid 30 · s3 A1 postpaid · s4 A2 prepaid 60 (fr) · s5 G3 postpaid
    09:10  s4 moves A2 → G4; 09:15 it buys 30 more there
    09:20  power cut, whole venue (o1) until 09:40, corrected at 09:50 to end 09:45 (top-ups)
    10:00  s1 pauses, 10:20 resumes
    10:30  gaming-zone cut by the UPS (o2) until 11:10, corrected at 11:20 to end 11:00 (minutes waived)
    11:30  s5 ends (a postpaid bill); 12:00 s3 ends
    12:10  s2's voucher redeemed on A5 (s6): its gaming value in standard minutes, twice as many
    13:00  network failure on the free seat A12 (o3), 13:10 ended: a seat fault, listed apart
    13:15  standard-zone cut (o4) until 13:20, bridged by the UPS
    14:00  s7 G6 prepaid 360; seat cut on G6 (o5) 14:10–18:10: a credit awaiting approval; a seat fault
    18:30  a manual credit on s7; 19:00 a suspected outage on A3-A4 from heartbeats, never confirmed
    21:00  s8 G5 prepaid 120; 21:50 power cut (o7) still going on at closing time
    notices: o1's printed (happy), shown (neutral), declined after a happy face; the others pending
    report read at 23:30 on the day: complete, cut at 22:00
"""

from __future__ import annotations

from datetime import timedelta

from compensator.domain.kinds import EntryKind
from compensator.services.handover import notices
from compensator.services.outages import use_cases as outages
from compensator.services.outages import views as outage_views
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions.vouchers import redeem_voucher
from compensator.store.models import LedgerEntry
from tests.support.known_day import MANAGER, at_local, do, report_of


def report_of_the_golden_day(uow, clock):
    """Live the golden day through the services and return its report, read at 23:30."""
    at_local(clock, 9, 0)
    s1 = do(uow, sessions.start_session, seat_id="G1", minutes=120)
    s2 = do(uow, sessions.start_session, seat_id="G2", minutes=30)
    s3 = do(uow, sessions.start_session, seat_id="A1", postpaid=True)
    s4 = do(uow, sessions.start_session, seat_id="A2", minutes=60, language="fr")
    s5 = do(uow, sessions.start_session, seat_id="G3", postpaid=True)
    at_local(clock, 9, 10)
    do(uow, sessions.move_session, s4.id, seat_id="G4")
    at_local(clock, 9, 15)
    do(uow, sessions.extend_session, s4.id, minutes=30)
    at_local(clock, 9, 20)
    o1 = do(uow, outages.start_outage)
    at_local(clock, 9, 40)
    do(uow, outages.end_outage, o1.id)
    at_local(clock, 9, 50)
    corrected = do(uow, outages.correct_outage, o1.id, ended_at=clock.now() - timedelta(minutes=5),
                   reason="the generator log says 09:45", actor=MANAGER)
    code = next(item for item in corrected.compensations if item.session_id == s2.id).voucher_codes[0]
    at_local(clock, 10, 0)
    do(uow, sessions.pause_session, s1.id)
    at_local(clock, 10, 20)
    do(uow, sessions.resume_session, s1.id)
    at_local(clock, 10, 30)
    o2 = do(uow, outages.start_outage, zones=["gaming"], source="ups")
    at_local(clock, 11, 10)
    do(uow, outages.end_outage, o2.id)
    at_local(clock, 11, 20)
    do(uow, outages.correct_outage, o2.id, ended_at=clock.now() - timedelta(minutes=20),
       reason="the UPS log says 11:00", actor=MANAGER)
    at_local(clock, 11, 30)
    do(uow, sessions.end_session, s5.id)
    at_local(clock, 12, 0)
    do(uow, sessions.end_session, s3.id)
    at_local(clock, 12, 10)
    do(uow, redeem_voucher, code, seat_id="A5")
    at_local(clock, 13, 0)
    o3 = do(uow, outages.start_outage, kind="network", seats=["A12"], note="router =reboot")
    at_local(clock, 13, 10)
    do(uow, outages.end_outage, o3.id)
    at_local(clock, 13, 15)
    o4 = do(uow, outages.start_outage, zones=["standard"])
    at_local(clock, 13, 20)
    do(uow, outages.end_outage, o4.id)
    at_local(clock, 14, 0)
    s7 = do(uow, sessions.start_session, seat_id="G6", minutes=360, customer_name="Chidi")
    at_local(clock, 14, 10)
    o5 = do(uow, outages.start_outage, seats=["G6"], note="générateur en panne → ₦5 000")
    at_local(clock, 18, 10)
    do(uow, outages.end_outage, o5.id)
    at_local(clock, 18, 30)
    with uow() as unit:
        # No service grants manual credits yet; the entry is what one would write.
        unit.db.add(LedgerEntry(seat_session_id=s7.id, kind=EntryKind.MANUAL_CREDIT, minutes=15,
                                created_at=unit.now(), actor=MANAGER))
        unit.commit()
    at_local(clock, 19, 0)
    do(uow, outages.start_outage, seats=["A3", "A4"], source="heartbeat", suspected=True)
    at_local(clock, 21, 0)
    do(uow, sessions.start_session, seat_id="G5", minutes=120)
    at_local(clock, 21, 50)
    do(uow, outages.start_outage)
    with uow() as unit:
        by_session = {item.session_id: item.notice_id for item in outage_views.get_outage(unit, o1.id).compensations}
    do(uow, notices.deliver_notice, by_session[s1.id], how="printed", feedback="happy")
    do(uow, notices.deliver_notice, by_session[s2.id], how="shown", feedback="neutral")
    do(uow, notices.deliver_notice, by_session[s4.id], how="shown", feedback="happy")
    do(uow, notices.deliver_notice, by_session[s4.id], how="declined")
    at_local(clock, 23, 30)
    return report_of(uow)
