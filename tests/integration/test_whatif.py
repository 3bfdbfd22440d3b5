"""What a fix would save (issue 25, item 2): a period's credits replayed with the equipment or policy changed."""

from __future__ import annotations

from datetime import date

from compensator.services.whatif import parse_changes, what_if
from tests.support.known_day import DAY


def ask(uow, *texts: str, first: date = DAY, last: date = DAY, price: int | None = None):
    with uow() as unit:
        return what_if(unit, first, last, parse_changes(unit.settings, texts), price)


def test_the_known_day_replayed_unchanged_gives_what_was_really_credited(uow, known_day) -> None:
    answer = ask(uow)
    assert answer.outcome.before.as_dict() == {"credit_minutes": 115, "credit_value_minor": 100000,
                                               "compensations": 4}
    assert answer.outcome.after == answer.outcome.before
    assert answer.outcome.saving_minor == 0
