"""A database that cannot be reached, through the app: 503 with Retry-After, no traceback, one log line each way.

The runtime's units of work are pointed at a PostgreSQL address where nothing listens, as when the
server was stopped; the system tests stop a real one (``tests/system/test_fault_database.py``).
"""

from __future__ import annotations

import logging

from compensator.store.database import make_engine, make_session_factory
from compensator.store.health import DatabaseProblem

NOWHERE = "postgresql+psycopg://postgres@127.0.0.1:1/compensator"


def test_a_database_that_cannot_be_reached_is_answered_503_and_logged_once_each_way(runtime, api, dashboard,
                                                                                    monkeypatch, caplog) -> None:
    caplog.set_level(logging.INFO)
    kept = runtime.session_factory
    monkeypatch.setattr(runtime, "session_factory", make_session_factory(make_engine(NOWHERE)))
    for _ in range(3):
        lost = api.get("/seats")
        assert lost.status_code == 503
        assert lost.get_json()["error"]["code"] == "database_unavailable"
        assert int(lost.headers["Retry-After"]) > 0
    board = dashboard.get("/board.json", headers={"Accept": "application/json"})
    assert (board.status_code, board.get_json()["error"]["code"]) == (503, "database_unavailable")
    page = dashboard.get("/")
    assert page.status_code == 503 and "Database unavailable" in page.get_data(as_text=True)
    assert runtime.health.problem is DatabaseProblem.UNAVAILABLE

    monkeypatch.setattr(runtime, "session_factory", kept)
    assert api.get("/seats").status_code == 200
    assert runtime.health.problem is None
    messages = [record.getMessage() for record in caplog.records]
    assert sum(message.startswith("database unavailable") for message in messages) == 1, messages
    assert sum(message.startswith("database back after") for message in messages) == 1, messages
    assert not any(record.exc_info for record in caplog.records)


def test_the_api_document_names_the_answers_of_a_lost_database_and_a_full_disk(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    seats = document["paths"]["/seats"]["get"]["responses"]
    assert seats["503"]["description"].startswith("database_unavailable")
    assert "Retry-After" in seats["503"]["headers"]
    start = document["paths"]["/sessions"]["post"]["responses"]
    assert start["507"]["description"].startswith("disk_full")
    assert "503" not in document["paths"]["/health"]["get"]["responses"]
