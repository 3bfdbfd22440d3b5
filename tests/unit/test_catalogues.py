"""The pages' French catalogue: complete, well-formed, and compiled into one Babel reads."""

from __future__ import annotations

import shutil
from pathlib import Path

from babel.support import Translations

from tests.support.catalogue import SOURCE, french_catalogue
from web import catalogues, labels


def test_every_french_message_has_a_translation_in_every_plural_form() -> None:
    catalogue = french_catalogue()
    untranslated = [message.id for message in catalogue if message.id and (
        message.fuzzy or not all(message.string if isinstance(message.string, tuple) else [message.string]))]
    assert untranslated == []
    assert len(catalogue) > 150


def test_every_translation_keeps_the_placeholders_of_its_message() -> None:
    problems = [(message.id, [str(error) for error in errors]) for message, errors in french_catalogue().check()]
    assert problems == []


def test_the_catalogue_compiles_into_one_babel_reads(tmp_path: Path) -> None:
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(SOURCE, folder / "messages.po")
    (compiled,) = catalogues.compile_stale(tmp_path)
    assert compiled == folder / "messages.mo"
    assert catalogues.compile_stale(tmp_path) == []
    french = Translations.load(str(tmp_path), ["fr"], domain=catalogues.DOMAIN)
    assert french.gettext("Power cut") == "Coupure de courant"
    assert french.gettext("Power back") == "Retour du courant"
    assert french.ngettext("%(num)d receipt printed.", "%(num)d receipts printed.", 2) == "%(num)d reçus imprimés."


def test_every_value_of_the_named_vocabularies_has_its_words() -> None:
    for vocabulary, words in labels.VOCABULARIES.items():
        assert set(words) == set(vocabulary), vocabulary
