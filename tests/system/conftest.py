"""The system tests' fixtures: a device token in a file, as the seat agent and upsmon's script read it."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def token_file(token: str, tmp_path: Path) -> Path:
    """The device token in a file of its own, on a line of its own."""
    path = tmp_path / "compensator.token"
    path.write_text(token + "\n", encoding="utf-8")
    return path
