"""The end-of-day report: a known day checked figure by figure, in every format, and its edge cases.

The known day (venue Africa/Lagos, closing 22:00; gaming seats G1-G6 at 600 NGN/h have no UPS,
standard seats A1-A12 at 300 NGN/h a 10-minute UPS):

    14:00  s1 G1 prepaid 120 · s2 G2 prepaid 30 · s3 A1 postpaid
    14:20  power cut, whole venue (o1) ................ ended 14:40, corrected at 14:50 to end 14:45
           s1: lost 25 + 3 + 10 = 38 → 40 time (35 first, +5 top-up), worth 40 × 600 / 60 = 40 000 kobo
           s2: paid time ran out at 14:30: lost 10 + 3 + 10 = 23 → 25 voucher, worth 25 000
           s3: dark 14:30–14:45 behind the UPS: lost 15 + 3 + 10 = 28 → 30 off the bill, worth 15 000
    15:00  s2's voucher redeemed on A5 (s4, 25 min)
    16:00  gaming-zone cut reported by the UPS (o2) .... 16:00–16:05: s1 lost 5 + 3 + 10 = 18 → 20 time, 20 000
    17:00  network failure on the free seat A12 (o3) ... 17:00–17:10: nobody affected
    17:15  standard-zone cut (o4) ...................... 17:15–17:20: bridged by the 10-minute UPS
    notices: s1/o1 printed (happy), s2/o1 shown (neutral), s3/o1 and s1/o2 never delivered
    report read at 17:30: the day is still open

By hand: 4 outages, 25 + 5 + 10 + 5 = 45 outage minutes, 3 sessions affected; 40 + 20 = 60
minutes as time, 25 as a voucher, 30 off a bill, worth 100 000 kobo; power cuts o1, o2, o4:
35 minutes down, longest 25, mean time to restore 35 / 3 → 12 (rounded up), one of three
bridged (33 %).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from datetime import date, datetime, timedelta, timezone
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from compensator.domain.kinds import EntryKind
from compensator.errors import InvalidInput
from compensator.reporting import ReportFormat, layout, parse_format, render
from compensator.reporting.pdf_format import latin
from compensator.reporting.timeline import MAX_SEAT_ROWS, picture_rows, render_svg
from compensator.services import notices, outage_views, outages, sessions
from compensator.services.report import build_daily_report, check_report_date, day_window, parse_report_date
from compensator.services.report_data import AnomalyKind, NoticeState, TimelineRow
from compensator.services.vouchers import redeem_voucher
from compensator.store.models import LedgerEntry
from tests.conftest import VENUE, make_settings

DAY = date(2026, 11, 22)
ACTOR = "attendant:ada"
MANAGER = "manager:bola"

EXPECTED_FIGURES = {
    "outages": 4, "outage_minutes": 45, "sessions_affected": 3,
    "credited_time_minutes": 60, "credited_voucher_minutes": 25, "credited_bill_minutes": 30,
    "credited_value_minor": 100000, "waived_minutes": 0,
    "notices_delivered": 2, "notices_declined": 0, "notices_pending": 2,
    "feedback_happy": 1, "feedback_neutral": 1, "feedback_unhappy": 0,
    "vouchers_issued": 1, "vouchers_redeemed": 1, "vouchers_expired": 0,
    "awaiting_approval": 0,
}
EXPECTED_RELIABILITY = {
    "cuts": 3, "downtime_minutes": 35, "longest_cut_minutes": 25, "mean_time_to_restore_minutes": 12,
    "cuts_bridged_by_ups": 1, "bridged_percent": 33,
}
# The same figures as a person reads them, in the HTML and the PDF.
EXPECTED_SHOWN = [
    ("Outages", "4"), ("Outage minutes", "45"), ("Sessions affected", "3"), ("Value credited", "NGN1,000.00"),
    ("Minutes as time", "60"), ("Minutes as vouchers", "25"), ("Minutes off bills", "30"),
    ("Minutes waived after corrections", "0"), ("Notices delivered / declined / pending", "2 / 0 / 2"),
    ("Feedback happy / neutral / unhappy", "1 / 1 / 0"), ("Vouchers issued / redeemed / expired", "1 / 1 / 0"),
    ("Credits awaiting approval", "0"), ("Power cuts", "3"), ("Downtime (min)", "35"), ("Longest cut (min)", "25"),
    ("Mean time to restore (min)", "12"), ("Cuts bridged by UPS", "1 (33%)"),
]


def at_local(clock, hour: int, minute: int, day: int = 22) -> None:
    # Lagos is UTC+1 all year.
    clock.set(datetime(2026, 11, day, hour, minute, tzinfo=timezone.utc) - timedelta(hours=1))


def do(uow, action, *args, **kwargs):
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
    with uow() as unit:
        return build_daily_report(unit, venue_date)


def pdf_text(content: bytes) -> str:
    # Whitespace is normalised: table cells may wrap or be joined by newlines.
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def csv_sections(content: bytes) -> dict[str, list[list[str]]]:
    sections = {}
    for block in content.decode("utf-8-sig").strip().split("\n\n"):
        lines = block.splitlines()
        sections[lines[0].removeprefix("# ")] = list(csv.reader(io.StringIO("\n".join(lines[1:]))))
    return sections


@pytest.fixture
def known_day(uow, clock):
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


def test_every_figure_of_a_known_day_in_the_json_matches_the_hand_computed_one(known_day) -> None:
    data = json.loads(render(known_day, ReportFormat.JSON).content)
    assert data["figures"] == EXPECTED_FIGURES
    assert data["reliability"] == EXPECTED_RELIABILITY
    assert (data["venue_date"], data["window_start"], data["window_end"], data["complete"]) == \
        ("2026-11-22", "2026-11-22T00:00:00+01:00", "2026-11-22T17:30:00+01:00", False)


def test_the_outage_table_of_a_known_day_has_times_kinds_scopes_sources_and_corrections(known_day) -> None:
    rows = [(row.kind.value, layout.scope(row), row.source.value, layout.local(known_day, row.started_at),
             layout.end_text(known_day, row), row.minutes_in_day, row.bridged_by_ups, row.logged_by, row.compensations)
            for row in known_day.outages]
    assert rows == [
        ("power", "whole venue", "manual", "14:20", "14:45", 25, False, ACTOR, 3),
        ("power", "zones: gaming", "ups", "16:00", "16:05", 5, False, ACTOR, 1),
        ("network", "seats: A12", "manual", "17:00", "17:10", 10, False, ACTOR, 0),
        ("power", "zones: standard", "manual", "17:15", "17:20", 5, True, ACTOR, 0),
    ]
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
    first, second, third, fourth = (row.id for row in known_day.outages)
    assert texts == [
        f"outage {first} was corrected (last by manager:bola)",
        f"outage {third} affected no session",
        f"outage {fourth} affected no session",
        f"the notice for seat A1 (outage {first}) was never delivered",
        f"the notice for seat G1 (outage {second}) was never delivered",
    ]


def test_the_timeline_of_a_known_day_shows_each_used_seat_with_its_sessions_and_dark_spells(known_day) -> None:
    rows = {row.seat_id: row for row in known_day.timeline}
    assert list(rows) == ["A1", "A5", "G1", "G2"]

    def local_spans(spans):
        return [(layout.local(known_day, start), layout.local(known_day, end)) for start, end in spans]

    # G2's paid time ran out at 14:30: its band stops there, the seat stayed dark until 14:45.
    assert local_spans(rows["G2"].sessions) == [("14:00", "14:30")]
    assert local_spans(rows["G2"].dark) == [("14:20", "14:45")]
    assert local_spans(rows["A1"].dark) == [("14:30", "14:45")]
    assert local_spans(rows["G1"].dark) == [("14:20", "14:45"), ("16:00", "16:05")]
    assert local_spans(rows["A5"].sessions) == [("15:00", "15:25")]
    assert [(band.outage_id, band.kind.value) for band in known_day.outage_bands] == \
        [(row.id, row.kind.value) for row in known_day.outages]


def test_the_csv_carries_the_same_numbers_in_sections(known_day) -> None:
    content = render(known_day, ReportFormat.CSV).content
    assert content.startswith("\ufeff".encode())
    sections = csv_sections(content)
    assert list(sections) == ["report", "figures", "reliability", "outages", "corrections", "compensations",
                              "anomalies"]
    assert dict(sections["figures"][1:]) == {key: str(value) for key, value in EXPECTED_FIGURES.items()}
    assert dict(sections["reliability"][1:]) == {key: str(value) for key, value in EXPECTED_RELIABILITY.items()}
    outages_table = [dict(zip(sections["outages"][0], row, strict=True)) for row in sections["outages"][1:]]
    assert [(row["scope"], row["started_at"], row["ended_at"], row["minutes_in_day"], row["corrections"])
            for row in outages_table] == [
        ("whole venue", "2026-11-22 14:20", "2026-11-22 14:45", "25", "1"),
        ("zones: gaming", "2026-11-22 16:00", "2026-11-22 16:05", "5", "0"),
        ("seats: A12", "2026-11-22 17:00", "2026-11-22 17:10", "10", "0"),
        ("zones: standard", "2026-11-22 17:15", "2026-11-22 17:20", "5", "0"),
    ]
    correction = dict(zip(sections["corrections"][0], sections["corrections"][1], strict=True))
    assert (correction["ended_before"], correction["ended_after"], correction["actor"]) == \
        ("2026-11-22 14:40", "2026-11-22 14:45", MANAGER)
    compensations = [dict(zip(sections["compensations"][0], row, strict=True)) for row in sections["compensations"][1:]]
    assert sum(int(row["value_minor"]) for row in compensations) == 100000
    assert sorted(row["notice"] for row in compensations) == ["pending", "pending", "printed", "shown"]
    assert len(sections["anomalies"]) == 1 + 5


def test_the_html_is_a_standalone_a4_page_with_the_same_numbers_and_the_timeline(known_day) -> None:
    html = render(known_day, ReportFormat.HTML).content.decode()
    for label, value in EXPECTED_SHOWN:
        assert f"{label}<b>{value}</b>" in html
    assert "@page { size: A4; margin: 15mm; }" in html
    assert "<svg" in html and "power 1" in html
    assert "Corrected 14:20–14:40 → 14:20–14:45 by manager:bola" in html
    assert "rounded to 40 min" in html
    assert "the notice for seat A1" in html
    # Nothing is fetched from anywhere: no links, scripts, images or style sheets.
    assert re.search(r"\b(src|href)=", html) is None


def test_the_pdf_carries_the_same_numbers_as_extracted_text(known_day) -> None:
    pdf = render(known_day, ReportFormat.PDF)
    assert pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    for label, value in EXPECTED_SHOWN:
        assert f"{label} {value}" in text
    assert "Corrected 14:20-14:40 -> 14:20-14:45 by manager:bola" in text
    assert "= 38 -> rounded to 40 min" in text
    assert "the notice for seat A1" in text
    assert "power 1" in text  # The timeline is drawn into the PDF.


def test_a_day_with_nothing_gives_an_empty_report_in_every_format(uow, clock) -> None:
    report = report_of(uow, DAY - timedelta(days=1))
    assert report.complete
    assert dataclasses.asdict(report.figures) == dict.fromkeys(EXPECTED_FIGURES, 0)
    assert (report.reliability.cuts, report.reliability.mean_time_to_restore_minutes,
            report.reliability.bridged_percent) == (0, None, None)
    assert (report.outages, report.compensations, report.anomalies, report.timeline) == ((), (), (), ())
    assert "No outage this day." in pdf_text(render(report, ReportFormat.PDF).content)
    assert "no sessions this day" in render(report, ReportFormat.HTML).content.decode()
    assert list(csv_sections(render(report, ReportFormat.CSV).content)["outages"]) == \
        [["id", "kind", "scope", "source", "status", "started_at", "ended_at", "ongoing_at_end", "minutes_in_day",
          "bridged_by_ups", "logged_by", "compensations", "corrections", "note"]]


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
    assert layout.local(first, first.window_end, "%d %H:%M") == "23 00:00"
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


def test_a_declined_notice_and_the_latest_feedback_are_counted(uow, clock) -> None:
    do(uow, sessions.start_session, seat_id="G1", minutes=60)
    (compensation,) = power_cut(uow, clock, (14, 10), (14, 20)).compensations
    do(uow, notices.deliver_notice, compensation.notice_id, how="shown", feedback="unhappy")
    do(uow, notices.deliver_notice, compensation.notice_id, how="declined")
    figures = report_of(uow).figures
    assert (figures.notices_delivered, figures.notices_declined, figures.notices_pending) == (0, 1, 0)
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
        with pytest.raises(InvalidInput, match="in the future") as raised:
            build_daily_report(unit, DAY + timedelta(days=1))
        assert raised.value.field == "date"
        with pytest.raises(InvalidInput, match="before 2000-01-01"):
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


def test_the_pdf_never_fails_over_characters_its_fonts_lack(uow, clock, runtime) -> None:
    runtime.settings = make_settings(venue=dict(VENUE["venue"], name="Étoile ₦ “Star” → 星 😀 – Lagos"))
    do(uow, sessions.start_session, seat_id="G1", minutes=60)
    at_local(clock, 14, 10)
    outage = do(uow, outages.start_outage, note="générateur en panne → ₦5 000 perdus 😀 " + "x" * 300)
    at_local(clock, 14, 20)
    do(uow, outages.end_outage, outage.id)
    text = pdf_text(render(report_of(uow), ReportFormat.PDF).content)
    assert 'Étoile NGN "Star" -> ? ? - Lagos - end-of-day report' in text
    assert "générateur en panne -> NGN5 000 perdus" in text
    assert latin("14:28–14:39 → ₦ ő 星", "NGN") == "14:28-14:39 -> NGN o ?"


def test_the_csv_defuses_text_a_spreadsheet_would_run_as_a_formula(uow, clock) -> None:
    do(uow, outages.start_outage, kind="network", note='=HYPERLINK("http://example.com")')
    clock.advance(minutes=3)
    sections = csv_sections(render(report_of(uow), ReportFormat.CSV).content)
    row = dict(zip(sections["outages"][0], sections["outages"][1], strict=True))
    assert row["note"] == '\'=HYPERLINK("http://example.com")'


def test_the_timeline_is_well_formed_svg_with_every_text_escaped(known_day) -> None:
    odd = dataclasses.replace(known_day, timeline=(TimelineRow("<A&1>", None, known_day.timeline[0].sessions, ()),))
    svg = render_svg(odd)
    assert "&lt;A&amp;1&gt;" in svg
    root = ElementTree.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert [text.text for text in root.iter("{http://www.w3.org/2000/svg}text")][:4] == ["14", "15", "16", "17"]


def test_a_timeline_with_more_seats_than_fit_a_page_is_drawn_one_row_per_zone(known_day) -> None:
    spans = known_day.timeline[0].sessions
    many = tuple(TimelineRow(f"S{number}", "standard" if number % 2 else "gaming", spans, ())
                 for number in range(MAX_SEAT_ROWS + 1))
    labels = [label for label, _, _ in picture_rows(dataclasses.replace(known_day, timeline=many))]
    assert labels == ["gaming (21)", "standard (20)"]
    assert "gaming (21)" in render_svg(dataclasses.replace(known_day, timeline=many))


def test_the_report_command_writes_a_file_and_refuses_bad_input_in_one_line(tmp_path, capsys) -> None:
    import yaml

    from compensator.cli import main

    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(dict(VENUE, database={"url": f"sqlite:///{(tmp_path / 'r.db').as_posix()}"})),
                      encoding="utf-8")
    out = tmp_path / "report.pdf"
    assert main(["report", "2026-01-02", "--format", "pdf", "--out", str(out), "--config", str(config)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    capsys.readouterr()
    for argv in (["report", "2026-13-45"], ["report", "2999-01-01"], ["report", "2026-01-02", "--format", "docx"]):
        assert main([*argv, "--config", str(config)]) == 2
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and error.startswith("error: ")
