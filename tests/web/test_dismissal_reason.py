"""Why a suspected outage was dismissed is kept, and shown by the API, the manager page and the report."""

from __future__ import annotations

import html

import pytest

from compensator.report.formats import csv_format, html_format, json_format
from compensator.services.outages import use_cases as outages
from tests.support.known_day import report_of

pytestmark = pytest.mark.usefixtures("staff")

REASON = "seat agents restarted for an update"


@pytest.fixture
def suspected(uow, clock) -> int:
    """A suspected outage over three seats that stopped answering for two minutes."""
    with uow() as unit:
        outage = outages.start_outage(unit, seats=["A4", "A6", "A11"], source="heartbeat", suspected=True,
                                      actor="test")
    clock.advance(minutes=2)
    with uow() as unit:
        outages.end_outage(unit, outage.id, actor="test")
    clock.advance(minutes=1)
    return outage.id


def test_the_api_answers_the_dismissal_reason_and_documents_it(api, suspected) -> None:
    dismissed = api.post(f"/outages/{suspected}/dismiss", json={"reason": REASON}).get_json()
    assert (dismissed["status"], dismissed["dismissal_reason"]) == ("dismissed", REASON)
    assert api.get(f"/outages/{suspected}").get_json()["dismissal_reason"] == REASON
    listed = api.get("/outages?date=2026-11-22").get_json()["outages"]
    assert [item["dismissal_reason"] for item in listed] == [REASON]
    schema = api.get("/openapi.json").get_json()["components"]["schemas"]["Outage"]
    assert "dismissal_reason" in schema["required"]
    assert "why a suspected outage was dismissed" in schema["properties"]["dismissal_reason"]["description"]


def test_an_outage_dismissed_without_a_reason_says_none(api, suspected) -> None:
    assert api.post(f"/outages/{suspected}/dismiss").get_json()["dismissal_reason"] is None


def test_the_manager_page_shows_the_reason_beside_the_dismissed_outage(client, auth, suspected) -> None:
    auth.login("bola", "4321")
    auth.post(f"/manage/outages/{suspected}/dismiss", reason=REASON)
    page = html.unescape(client.get("/manage").get_data(as_text=True))
    assert f'dismissed: <q class="reason">{REASON}</q>' in page


def test_the_dashboards_banner_takes_a_reason_with_the_dismissal(client, auth, uow, suspected) -> None:
    auth.login()
    assert 'name="reason"' in client.get("/").get_data(as_text=True)
    auth.post(f"/outages/{suspected}/dismiss", reason=REASON)
    assert "Dismissed: nobody is compensated for it." in client.get("/").get_data(as_text=True)
    report = report_of(uow)
    (item,) = [item for item in report.anomalies if item.kind.value == "dismissed_outage"]
    assert (item.outage_id, item.actor, item.reason) == (suspected, "attendant:ada", REASON)


def test_the_report_lists_each_dismissed_outage_with_who_and_why(uow, suspected) -> None:
    with uow() as unit:
        outages.dismiss_outage(unit, suspected, reason=REASON, actor="manager:bola")
    report = report_of(uow)
    sentence = f"outage {suspected} was dismissed by manager:bola: {REASON}"
    assert sentence in html.unescape(html_format.render(report))
    assert sentence in csv_format.render(report)
    assert sentence in json_format.render(report)
    # Dismissed, it counts as no outage of the day.
    assert report.figures.outages == 0
