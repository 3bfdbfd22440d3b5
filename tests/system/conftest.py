"""The system tests' fixtures: a device token in a file, as the seat agent and upsmon's script read it;
the faults' PostgreSQL of its own, small disk and prepared venue (``tests.support.faults``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.crash_server import Venue, prepare_venue
from tests.support.faults import OwnPostgres, add_attendant
from tests.support.faults import small_disk as mounted_small_disk


@pytest.fixture
def token_file(token: str, tmp_path: Path) -> Path:
    """The device token in a file of its own, on a line of its own."""
    path = tmp_path / "compensator.token"
    path.write_text(token + "\n", encoding="utf-8")
    return path


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    """A PostgreSQL server of the test's own, to stop and start (never the shared one on 5432)."""
    server = OwnPostgres()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A tmpfs of 16 MB, mounted for the test (skipped where mount is not permitted)."""
    with mounted_small_disk(16) as folder:
        yield folder


def fault_venue_in(directory: Path, database_url: str | None = None, **sections: Any) -> Venue:
    """The test venue in ``directory``, with ``sections`` added to its configuration and a manager, ada."""
    venue = prepare_venue(directory, database_url=database_url)
    config = yaml.safe_load(venue.config_path.read_text(encoding="utf-8"))
    config.update(sections)
    venue.config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    add_attendant(venue)
    return venue


@pytest.fixture
def fault_venue(tmp_path: Path) -> Venue:
    """The test venue on a SQLite file, prepared with the real CLI."""
    return fault_venue_in(tmp_path / "venue")
