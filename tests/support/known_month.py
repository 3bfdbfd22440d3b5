"""The known month of the period report tests: November 2026 lived through the services, and what it adds up to.

The venue closes at midnight, so the period of November runs from 1 Nov 00:00 to 1 Dec 00:00
(Lagos, UTC+1): 30 days, 43,200 minutes. Standard A1-A12 at 300 NGN/h has a 10-minute UPS,
gaming G1-G6 at 600 NGN/h none: 18 seats. The cuts (all of the venue's power unless told):

    E1  31 Oct 23:40 – 1 Nov 00:10 (30 min)   across the period's start and midnight; nobody seated.
        In November: standard dark 00:00–00:10 (10), gaming 00:00–00:10 (10).
    E2   3 Nov 14:20 – 14:36 (16 min)          standard dark 14:30–14:36 (6), gaming 14:20–14:36 (16).
        s1 G1 60 min from 14:00: lost 16 + 3 + 10 = 29 → 30 time, 30 000 kobo; letter printed by ada 14:40 (happy)
        s2 A1 60 min from 14:00: lost 6 + 3 + 10 = 19 → 20 time, 10 000; shown by chi 14:50 (unhappy)
        s3 G2 30 min from 14:00 (paid end 14:30): lost 10 + 3 + 10 = 23 → 25 voucher, 25 000; declined by ada 14:56
        s4 A2 25 min from 14:10 (paid end 14:35): lost 5 + 3 + 10 = 18 → 20 voucher, 10 000; never handed over
    E3  10 Nov 16:00 – 16:20, gaming only (20)  gaming dark 20.
    E4  12 Nov 17:00 – 17:05, standard only     bridged by the 10-minute UPS: momentary.
    F   15 Nov 10:00 – 10:30, seat A12 alone    a seat fault: in no power figure.
    E5  30 Nov 23:50 – 1 Dec 00:20 (30 min)     across the period's end: gaming dark 23:50–00:00 (10) in
        November; standard's UPS held until midnight: nothing in November. Not ended in the period.
    s3's voucher redeemed on G3 on 8 Nov (s5); s4's never (outstanding at the end, 8–30 days old).

By hand:
    standard: 4 cuts (E1 E2 E4 E5), SAIFI 2, SAIDI 16, CAIDI 8.0, MAIFI 1, ASAI 100 × (1 − 16/43200) = 99.963;
        margin over E1 30, E2 16, E4 5: median 16, "6 min short in 2 of 3 cuts".
    gaming: 4 cuts (E1 E2 E3 E5), SAIFI 4, SAIDI 10 + 16 + 20 + 10 = 56, CAIDI 14.0, MAIFI 0, ASAI 99.870;
        margin over E1 30, E2 16, E3 20: median 20, short in 3 of 3.
    venue (18 seats): SAIFI (12×2 + 6×4)/18 = 2.67, SAIDI (12×16 + 6×56)/18 = 29.3, CAIDI 11.0,
        MAIFI 12/18 = 0.67, ASAI 100 × (1 − 29.33/43200) = 99.932; 5 cuts.
    restore (E1 30, E2 16, E3 20, E4 5; E5 still going on at the end): median (2nd of 4) 16, p90 (4th) 30.
    credits: gaming 55 min, 55 000; standard 40 min, 20 000; venue 95 min, 75 000 (all counted on 3 Nov).
    takings: gaming 60 000 + 30 000 = 90 000 (s5 is a voucher's, not charged), standard 30 000 + 12 500
        = 42 500; credits' share 61.1 %, 47.1 %, venue 75 000 / 132 500 = 56.6 %.
    sessions: gaming s1 s3 s5 (2 interrupted, 66.7 %), standard s2 s4 (2, 100 %); venue 4 of 5, 80 %.
    care: ada 2 letters (1 printed, 1 declined), waits 4 and 20 → median 4, 1 happy; chi 1 shown, 14, 1 unhappy;
        1 letter pending (s4's, 10 000).
    vouchers: issued 2, redeemed 1, expired 0; outstanding 1 (20 min, 10 000), aged 8–30 days;
        retention: 2 issued, 1 back within 7 days, 1 within 30.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from compensator.clock import FakeClock
from compensator.services.handover import notices
from compensator.services.outages import use_cases as outages
from compensator.services.outages import views as outage_views
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions.vouchers import redeem_voucher
from tests.conftest import VENUE, make_settings
from tests.support.known_day import ACTOR, do

ADA = ACTOR
CHI = "attendant:chi"


def month_settings():
    """The test venue closing at midnight: the period of November is its 30 whole days."""
    return make_settings(venue=dict(VENUE["venue"], closing_time="00:00"))


def month_clock() -> FakeClock:
    """A fake clock on 1 October 2026: the known month begins on 31 October, before the tests' usual day."""
    return FakeClock(datetime(2026, 10, 1, tzinfo=UTC))


def at(clock, month: int, day: int, hour: int, minute: int) -> None:
    """Set the fake clock to a local time in Lagos (UTC+1) in 2026."""
    clock.set(datetime(2026, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=1))


def cut(uow, clock, start: tuple[int, int, int, int], end: tuple[int, int, int, int], **scope):
    """An outage from local ``start`` to ``end`` (month, day, hour, minute); the ended outage."""
    at(clock, *start)
    outage = do(uow, outages.start_outage, **scope)
    at(clock, *end)
    return do(uow, outages.end_outage, outage.id)


def live_the_known_month(uow, clock) -> None:
    """Live November 2026 (and its edges) through the services; the clock ends at 1 Dec 01:00."""
    cut(uow, clock, (10, 31, 23, 40), (11, 1, 0, 10))
    at(clock, 11, 3, 14, 0)
    s1 = do(uow, sessions.start_session, seat_id="G1", minutes=60)
    s2 = do(uow, sessions.start_session, seat_id="A1", minutes=60)
    s3 = do(uow, sessions.start_session, seat_id="G2", minutes=30)
    at(clock, 11, 3, 14, 10)
    s4 = do(uow, sessions.start_session, seat_id="A2", minutes=25)
    e2 = cut(uow, clock, (11, 3, 14, 20), (11, 3, 14, 36))
    with uow() as unit:
        by_session = {item.session_id: item for item in outage_views.get_outage(unit, e2.id).compensations}
    at(clock, 11, 3, 14, 40)
    do(uow, notices.deliver_notice, by_session[s1.id].notice_id, how="printed", feedback="happy")
    at(clock, 11, 3, 14, 50)
    do(uow, notices.deliver_notice, by_session[s2.id].notice_id, how="shown", feedback="unhappy", actor=CHI)
    at(clock, 11, 3, 14, 56)
    do(uow, notices.deliver_notice, by_session[s3.id].notice_id, how="declined")
    assert by_session[s4.id].voucher_codes
    at(clock, 11, 8, 12, 0)
    do(uow, redeem_voucher, by_session[s3.id].voucher_codes[0], seat_id="G3")
    cut(uow, clock, (11, 10, 16, 0), (11, 10, 16, 20), zones=["gaming"])
    cut(uow, clock, (11, 12, 17, 0), (11, 12, 17, 5), zones=["standard"])
    cut(uow, clock, (11, 15, 10, 0), (11, 15, 10, 30), seats=["A12"])
    cut(uow, clock, (11, 30, 23, 50), (12, 1, 0, 20))
    at(clock, 12, 1, 1, 0)
