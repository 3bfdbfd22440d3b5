"""The seat board: every configured seat with what is happening on it now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from compensator.domain.kinds import OutageKind, OutageStatus, SeatState, SessionMode, TileState
from compensator.services.scopes import scope_seats
from compensator.services.session_views import list_open_sessions
from compensator.store.database import UnitOfWork
from compensator.store.models import Outage

# Seats whose time is nearly up stand out on the board.
NEARLY_UP_MINUTES = 5


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
    for outage in uow.db.scalars(select(Outage).where(Outage.status == OutageStatus.ONGOING)):
        for seat_id in scope_seats(uow, outage.scope_kind, list(outage.scope_ids)):
            ups = uow.settings.zone(uow.settings.seat(seat_id).zone_id).ups_minutes
            if outage.kind is OutageKind.POWER and now < outage.started_at + timedelta(minutes=ups):
                on_ups.add(seat_id)
            else:
                dark.add(seat_id)
    return dark, on_ups - dark


def seat_board(uow: UnitOfWork) -> list[SeatTile]:
    """Every active seat in configuration order, in a number of statements independent of seat count."""
    by_seat = {view.seat_id: view for view in list_open_sessions(uow)}
    dark, on_ups = _power_at(uow)
    zones = uow.settings.zones_by_id
    tiles = []
    for seat in uow.settings.seats:
        view = by_seat.get(seat.id)
        prepaid = view is not None and view.mode is SessionMode.PREPAID
        tiles.append(
            SeatTile(
                seat_id=seat.id,
                label=seat.label,
                zone_id=seat.zone_id,
                zone_name=zones[seat.zone_id].name,
                state=TileState(view.state.value) if view else TileState.FREE,
                session_id=view.id if view else None,
                mode=view.mode if view else None,
                remaining_minutes=view.remaining_minutes if prepaid and view else None,
                customer_name=view.customer_name if view else None,
                dark=seat.id in dark,
                on_ups=seat.id in on_ups,
                paid_end=view.paid_end if view else None,
                language=view.language if view else None,
            )
        )
    return tiles
