"""The what-if form (issue 25, item 2) in headless Chromium: a manager asks from the manager page and reads the answer."""

from __future__ import annotations

import pytest

from tests.support.browser import ARTIFACTS, log_in


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
