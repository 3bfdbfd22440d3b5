"""The integration tests' fixtures: an engine on a bare database for the migration tests, a config file for the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine

from compensator.store.database import make_engine
from tests.conftest import VENUE


@pytest.fixture
def bare_engine(database_url: str) -> Iterator[Engine]:
    """An engine on an empty database, migrated by the test itself."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    """A config file of the test venue whose database is ``cli.db`` beside it."""
    data = dict(VENUE, database={"url": f"sqlite:///{(tmp_path / 'cli.db').as_posix()}"})
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path
