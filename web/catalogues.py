"""The pages' message catalogues: the French ``.po`` source compiled into the ``.mo`` Babel reads.

The ``.mo`` files are built, never committed: ``setup.py`` compiles them whenever the package is
built or installed (a wheel or ``pip install -e .``), and the test suite recompiles any that is
older than its source. This module imports Babel alone, not Flask, so that the build can load it
by its path before anything else is installed. ``python -m web.catalogues`` compiles by hand.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DIRECTORY = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"


def sources(directory: Path = DIRECTORY) -> list[Path]:
    """Every language's ``.po`` file under ``directory``."""
    return sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def compile_catalogue(source: Path) -> Path:
    """Compile one ``.po`` file into the ``.mo`` beside it; an entry still marked fuzzy is left out."""
    with source.open("rb") as po_file:
        catalogue = read_po(po_file, locale=source.parent.parent.name)
    target = source.with_suffix(".mo")
    with target.open("wb") as mo_file:
        write_mo(mo_file, catalogue, use_fuzzy=False)
    return target


def compile_stale(directory: Path = DIRECTORY) -> list[Path]:
    """Compile every catalogue whose ``.mo`` is missing or older than its ``.po``; the files written."""
    stale = [source for source in sources(directory)
             if not source.with_suffix(".mo").exists()
             or source.with_suffix(".mo").stat().st_mtime < source.stat().st_mtime]
    return [compile_catalogue(source) for source in stale]


if __name__ == "__main__":
    for written in [compile_catalogue(source) for source in sources()]:
        print(f"compiled {written}")
