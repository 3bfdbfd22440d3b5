"""The end-of-day report's data: the known day checked row by row, and what a day counts at its edges.

The known day is told in ``tests/support/known_day.py``; the edge cases are an outage still going on at
closing time or across midnight, a correction, a credit awaiting approval, declined notices,
manual credits, expired vouchers, the day's window and the dates a report can be asked for.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from compensator.domain.kinds import EntryKind
from compensator.errors import InvalidInput, NotFound
from compensator.report.build import build_daily_report, check_report_date, day_window, parse_report_date
from compensator.report.data import AnomalyKind, NoticeState
from compensator.report.formats import ReportFormat, layout, parse_format, render
from compensator.services.handover import notices
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from compensator.store.models import LedgerEntry
from tests.conftest import VENUE, make_settings
from tests.support.known_day import ACTOR, DAY, MANAGER, at_local, do, pdf_text, power_cut, report_of


def test_the_outage_table_of_a_known_day_has_times_kinds_scopes_sources_and_corrections(known_day) -> None:
    rows = [(row.kind.value, layout.scope(known_day, row), row.source.value, layout.local(known_day, row.started_at),
             layout.end_text(known_day, row), row.minutes_in_day, row.bridged_by_ups, row.logged_by, row.compensations)
            for row in known_day.outages]
    assert rows == [
        ("power", "whole venue", "manual", "14:20", "14:45", 25, False, ACTOR, 3),
        ("power", "zones: Gaming", "ups", "16:00", "16:05", 5, False, ACTOR, 1),
        ("power", "zones: Standard", "manual", "17:15", "17:20", 5, True, ACTOR, 0),
    ]
    # The network failure of the seat A12 alone is a seat fault: listed apart.
    assert [(row.kind.value, layout.scope(known_day, row), layout.local(known_day, row.started_at),
             layout.end_text(known_day, row), row.minutes_in_day, row.bridged_by_ups)
            for row in known_day.seat_faults] == [("network", "seats: A12", "17:00", "17:10", 10, False)]
    (correction,) = known_day.outages[0].corrections
    assert layout.correction(known_day, correction) == \
        "14:20–14:40 → 14:20–14:45 by manager:bola at 14:50: the generator log says 14:45"
    assert all(not row.corrections for row in known_day.outages[1:])

def test_the_compensation_table_of_a_known_day_has_each_credit_with_its_explanation(known_day) -> None:
    first, second = known_day.outages[0].id, known_day.outages[1].id
    rows = sorted((row.seat_id, row.outage_id, row.figures.lost_minutes, row.figures.credit_minutes,
                   row.granted_minutes, row.figures.form.value, row.given_value_minor, row.notice)
                  for row in known_day.compensations)
    assert rows == [
        ("A1", first, 15, 30, 30, "bill_reduction", 15000, NoticeState.PENDING),
        ("G1", first, 25, 40, 40, "time", 40000, NoticeState.PRINTED),
        ("G1", second, 5, 20, 20, "time", 20000, NoticeState.PENDING),
        ("G2", first, 10, 25, 25, "voucher", 25000, NoticeState.SHOWN),
    ]
    rows_by_key = {(row.seat_id, row.outage_id): row for row in known_day.compensations}
    corrected = rows_by_key["G1", first]
    # The explanation as it was first given, then the correction's own, in order.
    assert corrected.explanation == ("lost 20 min (14:20–14:40) + restart 3 + lost work 10 (capped) = 33 → "
                                     "rounded to 35 min; time added: paid end 16:00 → 16:35")
    assert corrected.adjustments == (
        "outage end corrected 14:40 → 14:45 by bola: lost 20 → 25, credit 35 → 40, +5 min; recomputed: "
        "lost 25 min (14:20–14:45) + restart 3 + lost work 10 (capped) = 38 → rounded to 40 min",)

def test_the_anomalies_of_a_known_day_name_the_corrected_outage_the_idle_outages_and_the_undelivered_notices(
        known_day) -> None:
    texts = [layout.anomaly(item) for item in known_day.anomalies]
    first, second, fourth = (row.id for row in known_day.outages)
    (third,) = (row.id for row in known_day.seat_faults)
    assert texts == [
        f"outage {first} was corrected (last by manager:bola)",
        f"outage {third} affected no session",
        f"outage {fourth} affected no session",
        f"the notice for seat A1 (outage {first}) was never delivered",
        f"the notice for seat G1 (outage {second}) was never delivered",
    ]

def test_the_timeline_of_a_known_day_shows_each_used_seat_with_its_sessions_and_dark_spells(known_day) -> None:
    rows = {row.seat_id: row for row in known_day.timeline}
    assert list(rows) == ["A1", "A5", "A12", "G1", "G2"]

    def local_spans(spans):
        return [(layout.local(known_day, start), layout.local(known_day, end)) for start, end in spans]

    # G2's paid time ran out at 14:30: its band stops there, the seat stayed dark until 14:45.
    assert local_spans(rows["G2"].sessions) == [("14:00", "14:30")]
    assert local_spans(rows["G2"].dark) == [("14:20", "14:45")]
    assert local_spans(rows["A1"].dark) == [("14:30", "14:45")]
    assert local_spans(rows["G1"].dark) == [("14:20", "14:45"), ("16:00", "16:05")]
    # The gaming voucher's value (25 min at NGN600/h) is 50 min on the standard seat.
    assert local_spans(rows["A5"].sessions) == [("15:00", "15:50")]
    # The seat fault of A12 (free, nobody compensated) is drawn on A12's row alone, not across the venue.
    assert (local_spans(rows["A12"].faults), rows["A12"].sessions, rows["A12"].dark) == ([("17:00", "17:10")], (), ())
    assert all(not row.faults for seat, row in rows.items() if seat != "A12")
    assert [(band.outage_id, band.kind.value) for band in known_day.outage_bands] == \
        [(row.id, row.kind.value) for row in known_day.outages]

def test_an_outage_still_going_on_at_closing_time_counts_up_to_closing_and_is_flagged(uow, clock) -> None:
    at_local(clock, 21, 0)
    do(uow, sessions.start_session, seat_id="G1", minutes=120)
    at_local(clock, 21, 50)
    do(uow, outages.start_outage)
    at_local(clock, 23, 30)
    report = report_of(uow)
    assert report.complete
    assert layout.local(report, report.window_end) == "22:00"
    (row,) = report.outages
    assert (row.ended_at, row.ongoing_at_end, row.minutes_in_day, row.compensations) == (None, True, 10, 0)
    assert (report.figures.outage_minutes, report.reliability.downtime_minutes) == (10, 10)
    assert report.reliability.mean_time_to_restore_minutes is None
    assert [item.kind for item in report.anomalies] == [AnomalyKind.ONGOING_OUTAGE]
    assert "ongoing" in pdf_text(render(report, ReportFormat.PDF).content)
    assert "was still going on at the end of the day (10 min so far)" in \
        render(report, ReportFormat.HTML).content.decode()

def test_an_outage_across_midnight_is_credited_once_on_the_day_it_ended(uow, clock, runtime) -> None:
    runtime.settings = make_settings(venue=dict(VENUE["venue"], closing_time="00:00"))
    at_local(clock, 23, 30)
    do(uow, sessions.start_session, seat_id="G1", minutes=120)
    power_cut(uow, clock, (23, 50), (0, 20, 23))
    first, second = report_of(uow, DAY), report_of(uow, DAY + timedelta(days=1))
    assert layout.local(first, first.window_end, "%d") == "23 00:00"
    assert (first.outages[0].minutes_in_day, first.outages[0].ongoing_at_end, first.compensations) == (10, True, ())
    assert (second.outages[0].minutes_in_day, second.outages[0].ongoing_at_end) == (20, False)
    assert [row.figures.credit_minutes for row in second.compensations] == [45]
    assert second.reliability.mean_time_to_restore_minutes == 30

def test_a_correction_that_shrinks_an_outage_shows_the_waived_minutes_and_their_value(uow, clock) -> None:
    do(uow, sessions.start_session, seat_id="G1", minutes=60)
    outage = power_cut(uow, clock, (14, 10), (14, 40))
    do(uow, outages.correct_outage, outage.id, ended_at=clock.now() - timedelta(minutes=10),
       reason="the lights were back at 14:30", actor=MANAGER)
    report = report_of(uow)
    (row,) = report.compensations
    # 30 + 3 + 10 = 43 → 45 given; corrected to 20 + 3 + 10 = 33 → 35 due: 10 waived, nothing taken back.
    assert (row.figures.credit_minutes, row.granted_minutes, row.waived_minutes) == (35, 45, 10)
    assert row.given_value_minor == 45 * 600 * 100 // 60
    assert (report.figures.credited_time_minutes, report.figures.waived_minutes,
            report.figures.credited_value_minor) == (45, 10, 45000)
    assert "45 (10 waived)" in render(report, ReportFormat.HTML).content.decode()

def test_a_credit_awaiting_approval_is_counted_apart_and_has_no_notice_yet(uow, clock) -> None:
    do(uow, sessions.start_session, seat_id="G1", minutes=360)
    power_cut(uow, clock, (14, 10), (18, 10))
    report = report_of(uow)
    (row,) = report.compensations
    assert (row.figures.credit_minutes, row.granted_minutes, row.status.value, row.notice) == \
        (255, 0, "awaiting_approval", None)
    assert (report.figures.awaiting_approval, report.figures.credited_time_minutes,
            report.figures.credited_value_minor, report.figures.notices_pending) == (1, 0, 0, 0)

def test_a_declined_notice_counts_only_the_feedback_of_its_latest_delivery(uow, clock) -> None:
    do(uow, sessions.start_session, seat_id="G1", minutes=60)
    (compensation,) = power_cut(uow, clock, (14, 10), (14, 20)).compensations
    do(uow, notices.deliver_notice, compensation.notice_id, how="shown", feedback="happy")
    do(uow, notices.deliver_notice, compensation.notice_id, how="declined")
    figures = report_of(uow).figures
    assert (figures.notices_delivered, figures.notices_declined, figures.notices_pending) == (0, 1, 0)
    assert (figures.feedback_happy, figures.feedback_neutral, figures.feedback_unhappy) == (0, 0, 0)
    do(uow, notices.deliver_notice, compensation.notice_id, how="shown", feedback="unhappy")
    figures = report_of(uow).figures
    assert (figures.feedback_happy, figures.feedback_neutral, figures.feedback_unhappy) == (0, 0, 1)

def test_a_manual_credit_and_an_unconfirmed_outage_are_flagged(uow, clock) -> None:
    session = do(uow, sessions.start_session, seat_id="A3", minutes=60)
    clock.advance(minutes=5)
    with uow() as unit:
        # No service grants manual credits yet; the entry is what one would write.
        unit.db.add(LedgerEntry(seat_session_id=session.id, kind=EntryKind.MANUAL_CREDIT, minutes=15,
                                created_at=unit.now(), actor=MANAGER))
        unit.commit()
    suspected = do(uow, outages.start_outage, source="heartbeat", suspected=True)
    clock.advance(minutes=5)
    report = report_of(uow)
    assert [layout.anomaly(item) for item in report.anomalies] == [
        f"manual credit of 15 min on seat A3 (session {session.id}) by manager:bola",
        f"outage {suspected.id} is still suspected: confirm or dismiss it",
    ]
    assert report.figures.outages == 0

def test_a_voucher_that_expires_unused_is_counted_on_its_expiry_day(uow, clock) -> None:
    do(uow, sessions.start_session, seat_id="G2", minutes=10)
    power_cut(uow, clock, (14, 5), (14, 20))
    clock.advance(minutes=1)
    assert report_of(uow).figures.vouchers_issued == 1
    expiry_day = DAY + timedelta(days=30)
    at_local(clock, 23, 0, day=22)
    clock.set(clock.now() + timedelta(days=30))
    figures = report_of(uow, expiry_day).figures
    assert (figures.vouchers_issued, figures.vouchers_redeemed, figures.vouchers_expired) == (0, 0, 1)

def test_today_so_far_stops_at_now_and_a_closed_day_at_closing_time(uow, clock) -> None:
    with uow() as unit:
        start, end, complete = day_window(unit, DAY)
        assert (start.isoformat(), end, complete) == ("2026-11-22T00:00:00+01:00", clock.now(), False)
        _, end, complete = day_window(unit, DAY - timedelta(days=1))
        assert (end.isoformat(), complete) == ("2026-11-21T22:00:00+01:00", True)

def test_a_closing_time_of_midnight_makes_the_whole_day_the_window(settings, clock, tmp_path) -> None:
    from compensator.runtime import Compensator

    midnight = make_settings(venue=dict(VENUE["venue"], closing_time="00:00"))
    runtime = Compensator.open(midnight, clock=clock, database_url=f"sqlite:///{(tmp_path / 'm.db').as_posix()}")
    try:
        with runtime.unit_of_work() as unit:
            start, end, complete = day_window(unit, DAY - timedelta(days=1))
        assert (start.isoformat(), end.isoformat(), complete) == \
            ("2026-11-21T00:00:00+01:00", "2026-11-22T00:00:00+01:00", True)
    finally:
        runtime.close()

def test_a_date_in_the_future_a_date_before_2000_and_a_malformed_date_are_clear_errors(uow) -> None:
    with uow() as unit:
        with pytest.raises(NotFound, match="in the future") as raised:
            build_daily_report(unit, DAY + timedelta(days=1))
        assert raised.value.field == "date"
        with pytest.raises(InvalidInput, match="in the years 2000 to 2100"):
            check_report_date(unit, "0001-01-01")
        assert check_report_date(unit, " 2026-11-22 ") == DAY
    for text in ("22-11-2026", "2026-13-01", "20261122", "2026-W47-1", "", "2026-11-22T10:00"):
        with pytest.raises(InvalidInput, match="like 2026-11-22") as raised:
            parse_report_date(text)
        assert raised.value.field == "date"
    with pytest.raises(InvalidInput, match="json, csv, html or pdf") as raised:
        parse_format("docx")
    assert raised.value.field == "format"
    assert parse_format(" PDF ") is ReportFormat.PDF


def test_outage_minutes_and_downtime_are_one_figure_for_the_same_cuts(uow, clock) -> None:
    # A venue cut 14:10-14:20 and a zone cut 14:15-14:25 overlapping it: 15 minutes, counted once.
    at_local(clock, 14, 10)
    venue = do(uow, outages.start_outage)
    at_local(clock, 14, 15)
    zone = do(uow, outages.start_outage, zones=["gaming"])
    at_local(clock, 14, 20)
    do(uow, outages.end_outage, venue.id)
    at_local(clock, 14, 25)
    do(uow, outages.end_outage, zone.id)
    report = report_of(uow)
    assert (report.figures.outage_minutes, report.reliability.downtime_minutes) == (15, 15)
