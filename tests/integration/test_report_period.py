"""The period report's figures, checked by hand on the known month (``tests/support/known_month.py``).

Every figure is the one worked out by hand in that module's docstring: the indices per zone and
for the venue, the restore percentiles, the margins, what is owed, care and retention, the days,
and the cuts across midnight and across the period's edges counted once, their minutes clipped.
"""

from __future__ import annotations

from datetime import date

import pytest

from compensator.errors import InvalidInput, NotFound, TimeOutOfRange
from compensator.report.period.build import build_period_report
from tests.conftest import VENUE
from tests.support.known_month import ADA, CHI, at, live_the_known_month, month_clock, month_settings

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
# The figures are checked on SQLite and on PostgreSQL.
BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def settings():
    return month_settings()


@pytest.fixture
def clock():
    return month_clock()


@pytest.fixture
def month(uow, clock):
    live_the_known_month(uow, clock)
    with uow() as unit:
        return build_period_report(unit, *NOVEMBER)


def _indices(row):
    return (row.seats, row.cuts, row.saifi, row.saidi_minutes, row.caidi_minutes, row.maifi, row.asai_percent)


@BOTH_DATABASES
def test_the_indices_per_zone_and_for_the_venue_count_a_seat_as_the_customer(month) -> None:
    standard, gaming = month.zones
    assert (standard.zone, gaming.zone) == ("standard", "gaming")
    assert _indices(standard) == (12, 4, 2.0, 16.0, 8.0, 1.0, 99.963)
    assert _indices(gaming) == (6, 4, 4.0, 56.0, 14.0, 0.0, 99.87)
    assert _indices(month.venue) == (18, 5, 2.67, 29.3, 11.0, 0.67, 99.932)


@BOTH_DATABASES
def test_the_restore_times_and_each_zones_margin(month) -> None:
    assert (month.restore.cuts, month.restore.median, month.restore.p90) == (4, 16, 30)
    standard, gaming = month.zones
    assert (standard.margin.ups_minutes, standard.margin.median_restore_minutes, standard.margin.short_cuts,
            standard.margin.cuts, standard.margin.short_minutes) == (10, 16, 2, 3, 6)
    assert (gaming.margin.median_restore_minutes, gaming.margin.short_cuts, gaming.margin.cuts) == (20, 3, 3)
    texts = [finding.text for finding in month.findings]
    assert any("Standard: UPS holds 10 min, power comes back in a median 16 min: 6 min short in 2 of 3 cuts" in text
               for text in texts)
    assert any("Gaming: no UPS, power comes back in a median 20 min: 20 min short in 3 of 3 cuts" in text
               for text in texts)


@BOTH_DATABASES
def test_credits_sessions_and_takings_by_zone(month) -> None:
    standard, gaming = month.zones
    assert [(row.credit_minutes, row.credit_value_minor, row.takings_minor, row.credit_share_percent)
            for row in (standard, gaming, month.venue)] == [
        (40, 20000, 42500, 47.1), (55, 55000, 90000, 61.1), (95, 75000, 132500, 56.6)]
    assert [(row.sessions, row.sessions_interrupted, row.interrupted_percent)
            for row in (standard, gaming, month.venue)] == [(2, 2, 100.0), (3, 2, 66.7), (5, 4, 80.0)]


@BOTH_DATABASES
def test_what_is_owed_and_who_came_back(month) -> None:
    owed = month.owed
    assert (owed.outstanding_count, owed.outstanding_minutes, owed.outstanding_value_minor) == (1, 20, 10000)
    assert [(band.label, band.count, band.value_minor) for band in owed.by_age] == [
        ("up to 7 days", 0, 0), ("8 to 30 days", 1, 10000), ("over 30 days", 0, 0)]
    assert (owed.expiring_7_days_count, owed.expiring_7_days_value_minor) == (1, 10000)
    assert (owed.issued, owed.redeemed, owed.expired) == (2, 1, 0)
    retention = month.retention
    assert (retention.issued, retention.redeemed_within_7_days, retention.redeemed_within_30_days) == (2, 1, 1)


@BOTH_DATABASES
def test_care_per_attendant_counts_one_letter_per_handover(month) -> None:
    assert [(row.attendant, row.letters, row.shown, row.printed, row.declined, row.median_minutes_to_handover,
             row.happy, row.neutral, row.unhappy) for row in month.care.attendants] == [
        (ADA, 2, 0, 1, 1, 4, 1, 0, 0), (CHI, 1, 1, 0, 0, 14, 0, 0, 1)]
    assert (month.care.letters_pending, month.care.pending_value_minor) == (1, 10000)


@BOTH_DATABASES
def test_the_days_count_each_cut_once_and_clip_its_minutes(month) -> None:
    assert len(month.days) == 30
    busy = {point.day.day: (point.cuts, point.minutes_lost_per_seat, point.credit_minutes, point.credit_value_minor)
            for point in month.days if point.cuts or point.credit_minutes}
    # E1 began in October: it counts once, on the first day, with its 10 minutes in November.
    assert busy == {1: (1, 10.0, 0, 0), 3: (1, 9.3, 95, 75000), 10: (1, 6.7, 0, 0), 12: (1, 0.0, 0, 0),
                    30: (1, 3.3, 0, 0)}
    assert sum(point.cuts for point in month.days) == month.venue.cuts


def test_the_findings_come_most_costly_first(month) -> None:
    costs = [finding.cost_minor for finding in month.findings]
    assert costs == sorted(costs, reverse=True)
    assert month.findings[0].text.startswith("Gaming gave NGN")


@BOTH_DATABASES
def test_a_cut_across_the_edge_is_counted_in_both_periods_clipped_to_each(uow, clock) -> None:
    live_the_known_month(uow, clock)
    with uow() as unit:
        october = build_period_report(unit, date(2026, 10, 31), date(2026, 10, 31))
        december = build_period_report(unit, date(2026, 12, 1), date(2026, 12, 1))
        both = build_period_report(unit, date(2026, 10, 31), date(2026, 11, 1))
    # E1 (23:40–00:10): October's last day holds its first 20 minutes for gaming, 10 for standard (UPS).
    assert [(zone.saifi, zone.saidi_minutes) for zone in october.zones] == [(1.0, 10.0), (1.0, 20.0)]
    # Across both days it is one cut, all of it: 20 + 10 minutes for gaming, not two cuts.
    assert [(zone.cuts, zone.saifi, zone.saidi_minutes) for zone in both.zones] == [(1, 1.0, 20.0), (1, 1.0, 30.0)]
    assert (both.restore.cuts, both.restore.median) == (1, 30)
    # E5 ended at 00:20 on 1 December: standard dark 00:00–00:20, gaming 00:00–00:20 (clipped at 01:00, now).
    assert [(zone.saifi, zone.saidi_minutes) for zone in december.zones] == [(1.0, 20.0), (1.0, 20.0)]


def test_a_period_is_checked(uow, clock) -> None:
    at(clock, 11, 22, 14, 0)
    with uow() as unit:
        with pytest.raises(TimeOutOfRange, match="put the earlier day first"):
            build_period_report(unit, "2026-11-10", "2026-11-01")
        with pytest.raises(TimeOutOfRange, match="at most 400 days"):
            build_period_report(unit, "2025-01-01", "2026-11-01")
        with pytest.raises(NotFound, match="in the future"):
            build_period_report(unit, "2026-11-01", "2026-11-23")
        with pytest.raises(InvalidInput):
            build_period_report(unit, "2026-11-01", "yesterday")


def test_the_period_report_in_every_format(month, tmp_path) -> None:
    import json

    from compensator.report.formats import ReportFormat
    from compensator.report.period.formats import render
    from tests.support.known_day import csv_sections, pdf_text

    document = json.loads(render(month, ReportFormat.JSON).content)
    assert list(document) == ["period", "venue", "zones", "days", "restore_minutes", "vouchers", "care",
                              "retention", "findings"]
    assert [{key: zone[key] for key in ("zone", "seats", "saifi", "saidi_minutes", "caidi_minutes", "maifi",
                                        "asai_percent", "credit_minutes", "credit_value_minor")}
            for zone in document["zones"]] == [
        {"zone": "standard", "seats": 12, "saifi": 2.0, "saidi_minutes": 16.0, "caidi_minutes": 8.0, "maifi": 1.0,
         "asai_percent": 99.963, "credit_minutes": 40, "credit_value_minor": 20000},
        {"zone": "gaming", "seats": 6, "saifi": 4.0, "saidi_minutes": 56.0, "caidi_minutes": 14.0, "maifi": 0.0,
         "asai_percent": 99.87, "credit_minutes": 55, "credit_value_minor": 55000}]
    assert document["restore_minutes"] == {"cuts": 4, "median": 16, "p90": 30}
    assert document["vouchers"]["outstanding_count"] == 1
    assert document["period"]["from"] == "2026-11-01" and len(document["days"]) == 30

    sections = csv_sections(render(month, ReportFormat.CSV).content)
    assert sections["Restore minutes"] == [["cuts", "median", "p90"], ["4", "16", "30"]]
    assert sections["Power and credits per seat"][3][:5] == ["venue", "18", "5", "2.67", "29.3"]

    html = render(month, ReportFormat.HTML).content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 3
    assert "Standard: UPS holds 10 min, power comes back in a median 16 min: 6 min short in 2 of 3 cuts" in html
    # Five days with a cut: five bars in the chart of cuts.
    cuts_chart = html.split('class="chart"')[1]
    assert cuts_chart.split("</svg>")[0].count('fill="#333"') == 5

    pdf = render(month, ReportFormat.PDF)
    assert pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert "Standard: UPS holds 10 min, power comes back in a median 16 min: 6 min short in 2 of 3 cuts" in text
    assert "Power cuts per day" in text and "attendant:chi" in text
    (tmp_path / "period.pdf").write_bytes(pdf.content)
    assert pdf.filename == "compensator-report-2026-11-01-to-2026-11-30.pdf"


def test_the_report_command_writes_a_period_and_refuses_a_half_given_one(tmp_path, capsys) -> None:
    import json

    import yaml

    from compensator.cli import main

    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(dict(VENUE, database={"url": f"sqlite:///{(tmp_path / 'r.db').as_posix()}"})),
                      encoding="utf-8")
    out = tmp_path / "month.json"
    assert main(["report", "--from", "2026-01-01", "--to", "2026-01-31", "--format", "json", "--out", str(out),
                 "--config", str(config)]) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert (document["period"]["days"], document["venue"]["saifi"], document["vouchers"]["outstanding_count"]) == \
        (31, 0.0, 0)
    assert document["findings"] == [{"text": "No power cut in the period.", "cost_minor": 0}]
    capsys.readouterr()
    for argv, message in ((["report", "--from", "2026-01-01"], "both --from DAY and --to DAY"),
                          (["report", "2026-01-02", "--from", "2026-01-01", "--to", "2026-01-03"], "either a DATE"),
                          (["report"], "give a DATE"),
                          (["report", "--from", "2026-01-31", "--to", "2026-01-01"], "put the earlier day first")):
        assert main([*argv, "--config", str(config)]) == 2
        assert message in capsys.readouterr().err


def test_the_csv_keeps_a_name_a_spreadsheet_would_run_as_text(month) -> None:
    import dataclasses

    from compensator.report.formats import ReportFormat
    from compensator.report.period.formats import render
    from tests.support.known_day import csv_sections

    (first, *others) = month.care.attendants
    named = dataclasses.replace(month, care=dataclasses.replace(
        month.care, attendants=(dataclasses.replace(first, attendant="=HYPERLINK(1)"), *others)))
    rows = csv_sections(render(named, ReportFormat.CSV).content)["Care"]
    assert rows[1][0] == "'=HYPERLINK(1)"
