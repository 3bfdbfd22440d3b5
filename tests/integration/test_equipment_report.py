"""The daily report's equipment section: the seat whose UPS held 1 of its rated 2 minutes is named (issue 24, item 4).

The history is ``tests.support.weak_seat``'s: three cuts of a zone rated 2 minutes, in two of which
seat A3's PC went off after 1 minute by its agent's report, and a polled UPS on low battery.
"""

from __future__ import annotations

import json

import pytest

from compensator.report.build import build_daily_report
from compensator.report.equipment_data import SEAT, WEAK_UPS, ZONE
from compensator.report.formats import ReportFormat, render
from tests.conftest import START
from tests.support.known_day import pdf_text
from tests.support.weak_seat import A3_FINDING, at, weak_seat_history, weak_seat_settings

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def settings():
    return weak_seat_settings()


@pytest.fixture
def report(uow, clock):
    weak_seat_history(uow, clock)
    with uow() as unit:
        return build_daily_report(unit, START.date())


def test_the_section_measures_each_seat_and_the_zones_ups(report) -> None:
    rows = {(row.kind, row.id): row for row in report.equipment.rows}
    a3, a5, a7 = rows[SEAT, "A3"], rows[SEAT, "A5"], rows[SEAT, "A7"]
    assert (a3.cuts, a3.median_held_seconds, a3.shortest_held_seconds, a3.rated_minutes) == (3, 60, 60, 2)
    assert (a3.short_in_last_cuts, a3.last_cuts, a3.weak) == (2, 3, True)
    assert (a5.cuts, a5.median_held_seconds, a5.short_in_last_cuts, a5.weak) == (3, 180, 0, False)
    assert (a7.cuts, a7.short_in_last_cuts, a7.weak) == (1, 1, False)
    gaming = rows[ZONE, "gaming"]
    # On battery from 15:11, low battery at 15:16: 5 of its rated 15 minutes, in its one cut.
    assert (gaming.ups, gaming.cuts, gaming.median_held_seconds, gaming.rated_minutes) == (("gaming-ups",), 1, 300, 15)
    assert gaming.replace_battery_at == at(90)
    assert (ZONE, "standard") not in rows, "the standard zone's UPS is not watched: none of its cuts is measured"
    weak = [finding for finding in report.equipment.findings if finding.kind == WEAK_UPS]
    assert [(finding.seats, finding.text) for finding in weak] == [(("A3",), A3_FINDING)]
    assert any("NUT says the battery of UPS gaming-ups needs replacing (RB)" in item.reason
               for item in report.anomalies if item.reason)
    assert A3_FINDING in [item.reason for item in report.anomalies]


def test_every_format_names_the_weak_seat(report) -> None:
    document = json.loads(render(report, ReportFormat.JSON).content)
    assert [finding["text"] for finding in document["equipment"]["findings"]][0] == A3_FINDING
    assert A3_FINDING in [item["text"] for item in document["anomalies"]]
    csv_text = render(report, ReportFormat.CSV).content.decode("utf-8")
    section = csv_text.split("# equipment_findings\n", 1)[1].split("\n\n", 1)[0]
    assert f"weak_ups,A3,,,2,60,2,3,{A3_FINDING}" in section
    assert "seat,A3,standard,Standard,,3,60,60,2,3,2,True,60," in csv_text
    html = render(report, ReportFormat.HTML).content.decode("utf-8")
    assert "<td>Seat A3</td><td>its own</td>" in html
    assert f"<li class=\"anomaly\">{A3_FINDING}.</li>" in html
    assert A3_FINDING.replace("—", "-") in pdf_text(render(report, ReportFormat.PDF).content)
