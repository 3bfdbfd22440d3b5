"""The scope of an outage: which zones or seats it covers, as given, as a canonical key, as seats."""

from __future__ import annotations

import hashlib

from compensator.domain.kinds import ScopeKind
from compensator.errors import InvalidInput, NotFound
from compensator.services import parsing
from compensator.store.database import UnitOfWork


def resolve_scope(uow: UnitOfWork, zones: object = None, seats: object = None) -> tuple[ScopeKind, list[str]]:
    """The scope of an outage from optional zone or seat lists; unknown ids are refused."""
    if zones is not None and seats is not None:
        raise InvalidInput("give zones or seats, not both", field="zones")
    if zones is not None:
        zone_ids = parsing.id_list(zones, "zones")
        unknown = [zone for zone in zone_ids if zone not in uow.settings.zones_by_id]
        if unknown:
            raise NotFound("unknown zone " + ", ".join(unknown), field="zones")
        return ScopeKind.ZONES, zone_ids
    if seats is not None:
        seat_ids = parsing.id_list(seats, "seats")
        unknown = [seat for seat in seat_ids if seat not in uow.settings.seats_by_id]
        if unknown:
            raise NotFound("unknown seat " + ", ".join(unknown), field="seats")
        return ScopeKind.SEATS, seat_ids
    return ScopeKind.VENUE, []


# A scope's key is compared in a unique index; a long list of seats is keyed by its digest so
# the key always fits the column (a silence over hundreds of seats names them all).
LONGEST_PLAIN_KEY = 200


def scope_key(scope_kind: ScopeKind, scope_ids: list[str]) -> str:
    """A canonical text of a scope, equal for equal scopes, at most a few hundred characters."""
    if scope_kind is ScopeKind.VENUE:
        return scope_kind.value
    plain = f"{scope_kind.value}:{','.join(scope_ids)}"
    if len(plain) <= LONGEST_PLAIN_KEY:
        return plain
    return f"{scope_kind.value}#sha256:{hashlib.sha256(plain.encode()).hexdigest()}"


def scope_seats(uow: UnitOfWork, scope_kind: ScopeKind, scope_ids: list[str]) -> frozenset[str]:
    """The seats an outage scope covers."""
    if scope_kind is ScopeKind.VENUE:
        return uow.settings.seat_ids
    if scope_kind is ScopeKind.ZONES:
        return frozenset(seat.id for seat in uow.settings.seats if seat.zone_id in scope_ids)
    return frozenset(scope_ids)
