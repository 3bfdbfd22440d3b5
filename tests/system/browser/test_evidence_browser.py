"""The outage evidence (issue 25, item 5) in Chromium: a manager opens it from the Reports page, picks a period, downloads the PDF."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.browser import ARTIFACTS, log_in, pdf_info
from tests.support.evidence_period import evidence_clock, evidence_settings, live_the_period


@pytest.fixture
def settings():
    return evidence_settings()


@pytest.fixture
def clock():
    return evidence_clock()


@pytest.fixture(autouse=True)
def bola(add_person) -> None:
    add_person("bola", role="manager", pin="4321")


def test_a_manager_downloads_the_evidence_of_two_days_as_an_a4_pdf(page, uow, clock, tmp_path) -> None:
    live_the_period(uow, clock)
    log_in(page, "bola", "4321")
    page.goto("/reports")
    page.click("text=Outage evidence for a period")
    page.wait_for_url("**/reports/evidence")
    form = page.locator("form.card")
    form.locator("input[name=from]").fill("2026-11-21")
    form.locator("input[name=to]").fill("2026-11-22")
    form.locator("select[name=format]").select_option("pdf")
    page.screenshot(path=str(ARTIFACTS / "evidence-form.png"), full_page=True)
    with page.expect_download() as started:
        form.locator("button").click()
    download = started.value
    assert download.suggested_filename == "compensator-evidence-2026-11-21-to-2026-11-22.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    info = pdf_info(saved)
    assert "(A4)" in info["Page size"], info
    assert int(info["Pages"]) > 0
    text = subprocess.run(["pdftotext", "-layout", str(saved), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Outage evidence" in text and "the generator log says 14:45" in text
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(saved), str(ARTIFACTS / "evidence-pdf")], check=True)
    # The form stays as it was left: the manager can download the CSV of the same days next.
    assert form.locator("input[name=from]").input_value() == "2026-11-21"


def test_a_period_in_the_future_is_said_on_the_form(page, uow, clock) -> None:
    live_the_period(uow, clock)
    log_in(page, "bola", "4321")
    page.goto("/reports/evidence?from=2026-11-22&to=2026-11-30")
    assert "2026-11-30 is in the future" in page.locator("[role=alert]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "evidence-error.png"), full_page=True)
