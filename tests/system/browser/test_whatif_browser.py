"""The what-if form (issue 25, item 2) in headless Chromium: a manager asks from the manager page and reads the answer."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.browser import ARTIFACTS, log_in, pdf_info


@pytest.fixture(autouse=True)
def bola(add_person) -> None:
    """bola, the manager who logs in, with PIN 4321."""
    add_person("bola", role="manager", pin="4321")


def test_a_manager_asks_what_a_bigger_ups_would_have_saved(page, known_day) -> None:
    log_in(page, "bola", "4321")
    page.goto("/manage#whatif")
    form = page.locator("#whatif form")
    form.locator("input[name=from]").fill("2026-11-22")
    form.locator("input[name=to]").fill("2026-11-22")
    form.locator("textarea[name=changes]").fill("zones.gaming.ups_minutes=30\nzones.standard.ups_minutes=30")
    form.locator("input[name=price]").fill("1800")
    page.set_viewport_size({"width": 1366, "height": 900})
    form.screenshot(path=str(ARTIFACTS / "whatif-form.png"))
    form.locator("button").click()
    answer = page.locator("#whatif-answer")
    answer.wait_for()
    text = answer.inner_text()
    # Every cut of both zones bridged: from 115 minutes (NGN 1,000) to nothing, paid back in 2 days.
    assert "115" in text and "Payback: 2 days." in text
    assert "would have saved" in text and "pays for itself in 2 days" in text
    page.screenshot(path=str(ARTIFACTS / "whatif-answer.png"), full_page=True)
    # A bad key is said on the form.
    page.locator("textarea[name=changes]").fill("zones.vip.ups_minutes=5")
    page.locator("#whatif-form button").click()
    page.wait_for_selector("[role=alert]")
    assert "unknown zone 'vip'" in page.locator("[role=alert]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "whatif-error.png"))


def test_the_what_if_answer_prints_on_a4_with_its_figures(page, known_day, tmp_path) -> None:
    log_in(page, "bola", "4321")
    page.goto("/manage/whatif?from=2026-11-22&to=2026-11-22&price=1800"
              "&changes=zones.gaming.ups_minutes%3D30%0Azones.standard.ups_minutes%3D30")
    page.locator("#whatif-answer").wait_for()
    printed = tmp_path / "whatif-printed.pdf"
    page.pdf(path=str(printed), format="A4", print_background=True)
    info = pdf_info(printed)
    assert "(A4)" in info["Page size"] and int(info["Pages"]) == 1, info
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(printed), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    # On paper the answer says which day it is about, without the navigation nor the form to ask again.
    assert "Credits on 22 November 2026" in text, text
    assert "Replay the period" not in text and "Log out" not in text and "Back to the manager page" not in text
    assert text.startswith("Bright Star Cyber Café What a fix would save"), text
    # Before: the known day's 115 minutes credited; after, with both zones bridged: none.
    assert "Before 115 NGN1,000.00 4" in text, text
    assert "After 0 NGN0.00 0" in text, text
    assert "pays for itself in 2 days" in text
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(printed), str(ARTIFACTS / "whatif-printed")], check=True)
