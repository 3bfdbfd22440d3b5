"""Managing people: disabling, new PINs, revoking tokens, the login throttle, from the services and the CLI."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from compensator.cli import main
from compensator.errors import AuthenticationFailed, Conflict, InvalidInput, InvalidState, NotFound
from compensator.services.people import accounts as people
from compensator.services.people import throttle
from compensator.store.models import Attendant, AuditRecord

ACTOR = "manager:bola"


@pytest.fixture
def ada(uow):
    with uow() as unit:
        return people.add_attendant(unit, name="Ada", role="attendant", pin="1234", actor=ACTOR)


@pytest.mark.parametrize("spelling", ["ada", "ADA", "aDa", " Ada "])
def test_a_name_someone_has_in_any_case_is_refused_plainly(uow, ada, spelling) -> None:
    with pytest.raises(Conflict) as refused, uow() as unit:
        people.add_attendant(unit, name=spelling, role="manager", pin="5678", actor=ACTOR)
    assert refused.value.field == "name"
    assert "an attendant named 'Ada' already exists" in refused.value.message
    if spelling.strip() != "Ada":
        assert "names are the same whatever their case" in refused.value.message
    with uow() as unit:
        assert [person.name for person in people.list_attendants(unit)] == ["Ada"]


def test_the_database_itself_refuses_a_name_in_another_case(uow, ada) -> None:
    with pytest.raises(IntegrityError), uow() as unit:
        unit.db.execute(insert(Attendant).values(name="ADA", role="attendant", pin_hash="x",
                                                 created_at=datetime(2026, 11, 22, tzinfo=UTC), session_version=1))
        unit.db.flush()


def test_a_login_cookie_stands_until_the_persons_version_moves_on(uow, ada) -> None:
    with uow() as unit:
        assert people.logged_in(unit, ada.id, ada.session_version) is not None
        people.end_sessions(unit, ada.id)
    with uow() as unit:
        assert people.logged_in(unit, ada.id, ada.session_version) is None
        assert people.logged_in(unit, ada.id, ada.session_version + 1) is not None


@pytest.mark.parametrize(("attendant_id", "version"), [("1", 1), (1, "1"), (True, 1), (2**63, 1), (-1, 1), (None, None)])
def test_a_malformed_cookie_names_nobody(uow, ada, attendant_id, version) -> None:
    with uow() as unit:
        assert people.logged_in(unit, attendant_id, version) is None


def test_disabling_refuses_the_login_and_ends_open_ones_and_enabling_lets_them_back(uow, ada) -> None:
    with uow() as unit:
        disabled = people.disable_attendant(unit, name="Ada", actor=ACTOR)
    assert disabled.disabled and disabled.session_version == ada.session_version + 1
    with uow() as unit:
        assert people.logged_in(unit, ada.id, disabled.session_version) is None
        with pytest.raises(AuthenticationFailed):
            people.authenticate(unit, name="Ada", pin="1234")
        with pytest.raises(InvalidState, match="already disabled"):
            people.disable_attendant(unit, name="Ada", actor=ACTOR)
    with uow() as unit:
        people.enable_attendant(unit, name="Ada", actor=ACTOR)
    with uow() as unit:
        assert people.authenticate(unit, name="Ada", pin="1234").name == "Ada"
        actions = list(unit.db.scalars(select(AuditRecord.action).where(AuditRecord.target_type == "attendant")))
    assert actions == ["attendant.add", "attendant.disable", "attendant.enable"]


def test_a_new_pin_replaces_the_old_one_ends_open_logins_and_never_reaches_the_log(uow, ada) -> None:
    with uow() as unit:
        changed = people.change_pin(unit, name="Ada", pin="987654", actor=ACTOR)
    with uow() as unit:
        with pytest.raises(AuthenticationFailed):
            people.authenticate(unit, name="Ada", pin="1234")
        assert people.authenticate(unit, name="Ada", pin="987654").session_version == changed.session_version
        assert people.logged_in(unit, ada.id, ada.session_version) is None
        record = unit.db.scalar(select(AuditRecord).where(AuditRecord.action == "attendant.pin"))
    assert "987654" not in str(record.before) + str(record.after)
    with uow() as unit, pytest.raises(InvalidInput, match="4 to 12 digits"):
        people.change_pin(unit, name="Ada", pin="12", actor=ACTOR)
    with uow() as unit, pytest.raises(NotFound, match="no attendant named 'Bob'"):
        people.change_pin(unit, name="Bob", pin="123456", actor=ACTOR)


def test_a_revoked_token_is_refused_at_once(uow) -> None:
    with uow() as unit:
        secret = people.create_token(unit, name="ups", actor=ACTOR).secret
    with uow() as unit:
        people.revoke_token(unit, name="ups", actor=ACTOR)
    with uow() as unit:
        with pytest.raises(AuthenticationFailed, match="revoked"):
            people.verify_token(unit, secret)
        with pytest.raises(InvalidState, match="already revoked"):
            people.revoke_token(unit, name="ups", actor=ACTOR)
        assert [token.revoked for token in people.list_tokens(unit)] == [True]


def test_a_storm_from_one_address_never_locks_the_name_out_elsewhere(uow, clock) -> None:
    for _ in range(12):
        with uow() as unit:
            if throttle.lockout(unit, name="bola", address="127.0.0.2") is None:
                throttle.record_failure(unit, name="bola", address="127.0.0.2")
    with uow() as unit:
        locked = throttle.lockout(unit, name="Bola", address="127.0.0.2")
        assert locked is not None and locked.wait_minutes(clock.now()) == 5
        assert throttle.lockout(unit, name="bola", address="127.0.0.1") is None
    clock.advance(minutes=5, seconds=1)
    with uow() as unit:
        assert throttle.lockout(unit, name="bola", address="127.0.0.2") is None


def test_one_address_trying_many_names_is_stopped_and_told_how_long_to_wait(uow, clock) -> None:
    for attempt in range(throttle.MAX_FAILURES_PER_ADDRESS):
        with uow() as unit:
            throttle.record_failure(unit, name=f"guess{attempt}", address="10.0.0.9")
        clock.advance(seconds=6)
    with uow() as unit:
        locked = throttle.lockout(unit, name="someone-new", address="10.0.0.9")
    assert locked is not None and locked.wait_minutes(clock.now()) == 3
    clock.advance(minutes=3)
    with uow() as unit:
        assert throttle.lockout(unit, name="someone-new", address="10.0.0.9") is None


def test_a_success_forgets_that_names_failures_from_that_address_only(uow) -> None:
    for address in ("a", "b"):
        for _ in range(4):
            with uow() as unit:
                throttle.record_failure(unit, name="ada", address=address)
    with uow() as unit:
        throttle.record_success(unit, name="ada", address="a")
        throttle.record_failure(unit, name="ada", address="b")
    with uow() as unit:
        assert throttle.lockout(unit, name="ada", address="a") is None
        assert throttle.lockout(unit, name="ada", address="b") is not None


def test_the_throttle_survives_a_restart_because_it_lives_in_the_database(runtime, settings, clock, database_url) -> None:
    from compensator.runtime import Compensator

    for _ in range(5):
        with runtime.unit_of_work() as unit:
            throttle.record_failure(unit, name="bola", address="127.0.0.2")
    again = Compensator.open(settings, clock=clock, database_url=database_url)
    try:
        with again.unit_of_work() as unit:
            assert throttle.lockout(unit, name="bola", address="127.0.0.2") is not None
    finally:
        again.close()


def test_people_commands_list_disable_enable_pin_and_revoke(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("COMPENSATOR_DATABASE_URL", f"sqlite:///{(tmp_path / 'venue.db').as_posix()}")
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "config.yaml"
    config.write_text("venue: {name: V, timezone: Africa/Lagos, currency: NGN}\n"
                      "zones: [{id: z, name: Z, price_minor_per_hour: 100}]\nseats: [{id: A1, zone: z}]\n")
    common = ["--config", str(config)]
    monkeypatch.setattr("sys.stdin", io.StringIO("1234\n"))
    assert main(["attendant", "add", "Ada", *common]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("1234\n"))
    capsys.readouterr()
    assert main(["attendant", "add", "ada", *common]) == 2
    assert "an attendant named 'Ada' already exists: names are the same whatever their case" in \
        capsys.readouterr().err
    assert main(["token", "create", "ups", *common]) == 0
    capsys.readouterr()
    assert main(["attendant", "disable", "Ada", *common]) == 0
    assert main(["attendant", "list", *common]) == 0
    assert "Ada\tattendant\tdisabled" in capsys.readouterr().out
    assert main(["attendant", "disable", "Ada", *common]) == 2
    assert "already disabled" in capsys.readouterr().err
    assert main(["attendant", "enable", "Ada", *common]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("55555\n"))
    assert main(["attendant", "pin", "Ada", *common]) == 0
    assert main(["token", "revoke", "ups", *common]) == 0
    assert main(["token", "list", *common]) == 0
    assert "ups\t" in capsys.readouterr().out
    assert main(["token", "revoke", "nobody", *common]) == 2
