"""The browser tests' fixtures: the dashboard served over HTTP in a thread, and a page of headless Chromium on it.

They use Debian's Chromium at /usr/bin/chromium (no browser downloads here) and are skipped
when it is missing, unless COMPENSATOR_REQUIRE_BROWSER=1 (as in CI). Screenshots are saved in
tests/artifacts/.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from compensator.runtime import Compensator
from tests.support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGUMENTS
from web import create_app

if not CHROMIUM.exists():
    if os.environ.get("COMPENSATOR_REQUIRE_BROWSER"):
        raise RuntimeError("browser tests need Debian's chromium at /usr/bin/chromium")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def server(runtime: Compensator) -> Iterator[str]:
    """The dashboard served by werkzeug in a thread: its address."""
    app = create_app(runtime, {"SECRET_KEY": "browser-test"})
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=10)


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
