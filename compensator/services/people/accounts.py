"""Attendants who log in at the counter and API tokens for devices."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from compensator.domain.kinds import DashboardLanguage, Role
from compensator.errors import AuthenticationFailed, Conflict, InvalidInput, InvalidState, NotFound
from compensator.security import hash_pin, hash_token, new_token, verify_pin
from compensator.services import audit, parsing
from compensator.store.database import UnitOfWork
from compensator.store.models import ApiToken, Attendant

NAME_PATTERN = re.compile(r"^[\w .'-]{1,64}$")
PIN_PATTERN = re.compile(r"^\d{4,12}$")
# Checked against when a name is unknown, so that a wrong name costs as long as a wrong PIN
# and response times do not reveal which names exist.
_DUMMY_PIN_HASH = hash_pin("0000")


@dataclass(frozen=True, slots=True)
class AttendantView:
    """An attendant without the PIN hash."""

    id: int
    name: str
    role: Role
    created_at: datetime
    disabled: bool
    # The version a login cookie must carry; it moves on at logout, disabling and a new PIN.
    session_version: int = 1
    language: DashboardLanguage | None = None


@dataclass(frozen=True, slots=True)
class TokenView:
    """An API token's record; the secret itself is only ever in ``secret`` right after creation."""

    id: int
    name: str
    created_at: datetime
    revoked: bool
    secret: str | None = None


def _clean_name(name: object, field: str = "name") -> str:
    if not isinstance(name, str) or not NAME_PATTERN.match(name.strip()):
        raise InvalidInput("a name is 1 to 64 letters, digits, spaces, dots, dashes or apostrophes", field=field)
    return name.strip()


def _attendant_view(row: Attendant) -> AttendantView:
    return AttendantView(row.id, row.name, row.role, row.created_at, row.disabled_at is not None,
                         row.session_version, row.language)


def _clean_pin(pin: object) -> str:
    if not isinstance(pin, str) or not PIN_PATTERN.match(pin):
        raise InvalidInput("a PIN is 4 to 12 digits", field="pin")
    return pin


def _attendant_named(uow: UnitOfWork, name: object) -> Attendant:
    clean = _clean_name(name)
    row = uow.db.scalar(select(Attendant).where(Attendant.name == clean).with_for_update())
    if row is None:
        raise NotFound(f"no attendant named {clean!r}", field="name")
    return row


def _language(language: object) -> DashboardLanguage:
    return parsing.choice(DashboardLanguage, language, field="language",
                          message="language must be " + " or ".join(DashboardLanguage))


def _refuse_taken_name(uow: UnitOfWork, clean: str) -> None:
    """Refuse a name someone already has, whatever the case of either ("Ada" and "ada" are one name)."""
    wanted = clean.casefold()
    taken = next((name for name in uow.db.scalars(select(Attendant.name)) if name.casefold() == wanted), None)
    if taken == clean:
        raise Conflict(f"an attendant named {clean!r} already exists", field="name")
    if taken is not None:
        raise Conflict(f"an attendant named {taken!r} already exists: names are the same whatever their case",
                       field="name")


def add_attendant(uow: UnitOfWork, *, name: object, role: object, pin: object, actor: str,
                  language: object = None) -> AttendantView:
    """Create an attendant or manager with a hashed PIN of 4 to 12 digits (and, if given, their language)."""
    clean = _clean_name(name)
    chosen_role = parsing.choice(Role, role, field="role", message="role must be attendant or manager")
    pin = _clean_pin(pin)
    chosen_language = None if language is None else _language(language)
    _refuse_taken_name(uow, clean)
    row = Attendant(name=clean, role=chosen_role, pin_hash=hash_pin(pin), created_at=uow.now(), session_version=1,
                    language=chosen_language)
    try:
        with uow.db.begin_nested():
            uow.db.add(row)
            uow.db.flush()
    except IntegrityError:
        # Someone added the same name (in some case) at the same moment: the index refused the second.
        raise Conflict(f"an attendant named {clean!r} already exists", field="name") from None
    after = {"name": clean, "role": chosen_role.value}
    if chosen_language is not None:
        after["language"] = chosen_language.value
    audit.record(uow, actor=actor, action="attendant.add", target_type="attendant", target_id=row.id, after=after)
    uow.commit()
    return _attendant_view(row)


def set_language(uow: UnitOfWork, *, name: str, language: object, actor: str) -> AttendantView:
    """Keep the language of the pages an attendant chose."""
    chosen = _language(language)
    row = uow.db.scalar(select(Attendant).where(Attendant.name == name, Attendant.disabled_at.is_(None)))
    if row is None:
        raise NotFound(f"no attendant named {name!r}")
    before = row.language.value if row.language else None
    row.language = chosen
    audit.record(uow, actor=actor, action="attendant.language", target_type="attendant", target_id=row.id,
                 before={"language": before}, after={"language": chosen.value})
    uow.commit()
    return _attendant_view(row)


def authenticate(uow: UnitOfWork, *, name: object, pin: object) -> AttendantView:
    """Return the active attendant whose name and PIN match, or raise ``AuthenticationFailed``."""
    row = None
    if isinstance(name, str):
        row = uow.db.scalar(select(Attendant).where(Attendant.name == name.strip()))
    pin_text = pin if isinstance(pin, str) else ""
    matches = verify_pin(pin_text, row.pin_hash if row else _DUMMY_PIN_HASH)
    if row is None or not matches or row.disabled_at is not None:
        raise AuthenticationFailed("unknown name or wrong PIN")
    return _attendant_view(row)


def chosen_language(uow: UnitOfWork, name: str) -> DashboardLanguage | None:
    """The language of the pages the attendant named chose, if any."""
    return uow.db.scalar(select(Attendant.language).where(Attendant.name == name))


def logged_in(uow: UnitOfWork, attendant_id: object, session_version: object) -> AttendantView | None:
    """The attendant a login cookie names, if that cookie still stands: same version, not disabled."""
    if not isinstance(attendant_id, int) or not isinstance(session_version, int) or isinstance(attendant_id, bool):
        return None
    row = uow.db.get(Attendant, attendant_id) if 0 < attendant_id < 2**31 else None
    if row is None or row.disabled_at is not None or row.session_version != session_version:
        return None
    return _attendant_view(row)


def end_sessions(uow: UnitOfWork, attendant_id: int) -> None:
    """End every open login of an attendant (logging out ends them on every counter), and commit."""
    row = uow.db.get(Attendant, attendant_id, with_for_update=True)
    if row is not None:
        row.session_version += 1
        uow.commit()


def disable_attendant(uow: UnitOfWork, *, name: object, actor: str) -> AttendantView:
    """Disable an attendant: they cannot log in, and every open login of theirs ends now."""
    row = _attendant_named(uow, name)
    if row.disabled_at is not None:
        raise InvalidState(f"{row.name} is already disabled", field="name")
    if row.role is Role.MANAGER and not uow.db.scalar(select(Attendant.id).where(
            Attendant.role == Role.MANAGER, Attendant.disabled_at.is_(None), Attendant.id != row.id).limit(1)):
        # Nobody could then manage people, tokens or corrections except with SQL.
        raise InvalidState(f"{row.name} is the last manager who can log in: add another manager first",
                           field="name")
    row.disabled_at = uow.now()
    row.session_version += 1
    audit.record(uow, actor=actor, action="attendant.disable", target_type="attendant", target_id=row.id,
                 before={"disabled": False}, after={"disabled": True})
    uow.commit()
    return _attendant_view(row)


def enable_attendant(uow: UnitOfWork, *, name: object, actor: str) -> AttendantView:
    """Let a disabled attendant log in again."""
    row = _attendant_named(uow, name)
    if row.disabled_at is None:
        raise InvalidState(f"{row.name} is not disabled", field="name")
    row.disabled_at = None
    audit.record(uow, actor=actor, action="attendant.enable", target_type="attendant", target_id=row.id,
                 before={"disabled": True}, after={"disabled": False})
    uow.commit()
    return _attendant_view(row)


def change_pin(uow: UnitOfWork, *, name: object, pin: object, actor: str) -> AttendantView:
    """Give an attendant a new PIN; every open login of theirs ends, so the old PIN's sessions stop too."""
    row = _attendant_named(uow, name)
    row.pin_hash = hash_pin(_clean_pin(pin))
    row.session_version += 1
    # The PIN is never written to the log, not even hashed: only that it changed.
    audit.record(uow, actor=actor, action="attendant.pin", target_type="attendant", target_id=row.id,
                 before={"pin": "old"}, after={"pin": "new"})
    uow.commit()
    return _attendant_view(row)


def list_attendants(uow: UnitOfWork) -> list[AttendantView]:
    """Every attendant, by name."""
    return [_attendant_view(row) for row in uow.db.scalars(select(Attendant).order_by(Attendant.name))]


def create_token(uow: UnitOfWork, *, name: object, actor: str) -> TokenView:
    """Create a named API token; its secret is returned once and only its hash is stored."""
    clean = _clean_name(name)
    if uow.db.scalar(select(ApiToken.id).where(ApiToken.name == clean)) is not None:
        raise Conflict(f"a token named {clean!r} already exists", field="name")
    secret = new_token()
    row = ApiToken(name=clean, token_hash=hash_token(secret), created_at=uow.now())
    uow.db.add(row)
    uow.db.flush()
    audit.record(uow, actor=actor, action="token.create", target_type="api_token", target_id=row.id,
                 after={"name": clean})
    uow.commit()
    return TokenView(row.id, row.name, row.created_at, revoked=False, secret=secret)


def verify_token(uow: UnitOfWork, secret: object) -> TokenView:
    """Return the live token matching ``secret`` or raise ``AuthenticationFailed``."""
    if not isinstance(secret, str) or not secret:
        raise AuthenticationFailed("a bearer token is required")
    row = uow.db.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if row is None or row.revoked_at is not None:
        raise AuthenticationFailed("unknown or revoked token")
    return TokenView(row.id, row.name, row.created_at, revoked=False)


def list_tokens(uow: UnitOfWork) -> list[TokenView]:
    """Every API token (never its secret), by name."""
    return [TokenView(row.id, row.name, row.created_at, revoked=row.revoked_at is not None)
            for row in uow.db.scalars(select(ApiToken).order_by(ApiToken.name))]


def revoke_token(uow: UnitOfWork, *, name: object, actor: str) -> TokenView:
    """Revoke an API token: it answers 401 from the next request on."""
    clean = _clean_name(name)
    row = uow.db.scalar(select(ApiToken).where(ApiToken.name == clean).with_for_update())
    if row is None:
        raise NotFound(f"no token named {clean!r}", field="name")
    if row.revoked_at is not None:
        raise InvalidState(f"token {clean!r} is already revoked", field="name")
    row.revoked_at = uow.now()
    audit.record(uow, actor=actor, action="token.revoke", target_type="api_token", target_id=row.id,
                 before={"revoked": False}, after={"revoked": True})
    uow.commit()
    return TokenView(row.id, row.name, row.created_at, revoked=True)
