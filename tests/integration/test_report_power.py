"""The report counts the venue's power: what each zone's UPS carried beside what it did not, and seat faults apart.

The venue of the tests has a standard zone (A1-A12) behind a 10-minute UPS and a gaming zone
(G1-G6) without one. A seat fault is an outage of single seats (one PC's power supply): it is
listed in its own section, left out of the outage and power figures, and drawn on its seat's row
alone; its credits count with the others. A customer's feedback on a letter telling of two cuts
counts once.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest

from compensator.report.formats import ReportFormat, layout, render
from compensator.report.formats.svg_timeline import render_svg
from compensator.services.handover import letters
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from tests.conftest import VENUE, make_settings
from tests.support.known_day import DAY, at_local, csv_sections, do, pdf_text, power_cut, report_of


def _ups(report) -> dict[str, tuple[int, int, int, int]]:
    return {row.zone_id: (row.ups_minutes, row.cuts, row.carried_minutes, row.not_carried_minutes)
            for row in report.ups_by_zone}


def test_two_cuts_longer_than_the_ups_show_the_minutes_it_carried_beside_those_it_did_not(uow, clock) -> None:
    # The day: cuts of 16 and 13 minutes, a 10-minute UPS: bridged neither, carried 10 of each.
    do(uow, sessions.start_session, seat_id="A1", minutes=180)
    do(uow, sessions.start_session, seat_id="G1", minutes=180)
    power_cut(uow, clock, (14, 10), (14, 26))
    power_cut(uow, clock, (15, 0), (15, 13))
    report = report_of(uow)
    assert (report.reliability.cuts, report.reliability.cuts_bridged_by_ups, report.reliability.bridged_percent) == \
        (2, 0, 0)
    assert _ups(report) == {"standard": (10, 2, 20, 9), "gaming": (0, 2, 0, 29)}
    # Each cut says what each zone's UPS carried of it, in its UPS column.
    assert [layout.ups_text(row) for row in report.outages] == ["Standard 10 of 16, Gaming 0 of 16",
                                                                "Standard 10 of 13, Gaming 0 of 13"]
    data = json.loads(render(report, ReportFormat.JSON).content)
    assert [(row["zone_name"], row["carried_minutes"], row["not_carried_minutes"]) for row in data["ups_by_zone"]] == \
        [("Standard", 20, 9), ("Gaming", 0, 29)]
    ups_rows = csv_sections(render(report, ReportFormat.CSV).content)["ups"]
    assert ups_rows[0] == ["zone_id", "zone_name", "ups_minutes", "cuts", "carried_minutes", "not_carried_minutes"]
    assert ups_rows[1:] == [["standard", "Standard", "10", "2", "20", "9"], ["gaming", "Gaming", "0", "2", "0", "29"]]
    html = render(report, ReportFormat.HTML).content.decode()
    assert "Carried by the UPS (min)</th>" in html and "Not carried: dark (min)</th>" in html
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html[html.index('<table class="ups">'):html.index("<h2>Equipment")])
    assert cells == ["Standard", "10", "2", "20", "9", "Gaming", "none", "2", "0", "29"]
    assert "<td>Standard 10 of 16, Gaming 0 of 16</td>" in html
    assert "Standard 10 2 20 9" in pdf_text(render(report, ReportFormat.PDF).content)
    outage_rows = csv_sections(render(report, ReportFormat.CSV).content)["outages"]
    assert [row[outage_rows[0].index("ups_carried")] for row in outage_rows[1:]] == \
        ["standard:10 gaming:0", "standard:10 gaming:0"]


def test_a_cut_the_ups_bridges_is_carried_whole_and_a_cut_across_midnight_is_split_where_it_fell(
        uow, clock, runtime) -> None:
    runtime.settings = make_settings(venue=dict(VENUE["venue"], closing_time="00:00"))
    at_local(clock, 14, 0)
    bridged = do(uow, outages.start_outage, zones=["standard"])
    clock.advance(minutes=4, seconds=30)
    do(uow, outages.end_outage, bridged.id)
    # 23:55 to 00:20: the UPS carried 23:55-00:05, five minutes on each day.
    power_cut(uow, clock, (23, 55), (0, 20, 23))
    first, second = report_of(uow, DAY), report_of(uow, DAY + timedelta(days=1))
    assert _ups(first) == {"standard": (10, 2, 5 + 5, 0), "gaming": (0, 1, 0, 5)}
    assert [layout.ups_text(row) for row in first.outages] == ["bridged", "Standard 5 of 5, Gaming 0 of 5"]
    assert [layout.ups_text(row) for row in second.outages] == ["Standard 5 of 20, Gaming 0 of 20"]
    assert _ups(second) == {"standard": (10, 1, 5, 15), "gaming": (0, 1, 0, 20)}
    # The two parts always make the cut's minutes in the day.
    for report in (first, second):
        for row in report.ups_by_zone:
            covering = [outage for outage in report.outages
                        if outage.scope_kind.value == "venue" or row.zone_id in outage.scope_ids]
            assert row.carried_minutes + row.not_carried_minutes == sum(item.minutes_in_day for item in covering)


def test_a_seat_fault_is_listed_apart_out_of_the_power_figures_and_drawn_on_its_seat_alone(uow, clock) -> None:
    a4 = do(uow, sessions.start_session, seat_id="A4", minutes=300)
    do(uow, sessions.start_session, seat_id="A5", minutes=300)
    at_local(clock, 14, 10)
    fault = do(uow, outages.start_outage, seats=["A4"], note="PSU")
    at_local(clock, 15, 48)
    fault = do(uow, outages.end_outage, fault.id)
    cut = power_cut(uow, clock, (16, 0), (16, 13))
    at_local(clock, 17, 0)
    report = report_of(uow)
    # The venue's power: one 13-minute cut; the 98-minute fault of one PC is not the mains'.
    assert [row.id for row in report.outages] == [cut.id]
    assert [(row.id, row.scope_ids, row.minutes_in_day, row.compensations, row.bridged_by_ups, row.ups_carried)
            for row in report.seat_faults] == [(fault.id, ("A4",), 98, 1, False, ())]
    reliability = report.reliability
    assert (reliability.cuts, reliability.longest_cut_minutes, reliability.downtime_minutes,
            reliability.mean_time_to_restore_minutes) == (1, 13, 13, 13)
    assert (report.figures.outages, report.figures.outage_minutes, report.figures.seat_faults) == (1, 13, 1)
    assert _ups(report) == {"standard": (10, 1, 10, 3), "gaming": (0, 1, 0, 13)}
    # Its credit is still counted: A4 was compensated for the fault and for the cut.
    assert sorted(row.outage_id for row in report.compensations if row.session_id == a4.id) == [fault.id, cut.id]
    assert report.figures.credited_time_minutes == sum(row.given.time_minutes for row in report.compensations)
    # Drawn on A4's row only: the venue's bands are the cut's alone.
    rows = {row.seat_id: row for row in report.timeline}
    assert [(start, end) for start, end in rows["A4"].faults] == [(fault.started_at, fault.ended_at)]
    assert all(not row.faults for seat, row in rows.items() if seat != "A4")
    assert [band.outage_id for band in report.outage_bands] == [cut.id]
    svg = render_svg(report)
    assert f"power {cut.id}" in svg and f"power {fault.id}" not in svg
    assert svg.count('fill="#ae3ec9"') == 1
    # Every format lists it in its own section.
    data = json.loads(render(report, ReportFormat.JSON).content)
    assert [row["id"] for row in data["outages"]] == [cut.id]
    assert [row["id"] for row in data["seat_faults"]] == [fault.id]
    sections = csv_sections(render(report, ReportFormat.CSV).content)
    assert [row[0] for row in sections["outages"][1:]] == [str(cut.id)]
    assert [row[0] for row in sections["seat_faults"][1:]] == [str(fault.id)]
    html = render(report, ReportFormat.HTML).content.decode()
    assert "seats: A4" in html[html.index("<h2>Seat faults</h2>"):html.index("<h2>Compensations</h2>")]
    assert "Longest cut (min)<b>13</b>" in html and "Seat faults<b>1</b>" in html


@pytest.mark.parametrize("ticking", [False, True], ids=["still-clock", "clock-moving-between-readings"])
def test_a_customers_feedback_on_a_letter_of_two_cuts_counts_once(uow, clock, monkeypatch, ticking) -> None:
    if ticking:
        # As a real clock does (found on the Chromium walk: one face counted once per notice).
        read = clock.now

        def later_each_time() -> datetime:
            clock.advance(timedelta(microseconds=150))
            return read()

        monkeypatch.setattr(clock, "now", later_each_time)
    do(uow, sessions.start_session, seat_id="G1", minutes=300)
    do(uow, sessions.start_session, seat_id="G2", minutes=300)
    power_cut(uow, clock, (14, 10), (14, 20))
    power_cut(uow, clock, (15, 0), (15, 10))
    with uow() as unit:
        pending = {letter.seat_id: letter for letter in letters.pending_letters(unit)}
    assert [len(pending[seat].notice_ids) for seat in ("G1", "G2")] == [2, 2]
    do(uow, letters.deliver_letter, pending["G1"].first_notice_id, how="shown", feedback="unhappy")
    do(uow, letters.deliver_letter, pending["G2"].first_notice_id, how="printed", feedback="happy")
    figures = report_of(uow).figures
    # Four notices handed over, in two letters: one face each.
    assert figures.notices_delivered == 4
    assert (figures.feedback_happy, figures.feedback_neutral, figures.feedback_unhappy) == (1, 0, 1)
    # Reprinted later, the same letter keeps its one face.
    clock.advance(minutes=5)
    do(uow, letters.deliver_letter, pending["G1"].first_notice_id, how="printed")
    figures = report_of(uow).figures
    assert (figures.feedback_happy, figures.feedback_neutral, figures.feedback_unhappy) == (1, 0, 1)
