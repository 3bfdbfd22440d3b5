"""The browser tests' fixtures: the dashboard served over HTTP in a thread, and a page of headless Chromium on it.

They use Debian's Chromium at /usr/bin/chromium (no browser downloads here) and are skipped
when it is missing, unless COMPENSATOR_REQUIRE_BROWSER=1 (as in CI). Screenshots are saved in
tests/artifacts/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from compensator.runtime import Compensator
from tests.support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGUMENTS
from tests.support.served import served_in_a_thread
from web import create_app

if not CHROMIUM.exists():
    if os.environ.get("COMPENSATOR_REQUIRE_BROWSER"):
        raise RuntimeError("browser tests need Debian's chromium at /usr/bin/chromium")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def server(runtime: Compensator) -> Iterator[str]:
    """The dashboard served by werkzeug in a thread: its address."""
    with served_in_a_thread(create_app(runtime, {"SECRET_KEY": "browser-test"})) as address:
        yield address


@pytest.fixture
def locale() -> str | None:
    """The language the browser asks pages in; None leaves it to Chromium."""
    return None


@pytest.fixture
def page(server: str, locale: str | None):
    """A page of headless Chromium on a 1366×768 counter screen, at the served dashboard."""
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGUMENTS)
        context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=server, locale=locale)
        browser_page = context.new_page()
        browser_page.set_default_timeout(10000)
        yield browser_page
        context.close()
        browser.close()
