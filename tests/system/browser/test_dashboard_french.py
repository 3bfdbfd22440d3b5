"""The dashboard in French at 1366×768 in headless Chromium: the longer words still fit their tiles and buttons.

Screenshots are saved in tests/artifacts/ (dashboard-fr-*.png) to be looked at.
"""

from __future__ import annotations

import pytest

from tests.support.browser import ARTIFACTS, start_package

# Each element whose text must stay on one line (a package button has its price on a second line, by design),
# and the selectors of boxes that must not overflow.
ONE_LINE = (".seat .label, .seat .zone, .seat .state, .seat .minutes, .powerbar button, .legend li, "
            ".figures dt, .figures dd, .card h2, .topbar a, .topbar button, dialog button:not([data-prices]), "
            "dialog .price, dialog label")
NO_OVERFLOW = ".seat, .seat > span, .card, .powerbar, .topbar, button, dialog, .outage-info"

MEASURE = """([oneLine, noOverflow]) => {
  const visible = (el) => el.getClientRects().length > 0;
  const describe = (el) => el.className + ' ' + JSON.stringify(el.textContent.trim().slice(0, 40));
  // The lines an element's text is laid out on: its text's boxes, those level with each other counted once.
  const lines = (el) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const middles = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const box of range.getClientRects()) {
        if (box.width > 0) { middles.push((box.top + box.bottom) / 2); }
      }
    }
    middles.sort((a, b) => a - b);
    return middles.filter((middle, index) => index === 0 || middle - middles[index - 1] > 6).length;
  };
  const wrapped = Array.from(document.querySelectorAll(oneLine)).filter(visible)
    .filter(el => lines(el) > 1).map(describe);
  const overflowing = Array.from(document.querySelectorAll(noOverflow)).filter(visible)
    .filter(el => el.scrollWidth > el.clientWidth + 1).map(describe);
  // A tile's line may stick out past its padding without making the tile scroll.
  const stickingOut = Array.from(document.querySelectorAll('.seat > span')).filter(visible).filter(span => {
    const tile = span.parentElement;
    const room = tile.getBoundingClientRect().right - parseFloat(getComputedStyle(tile).paddingRight);
    return span.getBoundingClientRect().right > room + 1 || span.scrollWidth > span.clientWidth + 1;
  }).map(describe);
  const page = document.documentElement;
  return {wrapped, overflowing, stickingOut, pageWidth: page.scrollWidth, pageHeight: page.scrollHeight};
}"""


@pytest.fixture(autouse=True)
def awa(add_person) -> None:
    """awa, a manager who chose French pages, with PIN 5678."""
    add_person("awa", role="manager", pin="5678", language="fr")


@pytest.fixture
def locale() -> str:
    """A French browser: it asks for fr-FR pages."""
    return "fr-FR"


def log_in_in_french(page) -> None:
    page.goto("/")
    assert page.inner_text("h1") == "Connexion"
    page.fill("input[name=name]", "awa")
    page.fill("input[name=pin]", "5678")
    page.click("button[type=submit]")
    page.wait_for_selector("#grid")


def measure(page) -> dict:
    return page.evaluate(MEASURE, [ONE_LINE, NO_OVERFLOW])


def assert_fits(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"dashboard-fr-{name}.png"))
    found = measure(page)
    assert found["wrapped"] == [], name
    assert found["overflowing"] == [], name
    assert found["stickingOut"] == [], name
    assert found["pageWidth"] <= 1366, name


def test_the_french_dashboard_fits_a_1366_by_768_counter_screen(page, clock) -> None:
    log_in_in_french(page)
    assert page.get_attribute("html", "lang") == "fr"
    assert page.inner_text("#power-cut") == "⚡ Coupure de courant"
    start_package(page, "G1", 120)
    start_package(page, "G2", 30)
    page.click('.seat[data-seat="A1"]')
    page.click("#dialog-free button[name=postpaid]")
    page.wait_for_selector('.seat[data-seat="A1"].running')
    page.click('.seat[data-seat="G1"]')
    page.click('form[data-action="pause"] button')
    page.wait_for_selector('.seat[data-seat="G1"].paused')
    assert page.inner_text('.seat[data-seat="A1"] .minutes') == "post-payé"
    assert_fits(page, "running")

    clock.advance(minutes=25)
    page.wait_for_selector('.seat[data-seat="G2"].nearly-up')
    page.click("#power-cut")
    page.wait_for_selector("#power-back:visible")
    clock.advance(minutes=12)
    page.wait_for_selector("#outage-info .elapsed >> text=/^12\\u00a0min/")
    assert page.inner_text("#power-back") == "Retour du courant"
    assert "Coupure de courant depuis 14:25 (toute la salle, manuelle)" in page.inner_text("#outage-info")
    assert_fits(page, "outage")

    page.click("#power-back")
    page.wait_for_selector("#power-cut:visible")
    page.wait_for_selector("#notice-list a")
    assert sorted(page.locator("#notice-list a").all_text_contents()) == [
        "Poste A1 · 15\u00a0min en remise", "Poste G2 · 20\u00a0min en bon"]
    assert page.inner_text('.seat[data-seat="G2"] .state') == "Temps fini"
    assert_fits(page, "after")


def test_the_seat_dialog_and_its_confirmation_are_french(page) -> None:
    log_in_in_french(page)
    page.click('.seat[data-seat="A3"]')
    assert page.inner_text("#dialog-title") == "Poste A3"
    assert_fits(page, "dialog-free")
    page.click("#dialog-free button[name=minutes][value='60']")
    page.wait_for_selector('.seat[data-seat="A3"].running')
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer)
    page.click('.seat[data-seat="A3"]')
    assert_fits(page, "dialog-busy")
    page.click('form[data-action="end"] button')
    page.wait_for_timeout(300)
    assert asked == ["Terminer la séance du poste A3\u00a0?"]
