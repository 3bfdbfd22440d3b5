"""The period report in Chromium: the Reports page with November picked, its charts, and the page printed."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.browser import ARTIFACTS, log_in
from tests.support.known_month import live_the_known_month, month_clock, month_settings


@pytest.fixture
def settings():
    return month_settings()


@pytest.fixture
def clock():
    return month_clock()


@pytest.fixture(autouse=True)
def bola(add_person) -> None:
    add_person("bola", role="manager", pin="4321")


def test_the_reports_page_shows_a_months_report_with_its_charts_and_prints_it(page, uow, clock, tmp_path) -> None:
    live_the_known_month(uow, clock)
    log_in(page, "bola", "4321")
    page.goto("/reports")
    page.click("a.period >> text=Last month")
    frame = page.frame_locator("iframe.report-frame")
    frame.locator("svg.chart").first.wait_for()
    text = frame.locator("body").inner_text()
    assert "report from 01 November 2026 to 30 November 2026" in text
    assert "Standard: UPS holds 10 min, power comes back in a median 16 min: 6 min short in 2 of 3 cuts" in text
    assert frame.locator("svg.chart").count() == 3
    page.set_viewport_size({"width": 1366, "height": 1000})
    page.screenshot(path=str(ARTIFACTS / "reports-period.png"))

    page.goto("/reports/period?from=2026-11-01&to=2026-11-30")
    page.set_viewport_size({"width": 1000, "height": 1400})
    page.screenshot(path=str(ARTIFACTS / "report-period.png"), full_page=True)
    # Printed from the browser, the page keeps its charts: two A4 pages, each drawn readable.
    printed = tmp_path / "report-period-printed.pdf"
    page.pdf(path=str(printed), format="A4", print_background=True)
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(printed)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    assert 1 <= pages <= 4
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(printed), str(ARTIFACTS / "report-period-printed")],
                   check=True)


def test_the_manager_page_shows_what_is_owed(page, uow, clock) -> None:
    live_the_known_month(uow, clock)
    log_in(page, "bola", "4321")
    page.goto("/manage")
    owed = page.locator("#owed")
    # s4's voucher of 20 standard minutes (NGN 100), issued on 3 November and valid 30 days.
    assert "1 voucher not used yet: 20 min, worth NGN" in owed.inner_text()
    assert "Expiring in the next 7 days: 1" in owed.inner_text()
    owed.screenshot(path=str(ARTIFACTS / "manage-owed.png"))
