"""The web layer's first pages, through the Flask test client on a real database."""

from __future__ import annotations

import pytest

from compensator.services import sessions
from web import create_app


@pytest.fixture
def client(runtime):
    return create_app(runtime, {"TESTING": True}).test_client()


def test_health_answers_ok(client) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_the_seat_page_lists_every_seat_with_its_remaining_time(client, uow) -> None:
    with uow() as unit:
        sessions.start_session(unit, seat_id="A2", minutes=45, actor="test")
    page = client.get("/").get_data(as_text=True)
    assert page.count('class="seat ') == 18
    assert 'data-seat="A2"' in page
    assert "45 min" in page
