"""The end-of-day report's takings by zone (purchases, extensions, postpaid bills) and the credits' share.

A day of its own (the test venue: standard seats at 300 NGN/h behind a 10-minute UPS, gaming
seats at 600 NGN/h without one), worked out by hand:

    14:00  A1 prepaid 60 (30 000) · A2 prepaid 30 (15 000) · G1 postpaid
    14:10  A2's session moves to G2 with 20 min left, re-priced: 10 000 off standard's extensions,
           20 000 on gaming's (10 000 more paid); 14:15 it buys 30 more there, at the gaming price (30 000)
    14:30  power cut, whole venue, until 14:50
           A1 dark 14:40–14:50: 10 + 3 + 10 = 23 → 25 time, worth 12 500 (standard)
           G2 dark 14:30–14:50: 20 + 3 + 10 = 33 → 35 time, worth 35 000 (gaming)
           G1 dark 14:30–14:50: 20 + 3 + 10 = 33 → 35 off the bill, worth 35 000 (gaming)
    15:30  G1 ends: 90 min used − 35 = 55 billed, 55 000 (gaming)
    report read at 16:00

By zone: standard took 45 000 less the 10 000 moved out, 35 000, against 12 500 of credits
(35.7 %); gaming took 50 000 of extensions and moves and 55 000 of bills, 105 000, against 70 000
(66.7 %); the venue 140 000 against 82 500 (58.9 %).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from compensator.report.data import ZoneTakings
from compensator.report.formats import ReportFormat, render
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from tests.support.known_day import DAY, at_local, csv_sections, do, pdf_text, report_of

EXPECTED = (
    ZoneTakings("standard", "Standard", 45000, -10000, 0, 35000, 12500, 357),
    ZoneTakings("gaming", "Gaming", 0, 50000, 55000, 105000, 70000, 667),
)
EXPECTED_TOTAL = ZoneTakings(None, "All zones", 45000, 40000, 55000, 140000, 82500, 589)


@pytest.fixture
def day_of_takings(uow, clock):
    at_local(clock, 14, 0)
    do(uow, sessions.start_session, seat_id="A1", minutes=60)
    moved = do(uow, sessions.start_session, seat_id="A2", minutes=30)
    postpaid = do(uow, sessions.start_session, seat_id="G1", postpaid=True)
    at_local(clock, 14, 10)
    do(uow, sessions.move_session, moved.id, seat_id="G2")
    at_local(clock, 14, 15)
    do(uow, sessions.extend_session, moved.id, minutes=30)
    at_local(clock, 14, 30)
    outage = do(uow, outages.start_outage)
    at_local(clock, 14, 50)
    do(uow, outages.end_outage, outage.id)
    at_local(clock, 15, 30)
    do(uow, sessions.end_session, postpaid.id)
    at_local(clock, 16, 0)
    return report_of(uow)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_takings_count_each_entry_in_the_zone_it_was_charged_in_and_each_bill_where_it_ended(day_of_takings) -> None:
    assert day_of_takings.takings == EXPECTED
    assert day_of_takings.takings_total == EXPECTED_TOTAL
    assert day_of_takings.takings_total.credited_value_minor == day_of_takings.figures.credited_value_minor


def test_a_postpaid_session_still_running_or_ended_on_another_day_brings_no_bill(uow, clock) -> None:
    at_local(clock, 14, 0)
    do(uow, sessions.start_session, seat_id="G2", postpaid=True)
    at_local(clock, 21, 0)
    ended = do(uow, sessions.start_session, seat_id="G1", postpaid=True)
    at_local(clock, 21, 30)
    do(uow, sessions.end_session, ended.id)
    at_local(clock, 10, 0, day=23)
    assert [row.postpaid_bills_minor for row in report_of(uow).takings] == [0, 30000]
    assert [row.postpaid_bills_minor for row in report_of(uow, DAY + timedelta(days=1)).takings] == [0, 0]


def test_a_day_without_takings_shows_every_zone_at_zero_and_no_share(uow, clock) -> None:
    report = report_of(uow)
    assert [(row.zone_id, row.takings_minor, row.credit_share_permille) for row in report.takings] == [
        ("standard", 0, None), ("gaming", 0, None)]
    assert report.takings_total.credit_share_permille is None
    assert "Nothing was taken this day" in render(report, ReportFormat.HTML).content.decode()


def test_the_takings_and_the_share_read_the_same_in_html_pdf_csv_and_json(day_of_takings) -> None:
    shown = [("Standard", "NGN450.00", "-NGN100.00", "NGN0.00", "NGN350.00", "NGN125.00", "35.7%"),
             ("Gaming", "NGN0.00", "NGN500.00", "NGN550.00", "NGN1,050.00", "NGN700.00", "66.7%"),
             ("All zones", "NGN450.00", "NGN400.00", "NGN550.00", "NGN1,400.00", "NGN825.00", "58.9%")]
    html = render(day_of_takings, ReportFormat.HTML).content.decode()
    for zone, *amounts in shown:
        assert f"<td>{zone}</td>" + "".join(f'<td class="num">{cell}</td>' for cell in amounts) in html
    assert "The credits given were worth 58.9% of the takings" in html
    text = pdf_text(render(day_of_takings, ReportFormat.PDF).content)
    for row in shown:
        assert " ".join(row) in text
    takings = csv_sections(render(day_of_takings, ReportFormat.CSV).content)["takings"]
    assert takings[0] == ["zone_id", "zone_name", "purchases_minor", "extensions_minor", "postpaid_bills_minor",
                          "takings_minor", "credited_value_minor", "credit_share_permille"]
    assert takings[1:] == [["standard", "Standard", "45000", "-10000", "0", "35000", "12500", "357"],
                           ["gaming", "Gaming", "0", "50000", "55000", "105000", "70000", "667"],
                           ["", "All zones", "45000", "40000", "55000", "140000", "82500", "589"]]
    data = json.loads(render(day_of_takings, ReportFormat.JSON).content)
    assert [row["takings_minor"] for row in data["takings"]] == [35000, 105000]
    assert data["takings_total"]["credit_share_permille"] == 589


def test_the_known_days_takings_are_its_two_gaming_packages(known_day) -> None:
    assert [(row.zone_id, row.purchases_minor, row.credited_value_minor, row.credit_share_permille)
            for row in known_day.takings] == [("standard", 0, 15000, None), ("gaming", 150000, 85000, 567)]
    assert (known_day.takings_total.takings_minor, known_day.takings_total.credit_share_permille) == (150000, 667)
