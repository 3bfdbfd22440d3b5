"""The equipment record: each UPS's status changes kept once each, from a poller's readings and the webhook.

Readings are fed as the poller hands them over (``record_reading`` with the status and the
battery's figures), with the fake clock; the rows are read back as ``GET /sources`` shows them.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text, update

from compensator.domain.equipment import UpsStatus
from compensator.domain.ups import Reading, reading_of_status
from compensator.services.sources import equipment, ups
from compensator.store.models import UpsStatusChange
from tests.conftest import make_settings

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
MONITORS = [
    {"name": "venue", "debounce_seconds": 15, "merge_seconds": 60, "poll": False},
    {"name": "gaming-ups", "zones": ["gaming"], "debounce_seconds": 15, "merge_seconds": 60, "poll_seconds": 0.5},
]


@pytest.fixture
def settings():
    return make_settings(ups=MONITORS)


def read(uow, clock, status: str, charge: int | None = None, runtime: int | None = None, load: int | None = None,
         name: str = "gaming-ups") -> None:
    with uow() as unit:
        ups.record_reading(unit, name, reading_of_status(status), at=clock.now(),
                           status=UpsStatus(status, charge, runtime, load))


def kept(uow, name: str = "gaming-ups") -> list[tuple[str, int | None, str]]:
    with uow() as unit:
        return [(change.status, change.battery_charge, change.source)
                for change in reversed(equipment.changes_of(unit, (name,)))]


def test_only_changes_of_status_and_material_moves_of_the_charge_are_kept(uow, clock) -> None:
    read(uow, clock, "OL", 100, 1800, 35)
    for charge in (100, 99, 100, 98):
        clock.advance(seconds=2)
        read(uow, clock, "OL", charge, 1800, 36)
    clock.advance(seconds=2)
    read(uow, clock, "OB DISCHRG", 97, 1500, 40)
    for charge in (95, 92, 88, 85, 80, 76, 70):
        clock.advance(seconds=2)
        read(uow, clock, "ob  dischrg", charge, 1200, 40)
    clock.advance(seconds=2)
    read(uow, clock, "OB DISCHRG LB", 20, 90, 40)
    clock.advance(seconds=2)
    read(uow, clock, "OL CHRG", 21, None, 30)
    assert kept(uow) == [("OL", 100, "nut"), ("OB DISCHRG", 97, "nut"), ("OB DISCHRG", 85, "nut"),
                         ("OB DISCHRG", 70, "nut"), ("OB DISCHRG LB", 20, "nut"), ("OL CHRG", 21, "nut")]
    with uow() as unit:
        last = equipment.changes_of(unit, ("gaming-ups",), limit=1)[0]
    assert (last.battery_runtime, last.ups_load, last.at) == (None, 30, clock.now())


def test_a_reading_without_an_answer_keeps_nothing_and_the_next_status_is_compared_with_the_last_kept(uow, clock):
    read(uow, clock, "OL", 100)
    with uow() as unit:
        ups.record_reading(unit, "gaming-ups", Reading.NO_ANSWER, at=clock.now())
    clock.advance(seconds=5)
    read(uow, clock, "OL", 100)
    assert kept(uow) == [("OL", 100, "nut")]


def test_the_webhook_keeps_what_each_event_says_and_no_more(uow, clock) -> None:
    for event in ("ONBATT", "ONBATT", "LOWBATT", "ONLINE", "REPLBATT"):
        with uow() as unit:
            ups.report_event(unit, "venue", event)
        clock.advance(seconds=30)
    assert kept(uow, "venue") == [("OB", None, "webhook"), ("LB", None, "webhook"), ("OL", None, "webhook"),
                                  ("RB", None, "webhook")]


def test_each_zone_shows_the_last_changes_of_the_upses_that_feed_it(uow, clock) -> None:
    read(uow, clock, "OL", 100)
    clock.advance(seconds=1)
    with uow() as unit:
        ups.report_event(unit, "venue", "ONBATT")
    with uow() as unit:
        shown = {zone.zone_id: zone for zone in equipment.last_bridges(unit).zones}
    assert shown["gaming"].ups == ("venue", "gaming-ups")
    assert [change.status for change in shown["gaming"].changes] == ["OB", "OL"]
    assert [change.ups for change in shown["standard"].changes] == ["venue"]


def test_the_status_changes_are_append_only(uow, clock, runtime) -> None:
    read(uow, clock, "OL", 100)
    with uow() as unit, pytest.raises(PermissionError):
        row = unit.db.scalar(select(UpsStatusChange))
        row.status = "OB"
        unit.db.flush()
    with runtime.engine.connect() as connection:
        for statement in (update(UpsStatusChange).values(status="OB"), text("DELETE FROM ups_status_changes")):
            with pytest.raises(Exception, match="append-only"):
                connection.execute(statement)
            connection.rollback()
        assert connection.scalar(select(func.count()).select_from(UpsStatusChange)) == 1
