"""Heartbeat silence: which seats stopped answering, and whether that looks like a power cut (SPEC §4).

Plain data in, plain data out. A seat is *silent* when it has sent heartbeats and then none for
``silent_after_seconds``. Only seats with a running session that had been beating are watched:
a free seat or a PC without the agent says nothing about the power. When at least
``silent_share_percent`` % of the watched seats (and at least ``min_seats`` of them) are silent,
a suspected outage is due, scoped to those seats, or to their zones where every seat of a zone
is silent, and back-dated to the earliest last heartbeat among them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from compensator.domain.kinds import ScopeKind

SEAT_NUMBER = re.compile(r"^(.*?)(\d+)$")


@dataclass(frozen=True, slots=True)
class SilenceRule:
    """The ``heartbeats:`` settings: when a seat is silent and how many silent seats make an outage."""

    silent_after_seconds: int = 30
    silent_share_percent: int = 50
    min_seats: int = 2


@dataclass(frozen=True, slots=True)
class SeatBeat:
    """What is known of one seat: its zone, its last heartbeat (None if never) and whether a session runs on it."""

    seat_id: str
    zone_id: str
    last_seen_at: datetime | None
    running: bool


@dataclass(frozen=True, slots=True)
class Silence:
    """Seats that fell silent together: the outage's scope and its back-dated start."""

    seat_ids: tuple[str, ...]
    scope_kind: ScopeKind
    scope_ids: tuple[str, ...]
    started_at: datetime
    last_seen: Mapping[str, datetime]


def seat_order(seat_id: str) -> tuple[str, int, str]:
    """A sort key putting G2 before G10: the prefix, then the number."""
    match = SEAT_NUMBER.match(seat_id)
    return (match.group(1), int(match.group(2)), "") if match else (seat_id, -1, seat_id)


def is_silent(beat: SeatBeat, now: datetime, rule: SilenceRule) -> bool:
    """Whether the seat has sent heartbeats and then none for ``silent_after_seconds``."""
    return beat.last_seen_at is not None and now - beat.last_seen_at >= timedelta(seconds=rule.silent_after_seconds)


def share_fires(silent_count: int, watched_count: int, rule: SilenceRule) -> bool:
    """Whether ``silent_count`` of ``watched_count`` watched seats is enough for a suspected outage."""
    if silent_count == 0 or silent_count < rule.min_seats:
        return False
    # Whole numbers only: 100 × silent ≥ share × watched is the percentage rule without rounding.
    return 100 * silent_count >= rule.silent_share_percent * watched_count


def scope_of(silent_seat_ids: Iterable[str], beats: Iterable[SeatBeat], now: datetime,
             rule: SilenceRule) -> tuple[ScopeKind, tuple[str, ...]]:
    """The scope of an outage over silent seats: their zones when every seat of each is silent, else the seats.

    An outage has one kind of scope, so the zones are used only when every seat concerned lies
    in a zone that is wholly silent; the whole venue when that is every zone.
    """
    chosen = sorted(set(silent_seat_ids), key=seat_order)
    all_beats = list(beats)
    zone_of = {beat.seat_id: beat.zone_id for beat in all_beats}
    whole_zones = {beat.zone_id for beat in all_beats}
    for beat in all_beats:
        if not is_silent(beat, now, rule):
            whole_zones.discard(beat.zone_id)
    zones = sorted({zone_of[seat] for seat in chosen})
    if not zones or not set(zones) <= whole_zones:
        return ScopeKind.SEATS, tuple(chosen)
    if set(zones) == {beat.zone_id for beat in all_beats}:
        return ScopeKind.VENUE, ()
    return ScopeKind.ZONES, tuple(zones)


def detect_silence(beats: Iterable[SeatBeat], now: datetime, rule: SilenceRule,
                   already_covered: frozenset[str] = frozenset()) -> Silence | None:
    """The silence that calls for a suspected outage now, or None.

    ``beats`` lists every seat of the venue. Seats in ``already_covered`` belong to a silence
    that raised its outage already: they still count among the watched seats but never raise a
    second outage.
    """
    all_beats = list(beats)
    watched = [beat for beat in all_beats if beat.running and beat.last_seen_at is not None]
    silent = [beat for beat in watched if is_silent(beat, now, rule) and beat.seat_id not in already_covered]
    if not share_fires(len(silent), len(watched), rule):
        return None
    last_seen = {beat.seat_id: beat.last_seen_at for beat in silent if beat.last_seen_at is not None}
    scope_kind, scope_ids = scope_of(last_seen, all_beats, now, rule)
    return Silence(tuple(sorted(last_seen, key=seat_order)), scope_kind, scope_ids, min(last_seen.values()), last_seen)


def first_back(last_seen: Mapping[str, datetime], beats: Iterable[SeatBeat],
               beating_since: Mapping[str, datetime]) -> datetime | None:
    """When the first seat of a silence beat again (the start of its new run of heartbeats), or None yet."""
    back = []
    for beat in beats:
        before = last_seen.get(beat.seat_id)
        if before is None or beat.last_seen_at is None or beat.last_seen_at <= before:
            continue
        since = beating_since.get(beat.seat_id)
        # The run of heartbeats began after the silence, unless the seat was never noted silent.
        back.append(since if since is not None and since > before else beat.last_seen_at)
    return min(back, default=None)


def seat_ranges(seat_ids: list[str] | tuple[str, ...]) -> str:
    """Seat ids with runs of consecutive numbers written as ranges: ``G1–G3, A7``."""
    parts: list[list[object]] = []
    for seat in seat_ids:
        match = SEAT_NUMBER.match(seat)
        if match is None:
            parts.append([seat, None, None])
            continue
        prefix, number = match.group(1), int(match.group(2))
        last = parts[-1] if parts else None
        if last is not None and last[1] is not None and last[0] == prefix and last[2] == number - 1:
            last[2] = number
        else:
            parts.append([prefix, number, number])
    return ", ".join(str(prefix) if first is None else f"{prefix}{first}" if first == last
                     else f"{prefix}{first}–{prefix}{last}" for prefix, first, last in parts)
