"""The dashboard in Chromium while the database is away: it says so and keeps the last board, then recovers.

The runtime's units of work are pointed at a PostgreSQL address where nothing listens, as when the
server was stopped, while the page keeps polling; the system fault tests stop a real one.
"""

from __future__ import annotations

import pytest

from compensator.store.database import make_engine, make_session_factory
from tests.support.browser import ARTIFACTS, log_in, start_package

NOWHERE = "postgresql+psycopg://postgres@127.0.0.1:1/compensator"


@pytest.fixture(autouse=True)
def ada(add_person) -> None:
    """ada, the attendant who logs in, with PIN 1234."""
    add_person("ada")


def test_the_dashboard_says_the_database_is_unavailable_and_keeps_the_last_board(page, runtime,
                                                                                 monkeypatch) -> None:
    log_in(page)
    start_package(page, "G1", 60)
    assert page.locator("#database-banner").is_hidden()

    kept = runtime.session_factory
    monkeypatch.setattr(runtime, "session_factory", make_session_factory(make_engine(NOWHERE)))
    banner = page.locator("#database-banner")
    banner.wait_for(state="visible", timeout=15000)
    assert banner.locator(".title").inner_text() == "Database unavailable"
    assert "nothing was changed" in banner.locator(".message").inner_text()
    # The board stays as it was last read: the running seat is still shown running.
    assert page.locator('.seat[data-seat="G1"]').get_attribute("class").split().count("running") == 1
    assert page.locator(".seat").count() == 18
    page.screenshot(path=str(ARTIFACTS / "dashboard-database-unavailable.png"))

    monkeypatch.setattr(runtime, "session_factory", kept)
    banner.wait_for(state="hidden", timeout=15000)
    assert "running" in page.locator('.seat[data-seat="G1"]').get_attribute("class").split()
