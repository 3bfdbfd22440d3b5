"""Browser tests: what the attendant clicks, in headless Chromium driven by Playwright (see conftest.py)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from compensator.domain import vouchers
from compensator.services.outages import use_cases as outages
from compensator.store.models import NoticeDelivery, Outage
from tests.conftest import power_cut_over
from tests.support.browser import ARTIFACTS, log_in, start_package
from tests.support.letters import pending_of, three_cuts_for_one_customer


@pytest.fixture(autouse=True)
def ada(add_person) -> None:
    """ada, the attendant who logs in, with PIN 1234."""
    add_person("ada")


def outage_count(uow) -> int:
    with uow() as unit:
        return unit.db.scalar(select(func.count()).select_from(Outage))


def test_an_attendant_handles_a_power_cut_from_start_to_printed_notice(page, uow, clock) -> None:
    log_in(page)
    start_package(page, "G1", 60)
    start_package(page, "G2", 120)
    clock.advance(minutes=25)
    page.click("#power-cut")
    page.wait_for_selector("#power-back:visible")
    clock.advance(minutes=20)
    page.wait_for_selector('.seat[data-seat="G1"].is-dark')
    # A selector, not a JavaScript predicate: the page's CSP forbids evaluating strings as code.
    page.wait_for_selector("#outage-info .elapsed >> text=/^20 min/")
    page.screenshot(path=str(ARTIFACTS / "dashboard-outage.png"))
    assert outage_count(uow) == 1
    page.click("#power-back")
    page.wait_for_selector("#power-cut:visible")
    links = page.locator("#notice-list a")
    assert links.count() == 2
    assert sorted(links.all_text_contents()) == ["Seat G1 · 35 min time", "Seat G2 · 35 min time"]
    page.screenshot(path=str(ARTIFACTS / "dashboard-after.png"))
    links.first.click()
    page.wait_for_selector(".notice-screen")
    assert "WE ARE SORRY" in page.inner_text(".notice-screen")
    page.screenshot(path=str(ARTIFACTS / "notice-screen.png"))
    page.click("label:has(input[value=happy])")
    page.click("#mark-printed")
    page.wait_for_selector("#grid")
    assert page.locator("#notice-list a").count() == 1
    with uow() as unit:
        delivery = unit.db.scalars(select(NoticeDelivery)).one()
        assert (delivery.how.value, delivery.feedback.value, delivery.actor) == ("printed", "happy", "attendant:ada")


def test_a_scanner_typing_a_voucher_code_and_enter_tops_up_the_session_chosen(page, uow, clock) -> None:
    outage, _ = power_cut_over(uow, clock, {"G1": 30}, after_minutes=20, lasting_minutes=30)
    code = vouchers.display(outage.compensations[0].voucher_codes[0])
    log_in(page)
    # A seat of the gaming zone the voucher was issued in: its own 25 minutes.
    start_package(page, "G4", 60)
    session_id = page.get_attribute('.seat[data-seat="G4"]', "data-session")
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    page.select_option("#voucher-onto", f"session:{session_id}")
    page.click("#voucher-code")
    page.keyboard.type(typo)
    page.keyboard.press("Enter")
    page.wait_for_selector(".flash.error")
    assert page.inner_text(".flash.error") == "this code has a typing mistake: check it against the voucher"
    page.select_option("#voucher-onto", f"session:{session_id}")
    page.click("#voucher-code")
    page.keyboard.type(code.replace("-", "").lower())
    page.keyboard.press("Enter")
    page.wait_for_selector(".flash.success")
    assert page.inner_text(".flash.success") == f"Voucher {code}: 25 min added to seat G4"
    page.wait_for_selector('.seat[data-seat="G4"] .minutes:text("85 min")')


def test_a_fast_double_click_on_power_cut_opens_one_outage(page, uow) -> None:
    log_in(page)
    page.dblclick("#power-cut")
    page.wait_for_selector("#power-back:visible")
    page.wait_for_timeout(500)
    assert outage_count(uow) == 1


def test_the_page_loads_nothing_from_the_internet(page, server) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page)
    page.wait_for_timeout(3500)
    assert requested
    assert all(url.startswith(server) for url in requested), requested


def test_the_report_page_shows_the_days_figures_and_timeline(page, uow, clock) -> None:
    power_cut_over(uow, clock, {"G1": 120, "G2": 30, "A1": 90, "A2": 60}, after_minutes=20, lasting_minutes=25,
                   actor="attendant:ada")
    clock.advance(minutes=30)
    log_in(page)
    page.goto("/reports")
    frame = page.frame_locator("iframe.report-frame")
    frame.locator("svg").wait_for()
    assert "Power reliability" in frame.locator("body").inner_text()
    page.goto("/reports/2026-11-22")
    page.set_viewport_size({"width": 1000, "height": 1300})
    page.screenshot(path=str(ARTIFACTS / "report.png"))


def test_the_seat_dialog_offers_only_the_actions_that_apply(page) -> None:
    log_in(page)
    start_package(page, "G1", 60)
    page.click('.seat[data-seat="G1"]')
    assert page.is_visible('form[data-action="pause"]')
    assert not page.is_visible('form[data-action="resume"]')
    targets = page.locator('form[data-action="move"] option').all_text_contents()
    assert "G1" not in targets and "A1" in targets
    page.click('form[data-action="pause"] button')
    page.wait_for_selector('.seat[data-seat="G1"].paused')
    page.click('.seat[data-seat="G1"]')
    assert page.is_visible('form[data-action="resume"]')
    assert not page.is_visible('form[data-action="pause"]')
    assert page.is_visible('form[data-action="extend"]')


def test_the_postpaid_sessions_dialog_offers_no_extend(page) -> None:
    log_in(page)
    page.click('.seat[data-seat="A4"]')
    page.click('#dialog-free button[name="postpaid"]')
    page.wait_for_selector('.seat[data-seat="A4"].running')
    page.click('.seat[data-seat="A4"]')
    assert page.is_visible('form[data-action="end"]')
    assert not page.is_visible('form[data-action="extend"]')
    page.click("#seat-dialog form.close button")
    # A prepaid session started after the page loaded: the live board keeps telling them apart.
    start_package(page, "A5", 60)
    page.click('.seat[data-seat="A5"]')
    assert page.is_visible('form[data-action="extend"]')


def require_tools(*names: str) -> None:
    """Skip unless each command is installed (CI installs them, and then they are required)."""
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        if os.environ.get("COMPENSATOR_REQUIRE_BROWSER"):
            pytest.fail("missing " + ", ".join(missing) + ": apt-get install zbar-tools poppler-utils")
        pytest.skip("missing " + ", ".join(missing))


def zbar(image: Path) -> list[str]:
    """What ``zbarimg`` reads from an image: one decoded text per symbol."""
    found = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True)
    return found.stdout.split()


def voucher_notice(uow, clock) -> tuple[int, str]:
    """A customer whose time ran out during a cut: the notice id and the voucher code as printed."""
    outage, _ = power_cut_over(uow, clock, {"G1": 30}, after_minutes=20, lasting_minutes=25, actor="attendant:ada")
    (compensation,) = outage.compensations
    assert compensation.notice_id is not None
    return compensation.notice_id, vouchers.display(compensation.voucher_codes[0])


def test_a_phone_scanner_reads_the_voucher_qr_from_the_screen_view(page, uow, clock) -> None:
    require_tools("zbarimg")
    notice_id, code = voucher_notice(uow, clock)
    log_in(page)
    page.goto(f"/notices/{notice_id}")
    qr = page.locator(".voucher .qr svg")
    # At least 25 mm wide on the screen too (CSS millimetres: 96 pixels to the inch).
    assert qr.bounding_box()["width"] >= 25 / 25.4 * 96
    qr.screenshot(path=str(ARTIFACTS / "voucher-qr-screen.png"))
    assert zbar(ARTIFACTS / "voucher-qr-screen.png") == [code]


@pytest.mark.parametrize("width_mm", [58, 80])
def test_the_receipt_prints_at_the_rolls_width_with_a_qr_that_scans(page, uow, clock, width_mm, tmp_path) -> None:
    require_tools("zbarimg", "pdfinfo", "pdftoppm")
    notice_id, code = voucher_notice(uow, clock)
    log_in(page)
    page.goto(f"/notices/{notice_id}/receipt?width={width_mm}")
    pdf = tmp_path / f"receipt-{width_mm}.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    points = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert points, info
    assert abs(float(points.group(1)) * 25.4 / 72 - width_mm) <= 1, info
    assert re.search(r"Pages:\s+1\n", info), info
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", str(pdf), str(tmp_path / "receipt")], check=True)
    assert zbar(tmp_path / "receipt.png") == [code]


def test_ending_a_session_asks_first_and_keeps_it_when_the_attendant_says_no(page) -> None:
    log_in(page)
    start_package(page, "G2", 60)
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        if len(asked) == 1:
            dialog.dismiss()
        else:
            dialog.accept()

    page.on("dialog", answer)
    page.click('.seat[data-seat="G2"]')
    page.click('form[data-action="end"] button')
    page.wait_for_timeout(300)
    assert asked == ["End the session on seat G2?"]
    assert page.locator('.seat[data-seat="G2"].running').count() == 1
    page.click('form[data-action="end"] button')
    page.wait_for_selector('.seat[data-seat="G2"].free')
    assert len(asked) == 2


def test_the_letter_comes_first_with_its_voucher_and_buttons_in_view_at_768_px(page, uow, clock) -> None:
    first, _ = three_cuts_for_one_customer(uow, clock)
    log_in(page)
    page.goto(f"/notices/{pending_of(uow, first)[0].id}")
    letter = page.locator(".notice-screen").bounding_box()
    qr = page.locator(".voucher .qr svg").bounding_box()
    shown = page.locator("button[value=shown]").bounding_box()
    page.screenshot(path=str(ARTIFACTS / "letter-1366x768.png"))
    assert letter["x"] < qr["x"] and letter["y"] <= qr["y"] + 1
    assert qr["y"] + qr["height"] <= 768 and shown["y"] + shown["height"] <= 768
    assert page.locator(".notice-screen").inner_text().count("• ") == 3


def test_the_seat_dialog_shows_the_prices_of_the_clicked_seats_zone_and_the_end_says_the_bill(page, clock) -> None:
    log_in(page)
    page.click('.seat[data-seat="G1"]')
    assert page.inner_text('#dialog-free button[name=minutes][value="60"]').split() == ["60", "min", "NGN600.00"]
    assert page.inner_text("#dialog-free button[name=postpaid]").split() == ["Postpaid", "NGN600.00/h"]
    page.screenshot(path=str(ARTIFACTS / "dashboard-prices.png"))
    page.click("#dialog-free button[name=postpaid]")
    page.wait_for_selector('.seat[data-seat="G1"].running')
    page.click('.seat[data-seat="A1"]')
    assert page.inner_text('#dialog-free button[name=minutes][value="60"]').split() == ["60", "min", "NGN300.00"]
    page.keyboard.press("Escape")
    clock.advance(minutes=45)
    page.click('.seat[data-seat="G1"]')
    page.once("dialog", lambda dialog: dialog.accept())
    page.click('form[data-action="end"] button')
    page.wait_for_selector(".flash.success a")
    assert "Bill: 45 min, NGN450.00." in page.inner_text(".flash.success")
    with page.expect_popup() as popup:
        page.click(".flash.success a")
    bill = popup.value
    bill.wait_for_selector("tr.due")
    assert bill.inner_text("tr.due").split() == ["Amount", "due", "NGN450.00"]
    bill.screenshot(path=str(ARTIFACTS / "bill-receipt.png"))


def test_the_dashboard_works_under_its_content_security_policy_without_console_errors(page, uow, clock) -> None:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page)
    start_package(page, "A1", 60)
    page.click('.seat[data-seat="A1"]')
    page.keyboard.press("Escape")
    page.goto("/reports")
    page.goto("/")
    page.wait_for_selector("#grid")
    assert problems == []


def test_a_dark_seat_is_not_offered_for_sale_and_a_move_to_a_dearer_seat_says_the_difference(page, clock) -> None:
    log_in(page)
    start_package(page, "A3", 60)
    clock.advance(minutes=20)
    page.click("#power-cut")
    page.wait_for_selector("#power-back:visible")
    # Gaming has no UPS: its free seats are dark at once, and the dialog says they cannot be sold.
    page.wait_for_selector('.seat[data-seat="G3"].is-dark')
    page.click('.seat[data-seat="G3"]')
    page.wait_for_selector("#dialog-no-power:visible")
    assert "cannot be sold until the power is back" in page.inner_text("#dialog-no-power")
    assert page.locator('#dialog-free form[data-action="start"]').is_hidden()
    page.screenshot(path=str(ARTIFACTS / "dialog-no-power.png"))
    page.keyboard.press("Escape")
    page.click("#power-back")
    page.wait_for_selector("#power-cut:visible")
    page.wait_for_selector('.seat[data-seat="G3"]:not(.is-dark)')
    page.click('.seat[data-seat="A3"]')
    page.select_option('form[data-action="move"] select', "G3")
    page.click('form[data-action="move"] button')
    page.wait_for_selector(".flash.warning")
    assert page.inner_text(".flash.warning") == "Seat A3 moved to G3: 40 min left at NGN600.00/h; NGN200.00 more to pay."


def test_the_cuts_elapsed_time_stays_shown_when_the_board_refreshes(page, uow) -> None:
    # Found on the Chromium walk: the first refresh rebuilt the outage's line and left its counter blank
    # until the next second's tick. The page's timers are held still, so only a refresh can touch it.
    with uow() as unit:
        outages.start_outage(unit, actor="attendant:ada")
    page.clock.install()
    log_in(page)
    page.wait_for_selector("#outage-info .elapsed >> text=/min/")
    with page.expect_response(lambda response: "board" in response.url):
        page.clock.run_for(3500)
    page.wait_for_selector("#outage-info[data-signature]", state="attached")
    assert page.inner_text("#outage-info .elapsed").strip() != ""
