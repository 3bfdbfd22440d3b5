"""The outage evidence as a download for managers (issue 25, item 5): the form, the files and the refusals."""

from __future__ import annotations

from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from tests.conftest import log_in_cookie
from tests.support.known_day import csv_sections, pdf_text


def a_cut_of_ten_minutes_over_g1(uow, clock) -> None:
    with uow() as unit:
        sessions.start_session(unit, seat_id="G1", minutes=60, actor="attendant:ada")
    with uow() as unit:
        outage = outages.start_outage(unit, actor="attendant:ada")
    clock.advance(minutes=10)
    with uow() as unit:
        outages.end_outage(unit, outage.id, actor="attendant:ada")


def test_a_manager_chooses_a_period_and_downloads_its_evidence_as_pdf_or_csv(client, uow, clock) -> None:
    a_cut_of_ten_minutes_over_g1(uow, clock)
    log_in_cookie(client, "bola", "manager")
    assert 'href="/reports/evidence"' in client.get("/reports").get_data(as_text=True)
    form = client.get("/reports/evidence").get_data(as_text=True)
    assert 'name="from" value="2026-11-01"' in form and 'name="to" value="2026-11-22"' in form
    pdf = client.get("/reports/evidence?from=2026-11-22&to=2026-11-22&format=pdf")
    assert pdf.status_code == 200 and pdf.content_type == "application/pdf"
    assert pdf.headers["Content-Disposition"] == \
        'attachment; filename="compensator-evidence-2026-11-22-to-2026-11-22.pdf"'
    text = pdf_text(pdf.data)
    assert "Outage evidence" in text and "Power cut recorded by attendant:ada, from 2026-11-22 14:00:00" in text
    csv_file = client.get("/reports/evidence?from=2026-11-22&to=2026-11-22&format=csv")
    assert csv_file.content_type.startswith("text/csv")
    rows = csv_sections(csv_file.data)["compensations"]
    assert [row[rows[0].index("seat_id")] for row in rows[1:]] == ["G1"]
    assert rows[1][rows[0].index("lost_minutes")] == "10"


def test_an_attendant_cannot_have_the_evidence_nor_sees_the_link(client) -> None:
    log_in_cookie(client, "ada")
    assert client.get("/reports/evidence?from=2026-11-22&to=2026-11-22").status_code == 403
    assert "/reports/evidence" not in client.get("/reports").get_data(as_text=True)


def test_a_reversed_or_future_period_or_another_format_is_explained_on_the_form(client) -> None:
    log_in_cookie(client, "bola", "manager")
    for query, message in (("from=2026-11-22&to=2026-11-21", "from 2026-11-22 is after to 2026-11-21"),
                           ("from=2026-11-22&to=2026-11-23", "2026-11-23 is in the future"),
                           ("from=2026-11-22&to=2026-11-22&format=html", "written as .pdf or .csv"),
                           ("from=yesterday&to=2026-11-22", "from must be a day like")):
        answer = client.get(f"/reports/evidence?{query}")
        assert answer.status_code == 400, query
        assert message in answer.get_data(as_text=True), query
