"""SPEC section 6: closing an outage issues a number of SQL statements that does not grow with the seats."""

from __future__ import annotations

from pathlib import Path

from bench.common import StatementCounter, open_venue
from compensator.services.outages import use_cases as outages
from tests.conftest import log_in_cookie


def statements_to_close(seat_count: int, directory: Path) -> tuple[int, int]:
    runtime, clock = open_venue(seat_count, directory, minutes=lambda index: 30 + (index % 4) * 20)
    try:
        clock.advance(minutes=20)
        with runtime.unit_of_work() as uow:
            outage = outages.start_outage(uow, actor="test")
        clock.advance(minutes=25)
        counter = StatementCounter(runtime.engine)
        with counter.counting(), runtime.unit_of_work() as uow:
            closed = outages.end_outage(uow, outage.id, actor="test")
        return counter.count, len(closed.compensations)
    finally:
        runtime.close()


def test_closing_an_outage_takes_as_many_statements_for_forty_sessions_as_for_four(tmp_path: Path) -> None:
    (tmp_path / "small").mkdir()
    (tmp_path / "large").mkdir()
    small, small_compensated = statements_to_close(4, tmp_path / "small")
    large, large_compensated = statements_to_close(40, tmp_path / "large")
    assert (small_compensated, large_compensated) == (4, 40)
    assert large == small


def statements_to_render_dashboard(seat_count: int, directory: Path) -> int:
    from web import create_app

    runtime, _ = open_venue(seat_count, directory, minutes=lambda index: 30 + index if index % 2 == 0 else None)
    try:
        with runtime.unit_of_work() as uow:
            outages.start_outage(uow, zones=["gaming"], actor="test")
        client = create_app(runtime, {"TESTING": True, "SECRET_KEY": "test"}).test_client()
        log_in_cookie(client, "ada")
        counter = StatementCounter(runtime.engine)
        with counter.counting():
            response = client.get("/")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count('class="seat ') == seat_count
        return counter.count
    finally:
        runtime.close()


def test_the_dashboard_for_two_hundred_seats_takes_as_many_statements_as_for_twenty(tmp_path: Path) -> None:
    (tmp_path / "small").mkdir()
    (tmp_path / "large").mkdir()
    assert statements_to_render_dashboard(200, tmp_path / "large") == statements_to_render_dashboard(20, tmp_path / "small")
