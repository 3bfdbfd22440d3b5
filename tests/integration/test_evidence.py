"""The evidence file of a period (issue 25, item 5): every outage, what recorded it, its corrections and credits.

The period (21 and 22 November 2026) is lived through the services with the fake clock; what it
holds, and the figures worked by hand, are in ``tests/support/evidence_period.py``.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from compensator.cli import main
from compensator.clock import SystemClock
from compensator.domain.kinds import CompensationForm, OutageSource
from compensator.domain.venue_day import date_of
from compensator.errors import InvalidInput
from compensator.report.evidence import EvidenceFormat, render
from compensator.report.evidence.build import build_evidence
from compensator.report.evidence.data import Standing, TraceKind
from tests.conftest import VENUE
from tests.support.evidence_period import (
    CORRECTION_REASON,
    DISMISS_REASON,
    MONITORS,
    evidence_clock,
    evidence_settings,
    live_the_period,
)
from tests.support.known_day import csv_sections, pdf_text

TZ = ZoneInfo("Africa/Lagos")


@pytest.fixture
def settings():
    return evidence_settings()


@pytest.fixture
def clock():
    return evidence_clock()


@pytest.fixture
def period(uow, clock):
    """The outage ids of the period lived, and its evidence."""
    ids = live_the_period(uow, clock)
    with uow() as unit:
        return ids, build_evidence(unit, "2026-11-21", "2026-11-22")


def test_every_outage_overlapping_the_period_is_told_whole_and_one_after_it_is_left_out(period) -> None:
    ids, evidence = period
    assert [outage.id for outage in evidence.outages] == [ids["edge"], ids["gap"], ids["cut"], ids["ups"],
                                                          ids["silence"]]
    edge = evidence.outages[0]
    # Across the period's first edge: its times as they were, not clipped to the period.
    assert (edge.started_at.isoformat(), edge.ended_at and edge.ended_at.isoformat(), edge.minutes) == \
        ("2026-11-20T22:50:00+00:00", "2026-11-20T23:10:00+00:00", 20)
    assert [(outage.source, outage.standing, outage.minutes, outage.flaps) for outage in evidence.outages] == [
        (OutageSource.MANUAL, Standing.COUNTED, 20, 0), (OutageSource.SERVER_GAP, Standing.COUNTED, 12, 0),
        (OutageSource.MANUAL, Standing.COUNTED, 25, 0), (OutageSource.UPS, Standing.COUNTED, 5, 1),
        (OutageSource.HEARTBEAT, Standing.DISMISSED, 5, 0)]
    assert [outage.dismissed_reason for outage in evidence.outages] == [None] * 4 + [DISMISS_REASON]
    assert [(outage.scope_kind.value, outage.scope_ids) for outage in evidence.outages] == [
        ("venue", ()), ("venue", ()), ("venue", ()), ("zones", ("gaming",)), ("seats", ("A2", "A3", "A4"))]
    totals = evidence.totals
    assert (totals.outages, totals.counted, totals.suspected, totals.dismissed, totals.counted_minutes,
            totals.corrections) == (5, 4, 0, 1, 20 + 12 + 25 + 5, 1)


def test_what_recorded_each_outage_names_the_person_the_ups_the_silent_seats_and_the_server(period) -> None:
    _, evidence = period
    edge, gap, cut, ups, silence = evidence.outages
    assert [(trace.kind, trace.actor) for trace in edge.traces] == [(TraceKind.PERSON, "attendant:ada")] * 2
    assert "Power cut recorded by attendant:ada, from 2026-11-20 23:50:00" in edge.traces[0].text
    assert "Power back recorded by attendant:ada, at 2026-11-21 00:10:00" in edge.traces[1].text
    gap_texts = " | ".join(trace.text for trace in gap.traces)
    assert "run 1 (started 2026-11-21 09:58:00) was last alive at 2026-11-21 10:00:00" in gap_texts
    assert "run 2 started at 2026-11-21 10:12:05" in gap_texts
    assert gap.traces[-1].text == "confirmed by manager:bola" and gap.traces[-1].kind is TraceKind.PERSON
    assert [trace.text for trace in cut.traces if trace.actor == "manager:bola"] == [
        f"times corrected by manager:bola to 2026-11-22 14:20:00 - 2026-11-22 14:45:00: {CORRECTION_REASON}"]
    # The UPS's own status changes (issue 24, item 4), each where it fell among what they caused.
    assert [(trace.at.astimezone(TZ).strftime("%H:%M:%S"), trace.text) for trace in ups.traces] == [
        ("16:00:00", "UPS gaming-ups status OB DISCHRG (on battery, discharging): battery 98%, runtime 25 min, "
                     "load 40%, read from NUT's upsd"),
        ("16:00:16", "UPS gaming-ups reported mains off (on battery) from 2026-11-22 16:00:00"),
        ("16:01:00", "UPS gaming-ups status OL CHRG (on mains, charging): battery 90%, read from NUT's upsd"),
        ("16:01:20", "UPS gaming-ups status OB DISCHRG (on battery, discharging): battery 88%, read from NUT's upsd"),
        ("16:05:00", "UPS gaming-ups status OL CHRG (on mains, charging): battery 70%, read from NUT's upsd"),
        ("16:06:01", "UPS gaming-ups reported mains back from 2026-11-22 16:05:00; mains came back briefly and went "
                     "off again once before")]
    assert {trace.kind for trace in ups.traces} == {TraceKind.UPS}
    assert ("3 seats fell silent, last heard: A2 2026-11-22 17:00:00, A3 2026-11-22 17:00:00, "
            "A4 2026-11-22 17:00:00; the first beat again at 2026-11-22 17:05:10") in [t.text for t in silence.traces]
    assert silence.traces[-1].text == f"dismissed by manager:bola: {DISMISS_REASON}"


def test_the_correction_and_the_credits_it_changed_are_told_with_who_and_why(period) -> None:
    _, evidence = period
    cut = evidence.outages[2]
    (correction,) = cut.corrections
    assert (correction.actor, correction.reason) == ("manager:bola", CORRECTION_REASON)
    assert (correction.ended_before.isoformat(), correction.ended_after and correction.ended_after.isoformat()) == \
        ("2026-11-22T13:40:00+00:00", "2026-11-22T13:45:00+00:00")
    # By hand (tests/support/known_day.py): G1 40 as time, G2 25 as a voucher, A1 30 off the bill.
    assert [(credit.seat_id, credit.lost_minutes, credit.credit_minutes, credit.granted_minutes, credit.form,
             credit.value_minor) for credit in cut.credits] == [
        ("G1", 25, 40, 40, CompensationForm.TIME, 40000), ("G2", 10, 25, 25, CompensationForm.VOUCHER, 25000),
        ("A1", 15, 30, 30, CompensationForm.BILL_REDUCTION, 15000)]
    assert [(item.previous_credit_minutes, item.credit_minutes, item.topup_minutes, item.waived_minutes)
            for credit in cut.credits for item in credit.adjustments] == [(35, 40, 5, 0), (25, 30, 5, 0)]
    assert "corrected 14:40 → 14:45 by bola" in cut.credits[0].adjustments[0].explanation
    # The UPS's cut: G1 lost 5 + 3 + 10 = 18, rounded to 20 as time, worth 20 000 kobo.
    assert [(credit.seat_id, credit.lost_minutes, credit.granted_minutes, credit.value_minor)
            for credit in evidence.outages[3].credits] == [("G1", 5, 20, 20000)]
    assert evidence.outages[4].credits == ()


def test_the_minutes_each_seat_lost_add_up_its_credits_over_the_period(period) -> None:
    _, evidence = period
    seats = {seat.seat_id: (seat.outages, seat.lost_minutes, seat.granted_minutes, seat.value_minor)
             for seat in evidence.seats}
    assert seats["G1"] == (2, 25 + 5, 40 + 20, 40000 + 20000)
    assert seats["G2"] == (1, 10, 25, 25000)
    assert seats["A1"] == (1, 15, 30, 15000)
    credits = [credit for outage in evidence.outages for credit in outage.credits]
    assert list(seats) == ["A1", "A6", "G1", "G2", "G3"]
    assert evidence.totals.granted_minutes == sum(credit.granted_minutes for credit in credits) == \
        sum(seat[2] for seat in seats.values())
    assert evidence.totals.value_minor == sum(seat[3] for seat in seats.values())


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_the_csv_has_every_section_with_the_values_of_the_period(period) -> None:
    ids, evidence = period
    sections = csv_sections(render(evidence, EvidenceFormat.CSV))
    assert list(sections) == ["evidence", "totals", "outages", "recorded_by", "corrections", "compensations",
                              "adjustments", "seats"]
    assert sections["evidence"][1][:3] == ["Bright Star Cyber Café", "2026-11-21", "2026-11-22"]
    outages = [dict(zip(sections["outages"][0], row, strict=True)) for row in sections["outages"][1:]]
    assert [(row["id"], row["source"], row["standing"], row["started_at"], row["ended_at"], row["flaps"])
            for row in outages] == [
        (str(ids["edge"]), "manual", "counted", "2026-11-20 23:50:00", "2026-11-21 00:10:00", "0"),
        (str(ids["gap"]), "server_gap", "counted", "2026-11-21 10:00:00", "2026-11-21 10:12:05", "0"),
        (str(ids["cut"]), "manual", "counted", "2026-11-22 14:20:00", "2026-11-22 14:45:00", "0"),
        (str(ids["ups"]), "ups", "counted", "2026-11-22 16:00:00", "2026-11-22 16:05:00", "1"),
        (str(ids["silence"]), "heartbeat", "dismissed", "2026-11-22 17:00:00", "2026-11-22 17:05:10", "0")]
    assert outages[-1]["dismissed_reason"] == DISMISS_REASON
    assert {row[2] for row in sections["recorded_by"][1:]} == {"person", "ups", "seats_silent", "server_gap"}
    assert sections["corrections"][1][1:3] == ["2026-11-22 14:50:00", "manager:bola"]
    assert sections["corrections"][1][-1] == CORRECTION_REASON
    header = sections["compensations"][0]
    rows = [dict(zip(header, row, strict=True)) for row in sections["compensations"][1:]]
    assert [(row["seat_id"], row["lost_minutes"], row["granted_minutes"], row["form"], row["value_minor"])
            for row in rows if row["outage_id"] == str(ids["cut"])] == [
        ("G1", "25", "40", "time", "40000"), ("G2", "10", "25", "voucher", "25000"),
        ("A1", "15", "30", "bill_reduction", "15000")]
    assert [row[3:7] for row in sections["adjustments"][1:]] == [["35", "40", "5", "0"], ["25", "30", "5", "0"]]
    assert ["G1", "Gaming", "2", "30", "60", "60000"] in sections["seats"]
    totals = dict(sections["totals"][1:])
    assert (totals["outages"], totals["dismissed"], totals["value_minor"]) == \
        ("5", "1", str(evidence.totals.value_minor))


def test_the_pdf_is_a4_with_a_title_page_and_every_outage_correction_and_credit(period, tmp_path) -> None:
    _, evidence = period
    content = render(evidence, EvidenceFormat.PDF)
    text = pdf_text(content)
    first_page = text[:text.index("Outages Outage")] if "Outages Outage" in text else text[:800]
    for expected in ("Outage evidence", "Bright Star Cyber Café", "21 November 2026 to 22 November 2026",
                     "From 2026-11-21 00:00:00 (Africa/Lagos)", "To (not included) 2026-11-23 00:00:00 (Africa/Lagos)",
                     "Generated 2026-11-23 09:10:00 (Africa/Lagos)", "Outages recorded 5",
                     "Counted / suspected / dismissed 4 / 0 / 1", f"Minutes credited {evidence.totals.granted_minutes}"):
        assert expected in first_page, expected
    for expected in ("Start 2026-11-20 23:50:00", "Source server_gap", "Opened by ups:gaming-ups",
                     "Flaps 1 (mains back briefly, then off again)", f"dismissed: {DISMISS_REASON}",
                     "UPS gaming-ups reported mains off (on battery) from 2026-11-22 16:00:00",
                     "UPS gaming-ups status OB DISCHRG (on battery, discharging): battery 98%",
                     "run 2 started at 2026-11-21 10:12:05", "3 seats fell silent",
                     f"by manager:bola at 2026-11-22 14:50:00: {CORRECTION_REASON}",
                     "G1 3 14:20:00 14:45:00 25 40 40 NGN400.00 time", "bill reduction", "voucher",
                     "Corrected at 2026-11-22 14:50:00: credit 35 -> 40, +5 given, 0 waived",
                     "Minutes lost per seat", "G1 Gaming 2 30 60 NGN600.00"):
        assert expected in text, expected
    if shutil.which("pdfinfo") is None:
        pytest.skip("poppler-utils (pdfinfo) is not installed")
    path = tmp_path / "evidence.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "x 841.89 pts (A4)" in info
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 2
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(path), "-"], capture_output=True,
                           text=True, check=True).stdout
    assert "Outage evidence" in first and "Outages recorded" in first and "Outage 1:" not in first


def test_a_period_with_from_after_to_or_ending_in_the_future_is_refused(uow, clock) -> None:
    live_the_period(uow, clock)
    with uow() as unit:
        with pytest.raises(InvalidInput, match="from 2026-11-22 is after to 2026-11-21"):
            build_evidence(unit, "2026-11-22", "2026-11-21")
        with pytest.raises(InvalidInput, match="2026-11-24 is in the future"):
            build_evidence(unit, "2026-11-21", "2026-11-24")
        with pytest.raises(InvalidInput, match="from must be a day like"):
            build_evidence(unit, "21/11/2026", "2026-11-22")
        # Today may be asked for: what happened so far.
        assert [outage.source for outage in build_evidence(unit, "2026-11-23", "2026-11-23").outages] == \
            [OutageSource.MANUAL]


@pytest.fixture
def cli_config(tmp_path, runtime) -> Path:
    """A config file of the period's venue on the test runtime's database (the CLI runs on the system clock)."""
    path = tmp_path / "cli-config.yaml"
    path.write_text(yaml.safe_dump(dict(VENUE, ups=MONITORS, database={"url": str(runtime.engine.url)})),
                    encoding="utf-8")
    return path


def test_the_cli_writes_the_pdf_or_the_csv_as_the_extension_says(uow, clock, cli_config, tmp_path, capsys) -> None:
    live_the_period(uow, clock)
    pdf, csv_file = tmp_path / "november.pdf", tmp_path / "november.CSV"
    assert main(["evidence", "--from", "2026-11-21", "--to", "2026-11-22", "--out", str(pdf),
                 "--config", str(cli_config)]) == 0
    assert "evidence of 5 outage(s) and 6 compensation(s) written to" in capsys.readouterr().err
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert main(["evidence", "--from", "2026-11-21", "--to", "2026-11-22", "--out", str(csv_file),
                 "--config", str(cli_config)]) == 0
    assert list(csv_sections(csv_file.read_bytes()))[:3] == ["evidence", "totals", "outages"]


@pytest.mark.parametrize(("arguments", "message"), [
    (["--from", "2026-11-21", "--to", "2026-11-22", "--out", "evidence.html"], "written as FILE.pdf or FILE.csv"),
    (["--from", "2026-11-22", "--to", "2026-11-21", "--out", "evidence.pdf"], "is after to"),
    (["--from", "2026-11-31", "--to", "2026-12-01", "--out", "evidence.pdf"], "from must be a day like"),
    (["--from", "2026-11-21", "--to", "FUTURE", "--out", "evidence.pdf"], "is in the future"),
])
def test_the_cli_refuses_another_extension_a_reversed_period_a_bad_day_and_a_future_day(
        arguments, message, cli_config, tmp_path, capsys) -> None:
    tomorrow = date_of(SystemClock().now(), evidence_settings().venue.tz) + timedelta(days=1)
    arguments = [tomorrow.isoformat() if item == "FUTURE" else item for item in arguments]
    out = tmp_path / arguments[-1]
    arguments[-1] = str(out)
    assert main(["evidence", *arguments, "--config", str(cli_config)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_a_period_without_an_outage_says_so_in_both_formats(uow, clock) -> None:
    live_the_period(uow, clock)
    with uow() as unit:
        evidence = build_evidence(unit, "2026-11-19", "2026-11-19")
    assert (evidence.outages, evidence.seats, evidence.totals.outages, evidence.totals.value_minor) == ((), (), 0, 0)
    sections = csv_sections(render(evidence, EvidenceFormat.CSV))
    assert sections["outages"] == [sections["outages"][0]] and sections["seats"] == [sections["seats"][0]]
    text = pdf_text(render(evidence, EvidenceFormat.PDF))
    assert "No outage was recorded in the period." in text and "No seat lost time in the period." in text
