"""The evidence tests' period: two venue days lived through the services with the fake clock, and what they hold.

Venue of the tests (Lagos, UTC+1; standard A1-A12 at 300 NGN/h behind a 10-minute UPS, gaming
G1-G6 at 600 NGN/h without one), with a UPS ``gaming-ups`` over the gaming zone. The period is
21 and 22 November 2026:

    20 Nov 23:50 - 21 Nov 00:10  power cut clicked by ada over the whole venue (across the period's first edge)
    21 Nov 09:58:00 - 10:12:05   the server was not running: suspected, confirmed by bola
    22 Nov 14:20 - 14:40         power cut clicked by ada; bola corrects the end to 14:45 ("the generator log
                                 says 14:45"): G1 lost 25 + 3 + 10 = 38 -> 40 min as time (35 first, +5), worth
                                 40 000 kobo; G2 (paid time out at 14:30) 23 -> 25 as a voucher, 25 000; A1
                                 postpaid dark 14:30-14:45 behind the UPS, 28 -> 30 off the bill, 15 000
    22 Nov 16:00 - 16:05         the gaming zone's UPS on battery, mains back once for 20 s meanwhile (1 flap):
                                 G1 lost 5 + 3 + 10 = 18 -> 20 as time, 20 000
    22 Nov 17:00:50              seats A2-A4 fall silent; they beat again at 17:05; bola dismisses it ("the
                                 seats' network switch was restarted")
    23 Nov 09:00 - 09:05         a power cut after the period: left out
"""

from __future__ import annotations

from datetime import timedelta

from compensator.domain.equipment import UpsStatus
from compensator.domain.ups import Reading
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from compensator.services.sources import detection, server_gap, ups
from compensator.services.sources.heartbeats import record_seat_heartbeat
from tests.conftest import make_settings
from tests.support.known_day import MANAGER, at_local, do

MONITORS = [{"name": "gaming-ups", "zones": ["gaming"], "debounce_seconds": 15, "merge_seconds": 60,
             "poll_seconds": 1}]
CORRECTION_REASON = "the generator log says 14:45"
DISMISS_REASON = "the seats' network switch was restarted"


def evidence_settings():
    """The test venue with its gaming zone's UPS watched through NUT."""
    return make_settings(ups=MONITORS)


def _reading(uow, clock, reading: Reading, seconds: int, charge: int) -> None:
    """A poll of the UPS ``seconds`` later, as the poller hands it over: its status with the battery's charge."""
    clock.advance(seconds=seconds)
    status = UpsStatus("OB DISCHRG" if reading is Reading.ON_BATTERY else "OL CHRG", charge)
    with uow() as unit:
        ups.record_reading(unit, "gaming-ups", reading, status=status)


def _beat(uow, clock, seconds: int, *seats: str) -> None:
    for _ in range(seconds // 10):
        clock.advance(seconds=10)
        for seat in seats:
            with uow() as unit:
                record_seat_heartbeat(unit, seat_id=seat)
        with uow() as unit:
            detection.detect(unit)


def live_the_period(uow, clock) -> dict[str, int]:
    """Live the period through the services; the ids of its outages by name."""
    ids = {}
    at_local(clock, 23, 40, day=20)
    do(uow, sessions.start_session, seat_id="G3", minutes=60)
    at_local(clock, 23, 50, day=20)
    ids["edge"] = do(uow, outages.start_outage).id
    at_local(clock, 0, 10, day=21)
    do(uow, outages.end_outage, ids["edge"])

    at_local(clock, 9, 30, day=21)
    do(uow, sessions.start_session, seat_id="A6", minutes=60)
    at_local(clock, 9, 58, day=21)
    with uow() as unit:
        run = server_gap.start_run(unit)
    for _ in range(4):
        clock.advance(seconds=30)
        with uow() as unit:
            server_gap.note_alive(unit, run.run_id)
    clock.advance(minutes=12, seconds=5)
    with uow() as unit:
        gap = server_gap.start_run(unit).gap_outage
    assert gap is not None
    ids["gap"] = gap.id
    clock.advance(minutes=3)
    do(uow, outages.confirm_outage, gap.id, actor=MANAGER)

    at_local(clock, 14, 0)
    ids["s1"] = do(uow, sessions.start_session, seat_id="G1", minutes=120).id
    ids["s2"] = do(uow, sessions.start_session, seat_id="G2", minutes=30).id
    ids["s3"] = do(uow, sessions.start_session, seat_id="A1", postpaid=True).id
    at_local(clock, 14, 20)
    ids["cut"] = do(uow, outages.start_outage).id
    at_local(clock, 14, 40)
    do(uow, outages.end_outage, ids["cut"])
    at_local(clock, 14, 50)
    do(uow, outages.correct_outage, ids["cut"], ended_at=clock.now() - timedelta(minutes=5),
       reason=CORRECTION_REASON, actor=MANAGER)

    at_local(clock, 16, 0)
    with uow() as unit:
        ups.record_reading(unit, "gaming-ups", Reading.ON_BATTERY, status=UpsStatus("OB DISCHRG", 98, 1500, 40))
    _reading(uow, clock, Reading.ON_BATTERY, 16, 95)
    _reading(uow, clock, Reading.ONLINE, 44, 90)
    _reading(uow, clock, Reading.ON_BATTERY, 20, 88)
    at_local(clock, 16, 5)
    with uow() as unit:
        ups.record_reading(unit, "gaming-ups", Reading.ONLINE, status=UpsStatus("OL CHRG", 70))
    _reading(uow, clock, Reading.ONLINE, 61, 72)

    at_local(clock, 16, 59)
    for seat in ("A2", "A3", "A4", "A5"):
        do(uow, sessions.start_session, seat_id=seat, minutes=60)
    _beat(uow, clock, 60, "A2", "A3", "A4", "A5")
    _beat(uow, clock, 120, "A5")
    at_local(clock, 17, 5)
    _beat(uow, clock, 10, "A2", "A3", "A4", "A5")
    with uow() as unit:
        by_source = {view.source.value: view.id for view in outages_listed(unit)}
    ids["ups"], ids["silence"] = by_source["ups"], by_source["heartbeat"]
    do(uow, outages.dismiss_outage, ids["silence"], reason=DISMISS_REASON, actor=MANAGER)

    at_local(clock, 9, 0, day=23)
    ids["after"] = do(uow, outages.start_outage).id
    at_local(clock, 9, 5, day=23)
    do(uow, outages.end_outage, ids["after"])
    at_local(clock, 9, 10, day=23)
    return ids


def outages_listed(unit):
    """Every outage as the manager page lists them."""
    from compensator.services.outages import views

    return views.list_outages(unit)


def evidence_clock():
    """A fake clock at noon in Lagos on 20 November 2026, before the period's first outage."""
    from datetime import UTC, datetime

    from compensator.clock import FakeClock

    return FakeClock(datetime(2026, 11, 20, 11, 0, tzinfo=UTC))
