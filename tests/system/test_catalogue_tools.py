"""The pages' French catalogue against the tools: Babel's extraction, git's index and the package build."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.support.catalogue import french_catalogue

ROOT = Path(__file__).resolve().parents[2]


def extracted_ids(tmp_path: Path) -> set[str]:
    """The messages Babel extracts from the web layer, as ``pybabel extract -F babel.cfg`` does."""
    template = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-o", str(template), "."], cwd=ROOT, check=True, capture_output=True)
    with template.open("rb") as handle:
        return {message.id if isinstance(message.id, str) else message.id[0] for message in read_po(handle) if message.id}


def test_every_message_the_pages_use_is_in_the_french_catalogue_and_no_other(tmp_path: Path) -> None:
    in_catalogue = {message.id if isinstance(message.id, str) else message.id[0]
                    for message in french_catalogue() if message.id}
    used = extracted_ids(tmp_path)
    assert sorted(used - in_catalogue) == [], "run pybabel extract and translate the new messages"
    assert sorted(in_catalogue - used) == [], "these messages are no longer used: remove them from the catalogue"


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
