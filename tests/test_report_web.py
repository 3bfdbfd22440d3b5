"""The Reports page, the report as a page or download, and the daily report API."""

from __future__ import annotations

import pytest

from compensator.services.people import create_token
from web import create_app


@pytest.fixture
def client(runtime):
    return create_app(runtime, {"TESTING": True, "SECRET_KEY": "test"}).test_client()


def log_in(client) -> None:
    with client.session_transaction() as cookie_session:
        cookie_session.update(attendant="bola", role="manager", csrf_token="t")


def test_the_reports_page_offers_today_and_downloads(client) -> None:
    assert client.get("/reports").status_code == 302
    log_in(client)
    page = client.get("/reports").get_data(as_text=True)
    assert 'value="2026-11-22"' in page
    for shape in ("pdf", "csv", "json", "html"):
        assert f"format={shape}" in page
    document = client.get("/reports/2026-11-22")
    assert document.mimetype == "text/html" and "end-of-day report" in document.get_data(as_text=True)
    download = client.get("/reports/2026-11-22?format=pdf&download=1")
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]


def test_the_daily_report_api_answers_each_format_and_refuses_bad_dates(client, uow) -> None:
    assert client.get("/api/v1/reports/daily/2026-11-22").status_code == 401
    with uow() as unit:
        token = create_token(unit, name="owner-laptop", actor="test").secret
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/reports/daily/2026-11-22", headers=headers).get_json()["figures"]["outages"] == 0
    assert client.get("/api/v1/reports/daily/2026-11-22?format=csv", headers=headers).mimetype == "text/csv"
    assert client.get("/api/v1/reports/daily/2026-11-22?format=pdf", headers=headers).data.startswith(b"%PDF")
    bad = client.get("/api/v1/reports/daily/22-11-2026", headers=headers)
    assert (bad.status_code, bad.get_json()["error"]["field"]) == (400, "date")
    future = client.get("/api/v1/reports/daily/2026-12-25", headers=headers)
    assert (future.status_code, future.get_json()["error"]["field"]) == (400, "date")
    assert client.get("/api/v1/reports/daily/2026-11-22?format=docx", headers=headers).status_code == 400
