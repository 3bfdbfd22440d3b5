"""The end-of-day report: a known day checked figure by figure, in every format, and its edge cases.

The known day (venue Africa/Lagos, gaming seats have no UPS, standard seats a 10-minute UPS):

    14:00  s1 G1 prepaid 120 · s2 G2 prepaid 30 · s3 A1 postpaid
    14:20  power cut, whole venue (o1) ................ ended 14:40, corrected at 14:50 to end 14:45
           s1: lost 25 + 3 + 10 = 38 → 40 time (35 first, +5 top-up), worth 40 000 kobo
           s2: paid time ran out at 14:30: lost 10 + 3 + 10 = 23 → 25 voucher, worth 25 000
           s3: dark 14:30–14:45 behind the UPS: lost 15 + 3 + 10 = 28 → 30 off the bill, worth 15 000
    15:00  s2's voucher redeemed on A5 (s4, 25 min)
    16:00  gaming-zone cut reported by the UPS (o2) .... 16:00–16:05: s1 lost 5 + 3 + 10 = 18 → 20 time, 20 000
    17:00  network failure on the free seat A12 (o3) ... 17:00–17:10: nobody affected
    17:15  standard-zone cut (o4) ...................... 17:15–17:20: bridged by the 10-minute UPS
    notices: s1/o1 printed (happy), s2/o1 shown (neutral), s3/o1 and s1/o2 never delivered
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta, timezone

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from compensator.errors import InvalidInput
from compensator.reporting import ReportFormat, parse_format, render
from compensator.services import notices, outages, sessions
from compensator.services.report import build_daily_report
from compensator.services.vouchers import redeem_voucher
from compensator.store.models import Notice

DAY = date(2026, 11, 22)
ACTOR = "attendant:ada"


def at_local(clock, hour: int, minute: int) -> None:
    clock.set(datetime(2026, 11, 22, hour - 1, minute, tzinfo=timezone.utc))


def do(uow, action, *args, **kwargs):
    kwargs.setdefault("actor", ACTOR)
    with uow() as unit:
        return action(unit, *args, **kwargs)


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
                   reason="the generator log says 14:45")
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
        by_session = {item.session_id: item.notice_id for item in outages.get_outage(unit, o1.id).compensations}
    do(uow, notices.deliver_notice, by_session[s1.id], how="printed", feedback="happy")
    do(uow, notices.deliver_notice, by_session[s2.id], how="shown", feedback="neutral")
    at_local(clock, 17, 30)
    with uow() as unit:
        return build_daily_report(unit, DAY)


def test_every_figure_of_a_known_day(known_day) -> None:
    figures = known_day.figures
    assert (figures.outages, figures.outage_minutes, figures.sessions_affected) == (4, 45, 3)
    assert (figures.credited_time_minutes, figures.credited_voucher_minutes, figures.credited_bill_minutes) == \
        (60, 25, 30)
    assert figures.credited_value_minor == 100000
    assert figures.waived_minutes == 0
    assert (figures.notices_delivered, figures.notices_pending) == (2, 2)
    assert (figures.feedback_happy, figures.feedback_neutral, figures.feedback_unhappy) == (1, 1, 0)
    assert (figures.vouchers_issued, figures.vouchers_redeemed, figures.vouchers_expired) == (1, 1, 0)
    assert figures.awaiting_approval == 0
    reliability = known_day.reliability
    assert (reliability.cuts, reliability.downtime_minutes, reliability.longest_cut_minutes) == (3, 35, 25)
    assert reliability.mean_time_to_restore_minutes == 12
    assert (reliability.cuts_bridged_by_ups, reliability.bridged_percent) == (1, 33)
    assert known_day.complete is False


def test_the_tables_anomalies_and_timeline_of_a_known_day(known_day) -> None:
    assert [(row.kind, row.source, row.minutes_in_day, row.corrections, row.compensations)
            for row in known_day.outages] == [
        ("power", "manual", 25, 1, 3), ("power", "ups", 5, 0, 1), ("network", "manual", 10, 0, 0),
        ("power", "manual", 5, 0, 0)]
    credits = sorted((row.seat_id, row.outage_id, row.credit_minutes, row.form, row.notice_status)
                     for row in known_day.compensations)
    first, second = known_day.outages[0].id, known_day.outages[1].id
    assert credits == [("A1", first, 30, "bill_reduction", "pending"), ("G1", first, 40, "time", "printed"),
                       ("G1", second, 20, "time", "pending"), ("G2", first, 25, "voucher", "shown")]
    kinds = [item.kind for item in known_day.anomalies]
    assert kinds.count("corrected_outage") == 1
    assert kinds.count("no_affected_session") == 2
    assert kinds.count("notice_not_delivered") == 2
    assert [row.seat_id for row in known_day.timeline] == ["A1", "A5", "G1", "G2"]
    assert len(known_day.outage_bands) == 4


def test_the_json_csv_html_and_pdf_carry_the_same_numbers(known_day) -> None:
    data = json.loads(render(known_day, ReportFormat.JSON).content)
    assert data["figures"]["credited_value_minor"] == 100000
    assert data["reliability"]["mean_time_to_restore_minutes"] == 12
    assert data["window_start"] == "2026-11-22T00:00:00+01:00"

    text = render(known_day, ReportFormat.CSV).content.decode()
    sections = {}
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        sections[lines[0].lstrip("# ")] = list(csv.reader(io.StringIO("\n".join(lines[1:]))))
    figures = dict(sections["figures"][1:])
    assert (figures["outage_minutes"], figures["credited_value_minor"], figures["vouchers_redeemed"]) == \
        ("45", "100000", "1")
    assert len(sections["outages"]) == 1 + 4
    assert len(sections["compensations"]) == 1 + 4

    html = render(known_day, ReportFormat.HTML).content.decode()
    assert "NGN1,000.00" in html
    assert "<svg" in html and "@page { size: A4" in html
    assert "was corrected 1 time" in html

    pdf = render(known_day, ReportFormat.PDF)
    assert pdf.content.startswith(b"%PDF")
    extracted = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "NGN 1,000.00" in extracted
    assert "outage minutes 45" in extracted
    assert "mean time to restore minutes 12" in extracted
    assert "rounded to 40 min" in extracted


def test_a_day_with_nothing_gives_an_empty_report_in_every_format(uow, clock) -> None:
    with uow() as unit:
        report = build_daily_report(unit, DAY - timedelta(days=1))
    assert report.complete
    assert report.figures.outages == 0
    assert report.reliability.mean_time_to_restore_minutes is None
    assert report.reliability.bridged_percent is None
    for report_format in ReportFormat:
        assert render(report, report_format).content


def test_an_outage_still_ongoing_at_closing_time_counts_up_to_closing(uow, clock) -> None:
    at_local(clock, 21, 0)
    do(uow, sessions.start_session, seat_id="G1", minutes=120)
    at_local(clock, 21, 50)
    do(uow, outages.start_outage)
    clock.set(datetime(2026, 11, 22, 22, 30, tzinfo=timezone.utc))
    with uow() as unit:
        report = build_daily_report(unit, DAY)
    assert report.complete
    assert report.outages[0].ended_at is None
    assert report.outages[0].minutes_in_day == 10
    assert report.figures.outage_minutes == 10
    assert "ongoing_outage" in [item.kind for item in report.anomalies]
    assert render(report, ReportFormat.PDF).content.startswith(b"%PDF")


def test_a_date_in_the_future_is_a_clear_error(uow) -> None:
    with uow() as unit:
        with pytest.raises(InvalidInput, match="future") as raised:
            build_daily_report(unit, DAY + timedelta(days=1))
    assert raised.value.field == "date"
    with pytest.raises(InvalidInput):
        parse_format("docx")


def test_the_report_command_writes_a_file_and_refuses_bad_dates(tmp_path, capsys, monkeypatch) -> None:
    import yaml

    from compensator.cli import main
    from tests.conftest import VENUE

    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(dict(VENUE, database={"url": f"sqlite:///{(tmp_path / 'r.db').as_posix()}"})),
                      encoding="utf-8")
    out = tmp_path / "report.pdf"
    assert main(["report", "2026-01-02", "--format", "pdf", "--out", str(out), "--config", str(config)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert main(["report", "2026-13-45", "--config", str(config)]) == 2
    assert main(["report", "2999-01-01", "--config", str(config)]) == 2
    assert main(["report", "2026-01-02", "--format", "docx", "--config", str(config)]) == 2
    errors = capsys.readouterr().err
    assert "2026-11-22" in errors and "future" in errors and "format" in errors


def test_notices_of_the_day_are_counted_from_their_records(known_day, uow) -> None:
    with uow() as unit:
        assert len(unit.db.scalars(select(Notice)).all()) == 4
