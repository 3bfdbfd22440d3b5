"""A compensation's figures as one value object: named once, read from and written to rows by name."""

from __future__ import annotations

from datetime import UTC, datetime

from compensator.domain.figures import CompensationFigures
from compensator.domain.kinds import CompensationForm

FIGURES = CompensationFigures(
    dark_start=datetime(2026, 11, 22, 13, 28, tzinfo=UTC),
    dark_end=datetime(2026, 11, 22, 13, 39, tzinfo=UTC),
    lost_minutes=11, restart_minutes=3, lost_work_minutes=10, goodwill_minutes=0, extras_minutes=13,
    credit_minutes=25, opened_stretch=True, form=CompensationForm.TIME, value_minor=12500)


def test_the_figures_round_trip_through_columns_of_the_same_names() -> None:
    assert CompensationFigures.from_values(tuple(FIGURES.columns().values())) == FIGURES
    assert tuple(FIGURES.columns()) == CompensationFigures.names()


def test_cleared_figures_keep_the_dark_span_and_form_and_zero_every_amount() -> None:
    cleared = FIGURES.cleared()
    assert (cleared.dark_start, cleared.dark_end, cleared.form) == (FIGURES.dark_start, FIGURES.dark_end,
                                                                    CompensationForm.TIME)
    assert [value for name, value in cleared.columns().items() if name not in ("dark_start", "dark_end", "form", "dark_basis")] == [
        0, 0, 0, 0, 0, 0, False, 0, 0]
    assert cleared.opened_stretch is False
