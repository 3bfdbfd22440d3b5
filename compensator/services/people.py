"""Attendants who log in at the counter and API tokens for devices."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from compensator.domain.kinds import DashboardLanguage, Role
from compensator.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from compensator.security import hash_pin, hash_token, new_token, verify_pin
from compensator.services import audit
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
    return AttendantView(row.id, row.name, row.role, row.created_at, row.disabled_at is not None, row.language)


def _language(language: object) -> DashboardLanguage:
    try:
        return DashboardLanguage(language)
    except ValueError:
        raise InvalidInput("language must be " + " or ".join(DashboardLanguage), field="language") from None


def add_attendant(uow: UnitOfWork, *, name: object, role: object, pin: object, actor: str,
                  language: object = None) -> AttendantView:
    """Create an attendant or manager with a hashed PIN of 4 to 12 digits (and, if given, their language)."""
    clean = _clean_name(name)
    try:
        chosen_role = Role(role)
    except ValueError:
        raise InvalidInput("role must be attendant or manager", field="role") from None
    if not isinstance(pin, str) or not PIN_PATTERN.match(pin):
        raise InvalidInput("a PIN is 4 to 12 digits", field="pin")
    chosen_language = None if language is None else _language(language)
    if uow.db.scalar(select(Attendant.id).where(Attendant.name == clean)) is not None:
        raise Conflict(f"an attendant named {clean!r} already exists", field="name")
    row = Attendant(name=clean, role=chosen_role, pin_hash=hash_pin(pin), created_at=uow.now(),
                    language=chosen_language)
    uow.db.add(row)
    uow.db.flush()
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
