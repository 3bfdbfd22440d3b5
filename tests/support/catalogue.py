"""The pages' French catalogue, read from its source as Babel reads it."""

from __future__ import annotations

from babel.messages.pofile import read_po

from web import catalogues

SOURCE = catalogues.DIRECTORY / "fr" / "LC_MESSAGES" / "messages.po"


def french_catalogue():
    """The French catalogue, as Babel reads it from its source."""
    with SOURCE.open("rb") as handle:
        return read_po(handle, locale="fr")
