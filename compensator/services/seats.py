"""The seat board: every configured seat with what is happening on it now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from compensator.domain.kinds import OutageKind, OutageStatus, SeatState, SessionMode, SessionState, TileState
from compensator.domain.ledger import Balance, balance
from compensator.services.scopes import scope_seats
from compensator.services.session_views import LoadedSession, load_sessions
from compensator.store.database import UnitOfWork
from compensator.store.models import OpenSeatSession, Outage

# Seats whose time is nearly up stand out on the board.
NEARLY_UP_MINUTES = 5
# The tile of a seat whose session is in each state (an open session has not ended).
TILE_STATES = {SessionState.RUNNING: TileState.RUNNING, SessionState.PAUSED: TileState.PAUSED,
               SessionState.TIME_UP: TileState.TIME_UP}


@dataclass(frozen=True, slots=True)
class SeatTile:
    """One seat on the board."""

    seat_id: str
    label: str
    zone_id: str
    zone_name: str
    state: TileState
    session_id: int | None
    mode: SessionMode | None
    remaining_minutes: int | None
    customer_name: str | None
    dark: bool = False
    on_ups: bool = False
    paid_end: datetime | None = None
    language: str | None = None

    @property
    def nearly_up(self) -> bool:
        """Whether a running prepaid session has at most five minutes left."""
        return self.state is TileState.RUNNING and self.remaining_minutes is not None and \
            self.remaining_minutes <= NEARLY_UP_MINUTES

    @property
    def api_state(self) -> SeatState:
        """The state as the JSON API names it: free, in_session, paused or dark."""
        if self.dark:
            return SeatState.DARK
        if self.state is TileState.FREE:
            return SeatState.FREE
        return SeatState.PAUSED if self.state is TileState.PAUSED else SeatState.IN_SESSION

def _power_at(uow: UnitOfWork) -> tuple[set[str], set[str]]:
    """Seats dark now, and seats running on their UPS now, because of ongoing outages."""
    now = uow.now()
    dark: set[str] = set()
    on_ups: set[str] = set()
    ongoing = uow.db.connection().execute(
        select(Outage.kind, Outage.scope_kind, Outage.scope_ids, Outage.started_at)
        .where(Outage.status == OutageStatus.ONGOING)).tuples()
    for kind, scope_kind, scope_ids, started_at in ongoing:
        for seat_id in scope_seats(uow, scope_kind, list(scope_ids)):
            ups = uow.settings.zone(uow.settings.seat(seat_id).zone_id).ups_minutes
            if kind is OutageKind.POWER and now < started_at + timedelta(minutes=ups):
                on_ups.add(seat_id)
            else:
                dark.add(seat_id)
    return dark, on_ups - dark


def seat_board(uow: UnitOfWork) -> list[SeatTile]:
    """Every active seat in configuration order, in a number of statements independent of seat count.

    Each open session's balance is replayed straight from its loaded facts, without its history:
    the board needs neither the entries as shown to people nor a session's bill, which
    ``view_of`` also builds, nor the intervals and checkpoints of the replay.
    """
    now = uow.now()
    by_seat: dict[str, tuple[LoadedSession, Balance]] = {}
    for loaded in load_sessions(uow.db, select(OpenSeatSession.seat_session_id)).values():
        position = balance(loaded.facts, now, history=False)
        by_seat[position.seat_id] = (loaded, position)
    dark, on_ups = _power_at(uow)
    zones = uow.settings.zones_by_id
    tiles = []
    for seat in uow.settings.seats:
        found = by_seat.get(seat.id)
        if found is None:
            state, session_id, mode, remaining, customer, paid_end, language = (TileState.FREE, None, None, None,
                                                                                None, None, None)
        else:
            loaded, position = found
            state, session_id, mode = TILE_STATES[position.state], loaded.row.id, loaded.facts.mode
            remaining = position.remaining_minutes if mode is SessionMode.PREPAID else None
            customer, paid_end, language = loaded.row.customer_name, position.paid_end, loaded.row.language
        tiles.append(SeatTile(seat_id=seat.id, label=seat.label, zone_id=seat.zone_id,
                              zone_name=zones[seat.zone_id].name, state=state, session_id=session_id, mode=mode,
                              remaining_minutes=remaining, customer_name=customer, dark=seat.id in dark,
                              on_ups=seat.id in on_ups, paid_end=paid_end, language=language))
    return tiles
