"""The end-of-day report's formats: the known day's numbers in JSON, CSV, HTML and PDF, and their edges.

The known day is told in ``tests/support/known_day.py``; the edges are an empty day in every format,
characters the PDF fonts lack, text a spreadsheet would run, the timeline picture and the
report command.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import timedelta
from xml.etree import ElementTree

from compensator.report.data import TimelineRow
from compensator.report.formats import ReportFormat, render
from compensator.report.formats.pdf_page import latin
from compensator.report.formats.svg_timeline import MAX_SEAT_ROWS, picture_rows, render_svg
from compensator.scheduler import evaluate_ups_reports
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from compensator.services.sources import ups
from compensator.timeofday import ClockStyle
from tests.conftest import VENUE, make_settings
from tests.support.known_day import (
    DAY,
    EXPECTED_FIGURES,
    EXPECTED_RELIABILITY,
    EXPECTED_UPS,
    MANAGER,
    at_local,
    csv_sections,
    do,
    pdf_text,
    report_of,
)

# The same figures as a person reads them, in the HTML and the PDF.
EXPECTED_SHOWN = [
    ("Outages", "3"), ("Outage minutes", "35"), ("Seat faults", "1"), ("Sessions affected", "3"), ("Value credited", "NGN1,000.00"),
    ("Minutes as time", "60"), ("Minutes as vouchers", "25"), ("Minutes off bills", "30"),
    ("Minutes waived after corrections", "0"), ("Notices delivered / declined / pending", "2 / 0 / 2"),
    ("Feedback happy / neutral / unhappy", "1 / 1 / 0"), ("Vouchers issued / redeemed / expired", "1 / 1 / 0"),
    ("Credits awaiting approval", "0"), ("Power cuts", "3"), ("Downtime (min)", "35"), ("Longest cut (min)", "25"),
    ("Mean time to restore (min)", "12"), ("Cuts bridged by UPS", "1 (33%)"),
]


def test_every_figure_of_a_known_day_in_the_json_matches_the_hand_computed_one(known_day) -> None:
    data = json.loads(render(known_day, ReportFormat.JSON).content)
    assert data["figures"] == EXPECTED_FIGURES
    assert data["reliability"] == EXPECTED_RELIABILITY
    assert data["ups_by_zone"] == EXPECTED_UPS
    assert [(row["id"], row["scope_ids"], row["minutes_in_day"]) for row in data["seat_faults"]] == [(3, ["A12"], 10)]
    assert [row["seat"] for row in data["timeline"] if row["faults"]] == ["A12"]
    assert (data["venue_date"], data["window_start"], data["window_end"], data["complete"]) == \
        ("2026-11-22", "2026-11-22T00:00:00+01:00", "2026-11-22T17:30:00+01:00", False)

def test_the_csv_carries_the_same_numbers_in_sections(known_day) -> None:
    content = render(known_day, ReportFormat.CSV).content
    assert content.startswith("\ufeff".encode())
    sections = csv_sections(content)
    assert list(sections) == ["report", "figures", "reliability", "ups", "equipment", "equipment_findings", "takings",
                              "outages", "seat_faults", "corrections", "compensations", "anomalies"]
    assert dict(sections["figures"][1:]) == {key: str(value) for key, value in EXPECTED_FIGURES.items()}
    assert dict(sections["reliability"][1:]) == {key: str(value) for key, value in EXPECTED_RELIABILITY.items()}
    outages_table = [dict(zip(sections["outages"][0], row, strict=True)) for row in sections["outages"][1:]]
    assert [(row["scope"], row["started_at"], row["ended_at"], row["minutes_in_day"], row["corrections"])
            for row in outages_table] == [
        ("whole venue", "2026-11-22 14:20", "2026-11-22 14:45", "25", "1"),
        ("zones: Gaming", "2026-11-22 16:00", "2026-11-22 16:05", "5", "0"),
        ("zones: Standard", "2026-11-22 17:15", "2026-11-22 17:20", "5", "0"),
    ]
    faults = [dict(zip(sections["seat_faults"][0], row, strict=True)) for row in sections["seat_faults"][1:]]
    assert [(row["kind"], row["scope"], row["minutes_in_day"]) for row in faults] == [("network", "seats: A12", "10")]
    assert [dict(zip(sections["ups"][0], row, strict=True)) for row in sections["ups"][1:]] == \
        [{key: str(value) for key, value in row.items()} for row in EXPECTED_UPS]
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
    # Each zone's UPS: what it carried beside what it did not; the seat fault in its own section.
    assert "<td>Standard</td><td class=\"num\">10</td><td class=\"num\">2</td><td class=\"num\">15</td>" \
           "<td class=\"num\">15</td>" in html
    assert "<td>Gaming</td><td class=\"num\">none</td><td class=\"num\">2</td><td class=\"num\">0</td>" \
           "<td class=\"num\">30</td>" in html
    faults = html[html.index("<h2>Seat faults</h2>"):html.index("<h2>Compensations</h2>")]
    assert "seats: A12" in faults and "seats: A12" not in html[html.index("<h2>Outages</h2>"):html.index(
        "<h2>Seat faults</h2>")]
    # Nothing is fetched from anywhere: no links, scripts, images or style sheets.
    assert re.search(r"\b(src|href)=", html) is None

def test_a_twelve_hour_venue_gets_its_report_on_a_twelve_hour_clock(known_day) -> None:
    report = dataclasses.replace(known_day, clock=ClockStyle.TWELVE_HOUR)
    html = render(report, ReportFormat.HTML).content.decode()
    assert "Corrected 2:20 PM–2:40 PM → 2:20 PM–2:45 PM by manager:bola" in html
    # The policy's stored explanations keep the 24-hour clock they were written in.
    assert "lost 25 min (14:20–14:45)" in html


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
    assert "Standard 10 2 15 15" in text and "Gaming none 2 0 30" in text
    faults = text[text.index("Seat faults Outages of single seats"):text.index("Compensations Seat")]
    assert "seats: A12" in faults and "network" in faults

def test_a_day_with_nothing_gives_an_empty_report_in_every_format(uow, clock) -> None:
    report = report_of(uow, DAY - timedelta(days=1))
    assert report.complete
    assert dataclasses.asdict(report.figures) == dict.fromkeys(EXPECTED_FIGURES, 0)
    assert [(row.zone_id, row.cuts, row.carried_minutes, row.not_carried_minutes) for row in report.ups_by_zone] == \
        [("standard", 0, 0, 0), ("gaming", 0, 0, 0)]
    assert (report.reliability.cuts, report.reliability.mean_time_to_restore_minutes,
            report.reliability.bridged_percent) == (0, None, None)
    assert (report.outages, report.seat_faults, report.compensations, report.anomalies, report.timeline) == \
        ((), (), (), (), ())
    text = pdf_text(render(report, ReportFormat.PDF).content)
    assert "No outage of the venue this day." in text and "No seat fault this day." in text
    assert "no sessions this day" in render(report, ReportFormat.HTML).content.decode()
    assert list(csv_sections(render(report, ReportFormat.CSV).content)["outages"]) == \
        [["id", "kind", "scope", "source", "status", "started_at", "ended_at", "ongoing_at_end", "minutes_in_day",
          "bridged_by_ups", "logged_by", "compensations", "corrections", "note", "ups_carried", "flaps"]]


def test_a_flapping_supply_is_one_cut_with_its_flaps_in_every_format(uow, clock, runtime) -> None:
    # Issue 23, item 5: mains off 12 s and back 2 s, five times, reported by upsmon's webhook.
    runtime.settings = make_settings(ups=[{"name": "venue", "poll": False, "debounce_seconds": 15,
                                           "merge_seconds": 60}])
    do(uow, sessions.start_session, seat_id="G1", minutes=60)
    at_local(clock, 14, 10)
    for _ in range(5):
        for event, seconds in (("ONBATT", 12), ("ONLINE", 2)):
            with uow() as unit:
                ups.report_event(unit, "venue", event)
            for _ in range(seconds):
                clock.advance(seconds=1)
                evaluate_ups_reports(runtime)
    clock.advance(seconds=60)
    evaluate_ups_reports(runtime)
    clock.advance(minutes=5)
    report = report_of(uow)
    (row,) = report.outages
    assert (row.source.value, row.status.value, row.flaps, row.minutes_in_day) == ("ups", "ended", 4, 2)

    (outage,) = json.loads(render(report, ReportFormat.JSON).content)["outages"]
    assert (outage["id"], outage["flaps"]) == (row.id, 4)
    sections = csv_sections(render(report, ReportFormat.CSV).content)
    (shown,) = [dict(zip(sections["outages"][0], line, strict=True)) for line in sections["outages"][1:]]
    assert (shown["source"], shown["flaps"]) == ("ups", "4")
    html = render(report, ReportFormat.HTML).content.decode()
    assert re.search(r'<th class="num"[^>]*>Flaps</th>', html)
    assert re.search(r'<td class="num">2</td><td class="num">4</td>', html)
    text = pdf_text(render(report, ReportFormat.PDF).content)
    assert "Minutes Flaps UPS carried (min) Compensated 1 14:10 14:11 power whole venue ups ups:venue 2 4 " in text


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
    labels = [label for label, _, _, _ in picture_rows(dataclasses.replace(known_day, timeline=many))]
    assert labels == ["Gaming (21)", "Standard (20)"]
    assert "Gaming (21)" in render_svg(dataclasses.replace(known_day, timeline=many))

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
