"""Zones are shown to people by their names (Gaming), never by their configuration ids (gaming)."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from compensator.domain.ups import UpsDisplay
from compensator.report.data import TimelineRow
from compensator.report.formats import csv_format, html_format, svg_timeline
from compensator.services.outages import use_cases as outages
from compensator.services.sources.ups import UpsView
from tests.support.known_day import report_of
from web.dashboard import ups_lines

pytestmark = pytest.mark.usefixtures("staff")


@pytest.fixture
def gaming_cut(uow, clock) -> int:
    """A power cut over the Gaming zone (id ``gaming``), started at 14:10 and ended at 14:30."""
    clock.advance(minutes=10)
    with uow() as unit:
        outage = outages.start_outage(unit, zones=["gaming"], actor="test")
    clock.advance(minutes=20)
    with uow() as unit:
        outages.end_outage(unit, outage.id, actor="test")
    return outage.id


def test_the_power_bar_names_the_zone_cut(client, auth, uow) -> None:
    with uow() as unit:
        outages.start_outage(unit, zones=["gaming"], actor="test")
    auth.login()
    (outage,) = client.get("/board.json").get_json()["outages"]
    assert outage["label"] == "Power cut since 14:00 (Gaming, manual)"
    assert "(Gaming, manual)" in client.get("/").get_data(as_text=True)


@pytest.mark.usefixtures("gaming_cut")
def test_the_manager_page_lists_an_outage_by_its_zones_name(client, auth) -> None:
    auth.login("bola", "4321")
    page = client.get("/manage").get_data(as_text=True)
    (row,) = [row for row in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "<td>22 Nov 14:10</td>" in row]
    assert "<td>Gaming</td>" in row
    assert ">gaming<" not in row


def test_a_ups_line_names_the_zones_it_powers(app) -> None:
    view = UpsView(name="back-room", display=UpsDisplay.ONLINE, since=None, last_change=None, mains=None,
                   zones=("standard", "gaming"), in_outage=False, polled=True)
    with app.test_request_context("/"):
        (line,) = ups_lines([view])
    assert line["zones"] == "Standard, Gaming"


def test_the_report_names_the_zone_cut_and_draws_zone_rows_by_name(uow, gaming_cut) -> None:
    report = report_of(uow)
    assert "zones: Gaming" in html.unescape(html_format.render(report))
    assert "zones: gaming" not in html_format.render(report)
    assert ",zones: Gaming," in csv_format.render(report)
    # A venue too large for a row per seat is drawn a row per zone, each labelled by its name.
    rows = [TimelineRow(f"S{number}", "standard", (), ()) for number in range(30)] + \
        [TimelineRow(f"G{number}", "gaming", (), ()) for number in range(20)]
    many = dataclasses.replace(report, timeline=tuple(rows))
    assert [label for label, _, _, _ in svg_timeline.picture_rows(many)] == ["Standard (30)", "Gaming (20)"]
