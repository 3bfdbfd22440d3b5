"""Each attendant's language of the pages: the service, the config default, the CLI and migration 0008."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

from compensator.cli import main
from compensator.config import ConfigError, load_settings
from compensator.domain.kinds import DashboardLanguage
from compensator.errors import InvalidInput, NotFound
from compensator.runtime import Compensator
from compensator.services import audit
from compensator.services.people import accounts as people
from compensator.store import migrate
from tests.conftest import make_settings


def test_an_attendant_added_without_a_language_has_chosen_none(uow) -> None:
    with uow() as unit:
        person = people.add_attendant(unit, name="ada", role="attendant", pin="1234", actor="test")
    assert person.language is None
    with uow() as unit:
        assert people.chosen_language(unit, "ada") is None


def test_a_chosen_language_is_kept_and_audited(uow) -> None:
    with uow() as unit:
        people.add_attendant(unit, name="awa", role="attendant", pin="1234", actor="test", language="fr")
    with uow() as unit:
        assert people.authenticate(unit, name="awa", pin="1234").language is DashboardLanguage.FR
        people.set_language(unit, name="awa", language="en", actor="attendant:awa")
    with uow() as unit:
        assert people.chosen_language(unit, "awa") is DashboardLanguage.EN
        (record, *_) = audit.recent(unit)
        assert (record.action, record.before, record.after) == ("attendant.language", {"language": "fr"},
                                                                {"language": "en"})


def test_a_language_the_pages_are_not_written_in_is_refused(uow) -> None:
    with uow() as unit:
        people.add_attendant(unit, name="ada", role="attendant", pin="1234", actor="test")
    with uow() as unit, pytest.raises(InvalidInput, match="language must be en or fr"):
        people.set_language(unit, name="ada", language="pcm", actor="test")
    with uow() as unit, pytest.raises(InvalidInput, match="language must be en or fr"):
        people.add_attendant(unit, name="bola", role="manager", pin="4321", actor="test", language="de")
    with uow() as unit, pytest.raises(NotFound):
        people.set_language(unit, name="nobody", language="fr", actor="test")


def test_the_config_sets_the_pages_default_language_and_refuses_another() -> None:
    assert make_settings().dashboard.language is DashboardLanguage.EN
    assert make_settings(dashboard={"language": "fr"}).dashboard.language is DashboardLanguage.FR
    with pytest.raises(ConfigError, match='dashboard.language: must be "en" or "fr"'):
        make_settings(dashboard={"language": "pcm"})


def test_attendant_add_takes_the_language_of_their_pages(config_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("482913\n"))
    assert main(["attendant", "add", "Awa", "--language", "fr", "--config", str(config_path)]) == 0
    runtime = Compensator.open(load_settings(config_path))
    try:
        with runtime.unit_of_work() as uow:
            assert people.chosen_language(uow, "Awa") is DashboardLanguage.FR
    finally:
        runtime.close()


def attendant_columns(engine: Engine) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("attendants")}


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_migration_0008_gives_existing_attendants_no_language_and_downgrades_cleanly(bare_engine) -> None:
    migrate.upgrade(bare_engine, "0007")
    with bare_engine.begin() as connection:
        connection.execute(text("INSERT INTO attendants (id, name, role, pin_hash, created_at) "
                                "VALUES (1, 'ada', 'attendant', 'x', '2026-11-20 10:00:00')"))
    migrate.upgrade(bare_engine)
    with bare_engine.connect() as connection:
        assert connection.execute(text("SELECT language FROM attendants")).scalar_one() is None
    config = migrate.alembic_config()
    with bare_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
    assert "language" not in attendant_columns(bare_engine)
    migrate.upgrade(bare_engine)
    assert "language" in attendant_columns(bare_engine)
