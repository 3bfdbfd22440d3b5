"""Outage scopes: a canonical key that fits its column however many seats the scope names."""

from __future__ import annotations

import pytest

from compensator.domain.kinds import ScopeKind
from compensator.services.outages import use_cases as outages
from compensator.services.outages.scopes import LONGEST_PLAIN_KEY, scope_key
from tests.conftest import make_settings

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)

SEATS = [f"S{number}" for number in range(1, 401)]


@pytest.fixture
def settings():
    return make_settings(seats=[{"id": "S1-S400", "zone": "standard"}, {"id": "G1-G6", "zone": "gaming"}])


def test_an_outage_over_hundreds_of_seats_opens_once_and_is_found_again(uow, database_url) -> None:
    with uow() as unit:
        first = outages.start_outage(unit, seats=SEATS[:350], actor="test")
    with uow() as unit:
        again = outages.start_outage(unit, seats=list(reversed(SEATS[:350])), actor="test")
    assert first.created and not again.created and again.id == first.id
    key = scope_key(ScopeKind.SEATS, sorted(SEATS[:350]))
    assert len(key) < 100 and key.startswith("seats#sha256:")


def test_a_short_scope_keeps_its_readable_key(database_url) -> None:
    assert scope_key(ScopeKind.ZONES, ["gaming", "standard"]) == "zones:gaming,standard"
    assert scope_key(ScopeKind.VENUE, []) == "venue"
    assert len(scope_key(ScopeKind.SEATS, SEATS[:20])) <= LONGEST_PLAIN_KEY
