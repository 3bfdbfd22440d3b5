"""The seat board: every configured seat with what is happening on it now."""

from __future__ import annotations

from dataclasses import dataclass

from compensator.domain.kinds import SessionMode
from compensator.services.sessions import list_open_sessions
from compensator.store.database import UnitOfWork

FREE = "free"
STATE_LABELS = {FREE: "Free", "running": "In session", "paused": "Paused", "time_up": "Time up"}


@dataclass(frozen=True, slots=True)
class SeatTile:
    """One seat on the board."""

    seat_id: str
    label: str
    zone_id: str
    zone_name: str
    state: str
    session_id: int | None
    mode: SessionMode | None
    remaining_minutes: int | None
    customer_name: str | None

    @property
    def state_label(self) -> str:
        """The state in words for the attendant."""
        return STATE_LABELS.get(self.state, self.state)


def seat_board(uow: UnitOfWork) -> list[SeatTile]:
    """Every active seat in configuration order, in a number of statements independent of seat count."""
    by_seat = {view.seat_id: view for view in list_open_sessions(uow)}
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
                state=view.state.value if view else FREE,
                session_id=view.id if view else None,
                mode=view.mode if view else None,
                remaining_minutes=view.remaining_minutes if prepaid and view else None,
                customer_name=view.customer_name if view else None,
            )
        )
    return tiles
