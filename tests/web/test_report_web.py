"""The Reports page, the report as a page or a download, and the daily report API."""

from __future__ import annotations

import pytest

from compensator.services.outages import use_cases as outages
from tests.conftest import log_in_cookie


def log_in(client) -> None:
    log_in_cookie(client, "bola", "manager")


def test_the_reports_page_shows_today_so_far_with_download_buttons(client) -> None:
    assert client.get("/reports").status_code == 302
    log_in(client)
    page = client.get("/reports").get_data(as_text=True)
    assert 'value="2026-11-22"' in page and 'max="2026-11-22"' in page
    assert 'src="/reports/2026-11-22"' in page
    for shape in ("pdf", "csv", "json", "html"):
        assert f"/reports/2026-11-22?format={shape}&amp;download=1" in page


def test_the_reports_page_explains_a_future_or_malformed_date_instead_of_showing_a_report(client) -> None:
    log_in(client)
    future = client.get("/reports?date=2026-12-25")
    assert future.status_code == 200
    page = future.get_data(as_text=True)
    assert "2026-12-25 is in the future" in page
    assert "<iframe" not in page and "download=1" not in page
    assert "date must be a day like 2026-11-22" in client.get("/reports?date=tomorrow").get_data(as_text=True)


def test_a_day_report_is_a_page_to_read_or_a_file_to_download(client, uow, clock) -> None:
    with uow() as unit:
        outages.start_outage(unit, actor="attendant:ada")
    clock.advance(minutes=10)
    log_in(client)
    document = client.get("/reports/2026-11-22")
    assert document.mimetype == "text/html"
    assert document.headers["Content-Disposition"].startswith("inline")
    assert document.headers["Cache-Control"] == "no-store"
    assert "end-of-day report" in document.get_data(as_text=True)
    download = client.get("/reports/2026-11-22?format=pdf&download=1")
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == 'attachment; filename="compensator-report-2026-11-22.pdf"'


def test_the_daily_report_api_answers_each_format_with_its_content_type(client, bearer) -> None:
    assert client.get("/api/v1/reports/daily/2026-11-22").status_code == 401
    answer = client.get("/api/v1/reports/daily/2026-11-22", headers=bearer)
    assert (answer.status_code, answer.mimetype) == (200, "application/json")
    assert answer.get_json()["figures"]["outages"] == 0
    csv_answer = client.get("/api/v1/reports/daily/2026-11-22?format=csv", headers=bearer)
    assert csv_answer.mimetype == "text/csv"
    assert csv_answer.headers["Content-Disposition"] == 'attachment; filename="compensator-report-2026-11-22.csv"'
    assert csv_answer.get_data(as_text=True).startswith("\ufeff# report")
    assert client.get("/api/v1/reports/daily/2026-11-22?format=pdf", headers=bearer).data.startswith(b"%PDF")
    assert client.get("/api/v1/reports/daily/2026-11-22?format=html", headers=bearer).mimetype == "text/html"


@pytest.mark.parametrize(("path", "field", "words"), [
    ("22-11-2026", "date", "like 2026-11-22"),
    ("2026-02-30", "date", "like 2026-11-22"),
    ("0001-01-01", "date", "in the years 2000 to 2100"),
    ("2026-11-22?format=docx", "format", "json, csv, html or pdf"),
])
def test_the_daily_report_api_refuses_bad_input_with_a_json_error(client, bearer, path, field, words) -> None:
    answer = client.get(f"/api/v1/reports/daily/{path}", headers=bearer)
    error = answer.get_json()["error"]
    assert (answer.status_code, error["code"], error["field"]) == (400, "invalid_input", field)
    assert words in error["message"]


def _problems(value, schema, where="") -> list[str]:
    """Where ``value`` breaks the JSON Schema (the keywords the API document uses for the report)."""
    if "anyOf" in schema:
        return [] if any(not _problems(value, option, where) for option in schema["anyOf"]) else [f"{where}: anyOf"]
    kinds = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None),
             "number": (int, float)}
    kind = schema.get("type")
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return [f"{where}: not an integer"]
    elif kind is not None and not isinstance(value, kinds[kind]):
        return [f"{where}: not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not in {schema['enum']}"]
    found = []
    if isinstance(value, dict):
        found += [f"{where}.{key}: missing" for key in schema.get("required", ()) if key not in value]
        for key, inner in schema.get("properties", {}).items():
            if key in value:
                found += _problems(value[key], inner, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += _problems(item, schema["items"], f"{where}[{index}]")
    return found


def test_the_json_report_has_the_shape_the_api_document_states(client, bearer, uow, clock) -> None:
    with uow() as unit:
        cut = outages.start_outage(unit, actor="attendant:ada")
        fault = outages.start_outage(unit, seats=["A4"], actor="attendant:ada")
    clock.advance(minutes=13)
    with uow() as unit:
        outages.end_outage(unit, cut.id, actor="attendant:ada")
        outages.end_outage(unit, fault.id, actor="attendant:ada")
    document = client.get("/api/v1/openapi.json").get_json()
    answer = document["paths"]["/reports/daily/{date}"]["get"]["responses"]["200"]["content"]["application/json"]
    schema = answer["schema"]
    report = client.get("/api/v1/reports/daily/2026-11-22", headers=bearer).get_json()
    assert _problems(report, schema) == []
    assert [(row["zone_id"], row["carried_minutes"], row["not_carried_minutes"]) for row in report["ups_by_zone"]] \
        == [("standard", 10, 3), ("gaming", 0, 13)]
    assert [row["scope_ids"] for row in report["seat_faults"]] == [["A4"]]
    assert [row["id"] for row in report["outages"]] == [cut.id]
    # The check can fail: a report without the seat faults breaks the document.
    assert _problems({key: value for key, value in report.items() if key != "seat_faults"}, schema) == \
        [".seat_faults: missing"]


def test_a_day_still_to_come_has_no_report_404(client, bearer) -> None:
    answer = client.get("/api/v1/reports/daily/2026-12-25", headers=bearer)
    error = answer.get_json()["error"]
    assert (answer.status_code, error["code"], error["field"]) == (404, "not_found", "date")
    assert error["message"] == "2026-12-25 is in the future: there is no report for it yet"
    document = client.get("/api/v1/openapi.json").get_json()
    (date,) = document["paths"]["/reports/daily/{date}"]["get"]["parameters"][:1]
    assert "a day still to come has no report (404)" in date["description"]
