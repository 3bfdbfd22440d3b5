"""A compensation's figures: one value object for the numbers the policy works out.

The policy returns them; a compensation row stores them in columns of the same names, so the
store, the views and the report can build from and fill those columns through ``names``,
``columns`` and ``from_values`` instead of each listing the figures again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import datetime
from operator import attrgetter
from typing import Any

from compensator.domain.kinds import CompensationForm, DarkBasis
from compensator.domain.records import record


@record
class CompensationFigures:
    """What one outage gives one seat session: its dark span, each part of the credit, the form and the value."""

    dark_start: datetime
    dark_end: datetime
    lost_minutes: int
    restart_minutes: int
    lost_work_minutes: int
    goodwill_minutes: int
    extras_minutes: int
    credit_minutes: int
    opened_stretch: bool
    form: CompensationForm
    value_minor: int
    # Of a leaver's lost minutes, those they had received as compensation before and not used:
    # carried into the voucher, not new credit (SPEC section 3, rule 2 amended).
    carried_minutes: int = 0
    # What the dark start rests on: the zone's rating, or what was measured (SPEC section 3, rule 1 amended).
    dark_basis: DarkBasis = DarkBasis.UPS_RATING

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The figures' names, which are also the names of a compensation row's columns."""
        return _NAMES

    @classmethod
    def from_values(cls, values: Sequence[Any]) -> CompensationFigures:
        """The figures from values in the order of ``names()`` (such as the columns of a row read so)."""
        if len(values) != len(_NAMES):
            raise ValueError(f"{len(_NAMES)} figures expected, {len(values)} given")
        figures = cls(*values)
        # A basis read from a column is its text.
        return figures if isinstance(figures.dark_basis, DarkBasis) else replace(
            figures, dark_basis=DarkBasis(figures.dark_basis))

    def values(self) -> tuple[object, ...]:
        """The figures in the order of ``names()``, to fill the columns of those names."""
        return _VALUES(self)

    def columns(self) -> dict[str, object]:
        """The figures by name, to fill the columns of the same names."""
        return dict(zip(_NAMES, self.values(), strict=True))

    def same_amounts(self, other: CompensationFigures) -> bool:
        """Whether ``other`` gives the same amounts: a dark span that moved without changing any
        of them is no news for the customer."""
        return _AMOUNTS(self) == _AMOUNTS(other)

    def cleared(self) -> CompensationFigures:
        """The same dark span and form with every amount at zero: a compensation of which nothing is due any more."""
        return replace(self, lost_minutes=0, restart_minutes=0, lost_work_minutes=0, goodwill_minutes=0,
                       extras_minutes=0, credit_minutes=0, opened_stretch=False, value_minor=0, carried_minutes=0)


# Worked out once: the order of the dataclass's fields, which is also that of its constructor.
_NAMES = tuple(item.name for item in fields(CompensationFigures))
_VALUES = attrgetter(*_NAMES)
_AMOUNTS = attrgetter("lost_minutes", "restart_minutes", "lost_work_minutes", "goodwill_minutes", "extras_minutes",
                      "credit_minutes", "value_minor", "carried_minutes")
