"""The dashboard's phrases for waiting letters, in English and French."""

from __future__ import annotations

from flask import Flask, session

from compensator.domain.kinds import CompensationForm
from compensator.services.handover.letters import PendingLetter
from web.board_words import letter_label


def label_in(app: Flask, language: str, letter: PendingLetter) -> str:
    with app.test_request_context("/"):
        session["language"] = language
        return letter_label(letter)


def test_a_top_up_letter_is_listed_as_minutes_more_after_a_correction(app: Flask) -> None:
    topup = PendingLetter((7,), 3, "G3", 5, (CompensationForm.TIME,), topup=True)
    assert label_in(app, "en", topup) == "Seat G3 · 5 min more after a correction"
    assert label_in(app, "fr", topup) == "Poste G3 · 5 min de plus après une correction"


def test_a_first_letter_is_listed_with_its_minutes_and_form(app: Flask) -> None:
    first = PendingLetter((7,), 3, "G3", 20, (CompensationForm.TIME,))
    assert "5 min more" not in label_in(app, "en", first)
    assert label_in(app, "en", first).startswith("Seat G3 · 20 min")
