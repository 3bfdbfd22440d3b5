"""The known day of the report tests: what happens in it, and what it adds up to by hand.

The known day (venue Africa/Lagos, closing 22:00; gaming seats G1-G6 at 600 NGN/h have no UPS,
standard seats A1-A12 at 300 NGN/h a 10-minute UPS):

    14:00  s1 G1 prepaid 120 · s2 G2 prepaid 30 · s3 A1 postpaid
    14:20  power cut, whole venue (o1) ................ ended 14:40, corrected at 14:50 to end 14:45
           s1: lost 25 + 3 + 10 = 38 → 40 time (35 first, +5 top-up), worth 40 × 600 / 60 = 40 000 kobo
           s2: paid time ran out at 14:30: lost 10 + 3 + 10 = 23 → 25 voucher, worth 25 000
           s3: dark 14:30–14:45 behind the UPS: lost 15 + 3 + 10 = 28 → 30 off the bill, worth 15 000
    15:00  s2's voucher redeemed on A5 (s4): its value, 25 gaming min, is 50 standard min
    16:00  gaming-zone cut reported by the UPS (o2) .... 16:00–16:05: s1 lost 5 + 3 + 10 = 18 → 20 time, 20 000
    17:00  network failure on the free seat A12 (o3) ... 17:00–17:10: nobody affected; a seat fault
    17:15  standard-zone cut (o4) ...................... 17:15–17:20: bridged by the 10-minute UPS
    notices: s1/o1 printed (happy), s2/o1 shown (neutral), s3/o1 and s1/o2 never delivered
    report read at 17:30: the day is still open

By hand: 3 outages of the venue and a seat fault (o3, listed apart), 25 + 5 + 5 = 35 outage
minutes, 3 sessions affected; 40 + 20 = 60
minutes as time, 25 as a voucher, 30 off a bill, worth 100 000 kobo; power cuts o1, o2, o4:
35 minutes down, longest 25, mean time to restore 35 / 3 → 12 (rounded up), one of three
bridged (33 %). The standard zone's 10-minute UPS carried 10 of o1's 25 minutes and all 5 of
o4's (15 carried, 15 not); the gaming zone has none: o1's 25 and o2's 5 were not carried.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from pypdf import PdfReader

from compensator.report.build import build_daily_report
from compensator.services.handover import notices
from compensator.services.outages import use_cases as outages
from compensator.services.outages import views as outage_views
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions.vouchers import redeem_voucher

DAY = date(2026, 11, 22)
ACTOR = "attendant:ada"
MANAGER = "manager:bola"

EXPECTED_FIGURES = {
    "outages": 3, "outage_minutes": 35, "seat_faults": 1, "sessions_affected": 3,
    "credited_time_minutes": 60, "credited_voucher_minutes": 25, "credited_bill_minutes": 30,
    "credited_value_minor": 100000, "waived_minutes": 0, "carried_minutes": 0,
    "notices_delivered": 2, "notices_declined": 0, "notices_pending": 2,
    "feedback_happy": 1, "feedback_neutral": 1, "feedback_unhappy": 0,
    "vouchers_issued": 1, "vouchers_redeemed": 1, "vouchers_expired": 0,
    "awaiting_approval": 0,
}
# What each zone's UPS carried of the cuts over it (o1 and o4 over standard, o1 and o2 over gaming).
EXPECTED_UPS = [
    {"zone_id": "standard", "zone_name": "Standard", "ups_minutes": 10, "cuts": 2, "carried_minutes": 15,
     "not_carried_minutes": 15},
    {"zone_id": "gaming", "zone_name": "Gaming", "ups_minutes": 0, "cuts": 2, "carried_minutes": 0,
     "not_carried_minutes": 30},
]
EXPECTED_RELIABILITY = {
    "cuts": 3, "downtime_minutes": 35, "longest_cut_minutes": 25, "mean_time_to_restore_minutes": 12,
    "cuts_bridged_by_ups": 1, "bridged_percent": 33,
}


def at_local(clock, hour: int, minute: int, day: int = 22) -> None:
    """Set the fake clock to a local time in Lagos on ``day`` of November 2026 (the known day unless told)."""
    # Lagos is UTC+1 all year.
    clock.set(datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=1))


def do(uow, action, *args, **kwargs):
    """Call one service in a unit of work of its own, as the attendant unless another actor is given."""
    kwargs.setdefault("actor", ACTOR)
    with uow() as unit:
        return action(unit, *args, **kwargs)


def power_cut(uow, clock, start: tuple[int, ...], end: tuple[int, ...]):
    """A venue-wide power cut from local ``start`` to ``end`` (hour, minute[, day]); the ended outage."""
    at_local(clock, *start)
    outage = do(uow, outages.start_outage)
    at_local(clock, *end)
    return do(uow, outages.end_outage, outage.id)


def report_of(uow, venue_date: date = DAY):
    """The report of ``venue_date`` (the known day unless told), built in a unit of work of its own."""
    with uow() as unit:
        return build_daily_report(unit, venue_date)


def pdf_text(content: bytes) -> str:
    """The text of every page of a PDF, as one line."""
    # Whitespace is normalised: table cells may wrap or be joined by newlines.
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def csv_sections(content: bytes) -> dict[str, list[list[str]]]:
    """The sections of a CSV report by their titles, each as its rows of cells."""
    sections = {}
    for block in content.decode("utf-8-sig").strip().split("\n\n"):
        lines = block.splitlines()
        sections[lines[0].removeprefix("# ")] = list(csv.reader(io.StringIO("\n".join(lines[1:]))))
    return sections


def report_of_the_known_day(uow, clock):
    """Live the known day through the services and return its report, read at 17:30."""
    at_local(clock, 14, 0)
    s1 = do(uow, sessions.start_session, seat_id="G1", minutes=120)
    s2 = do(uow, sessions.start_session, seat_id="G2", minutes=30)
    do(uow, sessions.start_session, seat_id="A1", postpaid=True)
    at_local(clock, 14, 20)
    o1 = do(uow, outages.start_outage)
    at_local(clock, 14, 40)
    do(uow, outages.end_outage, o1.id)
    at_local(clock, 14, 50)
    corrected = do(uow, outages.correct_outage, o1.id, ended_at=clock.now() - timedelta(minutes=5),
                   reason="the generator log says 14:45", actor=MANAGER)
    code = next(item for item in corrected.compensations if item.session_id == s2.id).voucher_codes[0]
    at_local(clock, 15, 0)
    do(uow, redeem_voucher, code, seat_id="A5")
    at_local(clock, 16, 0)
    o2 = do(uow, outages.start_outage, zones=["gaming"], source="ups")
    at_local(clock, 16, 5)
    do(uow, outages.end_outage, o2.id)
    at_local(clock, 17, 0)
    o3 = do(uow, outages.start_outage, kind="network", seats=["A12"])
    at_local(clock, 17, 10)
    do(uow, outages.end_outage, o3.id)
    at_local(clock, 17, 15)
    o4 = do(uow, outages.start_outage, zones=["standard"])
    at_local(clock, 17, 20)
    do(uow, outages.end_outage, o4.id)
    with uow() as unit:
        by_session = {item.session_id: item.notice_id for item in outage_views.get_outage(unit, o1.id).compensations}
    do(uow, notices.deliver_notice, by_session[s1.id], how="printed", feedback="happy")
    do(uow, notices.deliver_notice, by_session[s2.id], how="shown", feedback="neutral")
    at_local(clock, 17, 30)
    return report_of(uow)
