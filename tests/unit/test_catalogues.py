"""The pages' French catalogue: complete, well-formed, in step with the code, and compiled at install."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations

from web import catalogues, labels

ROOT = Path(__file__).resolve().parents[2]
SOURCE = catalogues.DIRECTORY / "fr" / "LC_MESSAGES" / "messages.po"


def french_catalogue():
    with SOURCE.open("rb") as handle:
        return read_po(handle, locale="fr")


def extracted_ids(tmp_path: Path) -> set[str]:
    """The messages Babel extracts from the web layer, as ``pybabel extract -F babel.cfg`` does."""
    template = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-o", str(template), "."], cwd=ROOT, check=True, capture_output=True)
    with template.open("rb") as handle:
        return {message.id if isinstance(message.id, str) else message.id[0] for message in read_po(handle) if message.id}


def test_every_french_message_has_a_translation_in_every_plural_form() -> None:
    catalogue = french_catalogue()
    untranslated = [message.id for message in catalogue if message.id and (
        message.fuzzy or not all(message.string if isinstance(message.string, tuple) else [message.string]))]
    assert untranslated == []
    assert len(catalogue) > 150


def test_every_translation_keeps_the_placeholders_of_its_message() -> None:
    problems = [(message.id, [str(error) for error in errors]) for message, errors in french_catalogue().check()]
    assert problems == []


def test_every_message_the_pages_use_is_in_the_french_catalogue_and_no_other(tmp_path: Path) -> None:
    in_catalogue = {message.id if isinstance(message.id, str) else message.id[0]
                    for message in french_catalogue() if message.id}
    used = extracted_ids(tmp_path)
    assert sorted(used - in_catalogue) == [], "run pybabel extract and translate the new messages"
    assert sorted(in_catalogue - used) == [], "these messages are no longer used: remove them from the catalogue"


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


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to list what is committed")
def test_no_compiled_catalogue_is_committed() -> None:
    listed = subprocess.run(["git", "ls-files", "web/translations"], cwd=ROOT, capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    assert not [name for name in listed.stdout.split() if name.endswith(".mo")]


def test_a_built_wheel_carries_the_compiled_catalogue(tmp_path: Path) -> None:
    pytest.importorskip("setuptools", minversion="77")
    # The build step alone, run in this interpreter: no download, no isolated environment.
    subprocess.run([sys.executable, "setup.py", "--quiet", "build_py", "--build-lib", str(tmp_path / "lib")],
                   cwd=ROOT, check=True, capture_output=True)
    built = tmp_path / "lib" / "web" / "translations" / "fr" / "LC_MESSAGES"
    assert (built / "messages.mo").exists() and (built / "messages.po").exists()
