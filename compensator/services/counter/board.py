"""The seat board: every configured seat with what is happening on it now.

``seat_board`` works it out afresh. ``BoardMemo`` gives the same board from the last one's work
while the facts it was drawn from are unchanged: an open session's tile moves with the clock
only at the moments its balance names (``Balance.shown_until``), and the outages going on are
read again each time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from compensator.domain.kinds import OutageKind, OutageStatus, SeatState, SessionMode, SessionState, TileState
from compensator.domain.ledger import Balance, balance
from compensator.services.outages.scopes import scope_seats
from compensator.services.sessions.views import OPEN_SESSIONS, LoadedSession
from compensator.settings import Settings
from compensator.store.database import UnitOfWork, ids_follow_commits
from compensator.store.models import LedgerEntry, OpenSeatSession, Outage, SeatSession, SessionEvent

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
    # Dark in a power cut (not only a network failure): the seat cannot be sold until power is back.
    no_power: bool = False
    paid_end: datetime | None = None
    language: str | None = None

    @property
    def nearly_up(self) -> bool:
        """Whether a running prepaid session has at most five minutes left."""
        return self.state is TileState.RUNNING and self.remaining_minutes is not None and \
            self.remaining_minutes <= NEARLY_UP_MINUTES

    @property
    def api_state(self) -> SeatState:
        """The state as the JSON API names it: free, in_session, paused, time_up or dark."""
        if self.dark:
            return SeatState.DARK
        return {TileState.FREE: SeatState.FREE, TileState.PAUSED: SeatState.PAUSED,
                TileState.TIME_UP: SeatState.TIME_UP}.get(self.state, SeatState.IN_SESSION)


# Built once: the board reads it at every reading, and building it costs more than running it.
_ONGOING = select(Outage.kind, Outage.scope_kind, Outage.scope_ids, Outage.started_at).where(
    Outage.status == OutageStatus.ONGOING)


# Seats dark, seats on their UPS, and the dark seats that have no power (a power cut, not a network failure).
Power = tuple[frozenset[str], frozenset[str], frozenset[str]]


def _power_at(uow: UnitOfWork, now: datetime) -> Power:
    """Seats dark at ``now``, seats running on their UPS then, and the dark ones without power, because of outages."""
    dark: set[str] = set()
    on_ups: set[str] = set()
    no_power: set[str] = set()
    ongoing = uow.db.connection().execute(_ONGOING).tuples()
    for kind, scope_kind, scope_ids, started_at in ongoing:
        for seat_id in scope_seats(uow, scope_kind, list(scope_ids)):
            ups = uow.settings.zone(uow.settings.seat(seat_id).zone_id).ups_minutes
            if kind is OutageKind.POWER and now < started_at + timedelta(minutes=ups):
                on_ups.add(seat_id)
            else:
                dark.add(seat_id)
                if kind is OutageKind.POWER:
                    no_power.add(seat_id)
    return frozenset(dark), frozenset(on_ups - dark), frozenset(no_power)


@dataclass(frozen=True, slots=True)
class _Standing:
    """An open session's balance as last worked out, and the moments between which the board shows it alike."""

    loaded: LoadedSession
    position: Balance
    since: datetime
    # None: for as long as no fact is added.
    until: datetime | None

    def holds_at(self, moment: datetime) -> bool:
        """Whether the board at ``moment`` shows the session as ``position`` does."""
        return self.since <= moment and (self.until is None or moment < self.until)


def _standing(loaded: LoadedSession, now: datetime) -> _Standing:
    """The session's balance now, holding until it says it reads otherwise (not past ``now`` if a fact lies ahead)."""
    facts = loaded.facts
    position = balance(facts, now, history=False)
    ahead = facts.started_at > now or any(entry.created_at > now for entry in facts.entries) or \
        any(event.at > now for event in facts.events)
    return _Standing(loaded, position, now, now if ahead else position.shown_until)


@dataclass(frozen=True, slots=True)
class _Board:
    """A seat board worked out, with what it was drawn from: the settings, the facts' signature, each standing."""

    settings: Settings
    signature: tuple[object, ...] | None
    standings: tuple[_Standing, ...]
    power: Power
    tiles: tuple[SeatTile, ...]
    # The board holds as a whole from the latest standing's ``since`` to the earliest ``until``.
    since: datetime | None
    until: datetime | None

    @classmethod
    def of(cls, settings: Settings, signature: tuple[object, ...] | None, standings: tuple[_Standing, ...],
           power: Power) -> _Board:
        """The board of these standings and this darkness, with its tiles."""
        ends = [standing.until for standing in standings if standing.until is not None]
        return cls(settings, signature, standings, power, _tiles(settings, standings, power),
                   max((standing.since for standing in standings), default=None), min(ends, default=None))

    def holds_at(self, moment: datetime) -> bool:
        """Whether every standing holds at ``moment``."""
        return (self.since is None or self.since <= moment) and (self.until is None or moment < self.until)


def _tiles(settings: Settings, standings: tuple[_Standing, ...],
           power: Power) -> tuple[SeatTile, ...]:
    """Every active seat's tile in configuration order; a seat with two open sessions shows the one loaded last."""
    by_seat = {standing.position.seat_id: standing for standing in standings}
    dark, on_ups, no_power = power
    zones = settings.zones_by_id
    tiles = []
    for seat in settings.seats:
        found = by_seat.get(seat.id)
        if found is None:
            state, session_id, mode, remaining, customer, paid_end, language = (TileState.FREE, None, None, None,
                                                                                None, None, None)
        else:
            loaded, position = found.loaded, found.position
            state, session_id, mode = TILE_STATES[position.state], loaded.row.id, loaded.facts.mode
            remaining = position.remaining_minutes if mode is SessionMode.PREPAID else None
            customer, paid_end, language = loaded.row.customer_name, position.paid_end, loaded.row.language
        tiles.append(SeatTile(seat_id=seat.id, label=seat.label, zone_id=seat.zone_id,
                              zone_name=zones[seat.zone_id].name, state=state, session_id=session_id, mode=mode,
                              remaining_minutes=remaining, customer_name=customer, dark=seat.id in dark,
                              on_ups=seat.id in on_ups, paid_end=paid_end, language=language,
                              no_power=seat.id in no_power))
    return tuple(tiles)


# The board's facts summed up in one cheap statement. The session, event and ledger tables are
# only ever appended to and SQLite numbers a table's rows in the order its one writer at a time
# commits them, so their largest ids change exactly when a row is added; sessions join and leave
# the open ones only with a new session or a new END event, which the count checks again.
_SIGNATURE = select(
    select(func.max(SeatSession.id)).scalar_subquery(),
    select(func.max(SessionEvent.id)).scalar_subquery(),
    select(func.max(LedgerEntry.id)).scalar_subquery(),
    select(func.count()).select_from(OpenSeatSession).scalar_subquery(),
)


class BoardMemo:
    """The last seat board worked out, for the next one to reuse while its facts are unchanged (one per runtime).

    It keeps one board, so it never grows. It is used only by read-only units of work on a
    SQLite file: they see committed rows alone, and there ids follow the commits (see
    ``_SIGNATURE``). On PostgreSQL a transaction can commit a smaller id after a larger one was
    seen, so the board is worked out afresh there. Threads share it without a lock: a board is
    never changed once kept, and one is reused only when its signature equals the one the
    reader's own transaction sees, so a race can only cost work, never mix two states.
    """

    def __init__(self) -> None:
        self._last: _Board | None = None

    def seat_board(self, uow: UnitOfWork) -> tuple[SeatTile, ...]:
        """The seat board now, as ``seat_board`` works it out, reusing the last one's work where it holds."""
        if not uow.read_only or not ids_follow_commits(uow.db):
            return seat_board(uow)
        signature = tuple(uow.db.connection().execute(_SIGNATURE).one())
        last = self._last
        if last is None or last.settings is not uow.settings or last.signature != signature:
            last = None
        board = _work_out(uow, signature, last)
        self._last = board
        return board.tiles


def _work_out(uow: UnitOfWork, signature: tuple[object, ...] | None, last: _Board | None) -> _Board:
    """The board now, reusing ``last`` (drawn from the same facts) where its standings hold."""
    now = uow.now()
    power = _power_at(uow, now)
    if last is None:
        standings = tuple(_standing(loaded, now) for loaded in
                          OPEN_SESSIONS.load(uow.db).values())
        return _Board.of(uow.settings, signature, standings, power)
    if last.power == power and last.holds_at(now):
        return last
    standings = tuple(standing if standing.holds_at(now) else _standing(standing.loaded, now)
                      for standing in last.standings)
    return _Board.of(uow.settings, signature, standings, power)


def seat_board(uow: UnitOfWork) -> tuple[SeatTile, ...]:
    """Every active seat in configuration order, in a number of statements independent of seat count.

    Each open session's balance is replayed straight from its loaded facts, without its history:
    the board needs neither the entries as shown to people nor a session's bill, which
    ``view_of`` also builds, nor the intervals and checkpoints of the replay. ``BoardMemo``
    gives the same board, reusing the last one's work.
    """
    return _work_out(uow, None, None).tiles
