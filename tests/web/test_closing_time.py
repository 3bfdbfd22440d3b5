"""Closing time (SPEC §3, rule 8 amended): a sale past it warns, a time credit past it comes as a voucher."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from compensator.domain.venue_day import minutes_past, next_closing
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions import views as session_views
from tests.conftest import log_in_cookie

LAGOS = ZoneInfo("Africa/Lagos")
ADA = "attendant:ada"


def test_the_next_closing_is_today_until_it_passes_then_tomorrow_and_after_midnight_the_next_day() -> None:
    evening = datetime(2026, 11, 22, 20, 0, tzinfo=LAGOS)
    assert next_closing(evening, LAGOS, time(22, 0)) == datetime(2026, 11, 22, 22, 0, tzinfo=LAGOS)
    late = datetime(2026, 11, 22, 22, 0, tzinfo=LAGOS)
    assert next_closing(late, LAGOS, time(22, 0)) == datetime(2026, 11, 23, 22, 0, tzinfo=LAGOS)
    assert next_closing(evening, LAGOS, time(2, 0)) == datetime(2026, 11, 23, 2, 0, tzinfo=LAGOS)
    assert next_closing(datetime(2026, 11, 23, 1, 0, tzinfo=LAGOS), LAGOS, time(2, 0)) == datetime(
        2026, 11, 23, 2, 0, tzinfo=LAGOS)
    assert next_closing(evening, LAGOS, time(0, 0)) == datetime(2026, 11, 23, 0, 0, tzinfo=LAGOS)


def test_minutes_past_closing_count_a_started_minute() -> None:
    closing = datetime(2026, 11, 22, 21, 0, tzinfo=UTC)
    assert minutes_past(datetime(2026, 11, 22, 20, 59, tzinfo=UTC), closing) == 0
    assert minutes_past(datetime(2026, 11, 22, 21, 12, 30, tzinfo=UTC), closing) == 13


def test_a_time_credit_runs_to_closing_and_the_rest_is_a_voucher(uow, clock) -> None:
    # 14:00 Lagos; a 450-min session is paid until 21:30, and closing is 22:00.
    with uow() as unit:
        seat = sessions.start_session(unit, seat_id="G1", minutes=450, actor=ADA)
    clock.advance(minutes=60)
    with uow() as unit:
        outage = outages.start_outage(unit, actor=ADA)
    clock.advance(minutes=40)
    with uow() as unit:
        (item,) = outages.end_outage(unit, outage.id, actor=ADA).compensations
    # 40 lost + 3 + 10 = 53 → 55: 30 before closing, 25 on a voucher.
    assert item.current.credit_minutes == 55
    assert len(item.voucher_codes) == 1
    assert "time added: paid end 21:30 → 22:00 (closing time 22:00); 25 min past closing as a voucher" in (
        item.explanation)
    with uow() as unit:
        view = session_views.get_session(unit, seat.id)
    assert (view.paid_minutes, view.paid_end) == (480, datetime(2026, 11, 22, 22, 0, tzinfo=LAGOS))


def test_selling_past_closing_warns_with_the_minutes_that_cannot_be_used(client, uow, clock) -> None:
    log_in_cookie(client, "ada")
    clock.advance(minutes=6 * 60 + 12)  # 20:12
    shown = client.post("/seats/G1/start", data={"csrf_token": "t", "minutes": "120"},
                        follow_redirects=True).get_data(as_text=True)
    assert "Seat G1: session started." in shown
    assert "12 minutes of this session run past closing time (22:00) and cannot be used." in shown
    answer = client.post("/api/v1/sessions", json={"seat": "G2", "minutes": 60}, headers={"X-CSRF-Token": "t"})
    assert answer.get_json()["past_closing_minutes"] == 0
    answer = client.post("/api/v1/sessions", json={"seat": "G3", "minutes": 150}, headers={"X-CSRF-Token": "t"})
    assert answer.get_json()["past_closing_minutes"] == 42
