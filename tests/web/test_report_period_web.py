"""The Reports page's period picker, a period's report as a page or a download, and the period report API."""

from __future__ import annotations

from compensator.services.outages import use_cases as outages
from tests.conftest import log_in_cookie
from tests.web.test_report_web import _problems


def test_the_reports_page_offers_this_week_this_month_and_last_month(client) -> None:
    log_in_cookie(client, "bola", "manager")
    page = client.get("/reports").get_data(as_text=True)
    # 22 November 2026 is a Sunday: the week began on Monday the 16th.
    assert "/reports?from=2026-11-16&amp;to=2026-11-22" in page
    assert "/reports?from=2026-11-01&amp;to=2026-11-22" in page
    assert "/reports?from=2026-10-01&amp;to=2026-10-31" in page
    chosen = client.get("/reports?from=2026-10-01&to=2026-10-31").get_data(as_text=True)
    assert 'src="/reports/period?from=2026-10-01&amp;to=2026-10-31"' in chosen
    for shape in ("pdf", "csv", "json", "html"):
        assert f"/reports/period?format={shape}&amp;download=1&amp;from=2026-10-01&amp;to=2026-10-31" in chosen
    backwards = client.get("/reports?from=2026-11-10&to=2026-11-01").get_data(as_text=True)
    assert "put the earlier day first" in backwards and "<iframe" not in backwards


def test_a_period_report_is_a_page_and_the_api_answers_it_in_each_format(client, bearer, uow, clock) -> None:
    with uow() as unit:
        cut = outages.start_outage(unit, actor="attendant:ada")
    clock.advance(minutes=13)
    with uow() as unit:
        outages.end_outage(unit, cut.id, actor="attendant:ada")
    log_in_cookie(client, "bola", "manager")
    document = client.get("/reports/period?from=2026-11-01&to=2026-11-22")
    assert (document.mimetype, document.headers["X-Frame-Options"]) == ("text/html", "SAMEORIGIN")
    assert "Power cuts per day" in document.get_data(as_text=True)

    answer = client.get("/api/v1/reports/period?from=2026-11-01&to=2026-11-22", headers=bearer)
    assert (answer.status_code, answer.mimetype) == (200, "application/json")
    report = answer.get_json()
    assert (report["venue"]["cuts"], report["restore_minutes"]) == (1, {"cuts": 1, "median": 13, "p90": 13})
    # The standard zone's 10-minute UPS held the first 10 minutes: its seats were dark 3, gaming's 13.
    assert [(zone["zone"], zone["saidi_minutes"]) for zone in report["zones"]] == [("standard", 3.0),
                                                                                  ("gaming", 13.0)]
    schema = client.get("/api/v1/openapi.json").get_json()["paths"]["/reports/period"]["get"]
    assert {parameter["name"] for parameter in schema["parameters"]} >= {"from", "to", "format"}
    body = schema["responses"]["200"]["content"]["application/json"]["schema"]
    assert _problems(report, body) == []
    pdf = client.get("/api/v1/reports/period?from=2026-11-01&to=2026-11-22&format=pdf", headers=bearer)
    assert pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"] == \
        'attachment; filename="compensator-report-2026-11-01-to-2026-11-22.pdf"'
    csv = client.get("/api/v1/reports/period?from=2026-11-01&to=2026-11-22&format=csv", headers=bearer)
    assert csv.mimetype == "text/csv"


def test_the_period_api_refuses_a_missing_or_wrong_day_naming_the_parameter(client, bearer) -> None:
    for query, status, code, field in (
            ("from=2026-11-01", 400, "invalid_input", "to"),
            ("from=2026-02-30&to=2026-11-01", 400, "invalid_input", "from"),
            # Well-formed days that the calendar refuses: a day still to come, a period backwards.
            ("from=2026-11-01&to=2026-12-25", 404, "not_found", "to"),
            ("from=2026-11-10&to=2026-11-01", 409, "time_out_of_range", "to")):
        answer = client.get(f"/api/v1/reports/period?{query}", headers=bearer)
        error = answer.get_json()["error"]
        assert (answer.status_code, error["code"], error.get("field")) == (status, code, field), query
