"""When seats and seat sessions were dark: SPEC section 3, rule 1, over overlapping outages.

Power outages that overlap or touch on one seat are one long power cut for that seat: its UPS
bridges the start of that cut only once, however many outage records describe it. A network
outage is dark at once. ``SeatDarkness`` works this out per seat and is shared by every session
compensated for one outage; ``session_dark`` then follows one session over the seats it sat at.

Rule 1 as amended: where something was measured about a seat's power (``DarkEvidence``: its
PC's own report of when it went down, its heartbeats through the cut, a low battery of its
zone's UPS), the seat went dark then, or never; only without evidence does the zone's rating
(``ups_minutes``) decide. Each dark span is given with its ``DarkBasis``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType

from compensator.domain.intervals import Span, clip, merge
from compensator.domain.kinds import DarkBasis, OutageKind, SessionMode
from compensator.domain.ledger import Balance, Interval
from compensator.domain.terms import ZoneTerms


@dataclass(frozen=True, slots=True)
class OutageFacts:
    """An outage as plain data: its times (``ended_at`` None while ongoing) and the seats it covers."""

    id: int
    kind: OutageKind
    started_at: datetime
    ended_at: datetime | None
    seat_ids: frozenset[str]

    def end_or(self, horizon: datetime) -> datetime:
        """The end of the outage, or ``horizon`` while it is still going on."""
        return self.ended_at if self.ended_at is not None else max(horizon, self.started_at)


@dataclass(frozen=True, slots=True)
class DarkEvidence:
    """Something measured about one seat's power during one outage (SPEC section 3, rule 1 amended)."""

    outage_id: int
    # ``seat_report``, ``heartbeats`` or ``ups_battery``.
    basis: DarkBasis
    # When the seat went dark; None when it never did (its PC stayed on through the outage).
    dark_from: datetime | None


# Evidence strongest first: the PC's own report, then its heartbeats, then its zone's UPS.
STRENGTH = {DarkBasis.SEAT_REPORT: 0, DarkBasis.HEARTBEATS: 1, DarkBasis.UPS_BATTERY: 2}
NO_EVIDENCE: Mapping[str, tuple[DarkEvidence, ...]] = MappingProxyType({})


class SeatDarkness:
    """When each seat was dark because of each outage, after UPS bridging.

    It depends on the seat only through its zone's UPS and the outages that cover it, so one
    instance is shared by every session compensated for the same outage, and seats alike in
    both share one computation.
    """

    def __init__(self, outage: OutageFacts, outages: tuple[OutageFacts, ...],
                 seat_terms: Mapping[str, ZoneTerms], now: datetime,
                 evidence: Mapping[str, tuple[DarkEvidence, ...]] = NO_EVIDENCE) -> None:
        self.outage = outage
        self.horizon = outage.end_or(now)
        # The outage being compensated replaces any older version of itself (before a correction).
        self.outages = tuple(other for other in outages if other.id != outage.id) + (outage,)
        self._seat_terms = seat_terms
        self.evidence = evidence
        self._by_seat: dict[str, Darkened] = {}
        self._by_shape: dict[tuple[object, ...], Darkened] = {}

    def fits(self, outage: OutageFacts, now: datetime) -> bool:
        """Whether this was worked out for ``outage`` as it stands at ``now``."""
        return self.outage == outage and self.horizon == outage.end_or(now)

    def spans(self, seat_id: str) -> dict[int, Span]:
        """The dark span of ``seat_id`` for each outage that darkened it, by outage id."""
        return self._darkened(seat_id).spans

    def bases(self, seat_id: str) -> dict[int, DarkBasis]:
        """What the dark start of ``seat_id`` rests on for each outage that covers it, dark or not."""
        return self._darkened(seat_id).bases

    def rated_minutes(self, seat_id: str) -> int:
        """How long the UPS of ``seat_id``'s zone is rated to hold."""
        terms = self._seat_terms.get(seat_id)
        return terms.ups_minutes if terms else 0

    def _darkened(self, seat_id: str) -> Darkened:
        found = self._by_seat.get(seat_id)
        if found is None:
            terms = self._seat_terms.get(seat_id)
            covering = tuple(other for other in self.outages if seat_id in other.seat_ids) if terms else ()
            ids = tuple(other.id for other in covering)
            measured = tuple(item for item in self.evidence.get(seat_id, ()) if item.outage_id in ids)
            shape = (terms.ups_minutes if terms else 0, ids, measured)
            found = self._by_shape.get(shape)
            if found is None:
                found = self._by_shape[shape] = _dark_spans(covering, shape[0], self.horizon, measured)
            self._by_seat[seat_id] = found
        return found


@dataclass(frozen=True, slots=True)
class Darkened:
    """One seat's dark span for each outage that darkened it, and the basis of each covering outage's."""

    spans: dict[int, Span]
    bases: dict[int, DarkBasis]


def _dark_spans(covering: tuple[OutageFacts, ...], ups_minutes: int, horizon: datetime,
                evidence: tuple[DarkEvidence, ...] = ()) -> Darkened:
    """The dark span of each outage over one seat: a network failure is dark at once; power
    cuts that overlap or touch are one cut, whose beginning the UPS bridges once, until the
    moment measured when there is evidence (the strongest, then the earliest, of the cut's)."""
    found: dict[int, Span] = {}
    bases: dict[int, DarkBasis] = {}
    power = [other for other in covering if other.kind is OutageKind.POWER]
    cuts = merge((other.started_at, other.end_or(horizon)) for other in power)
    rated = DarkBasis.UPS_RATING if ups_minutes else DarkBasis.NO_UPS
    bridge = timedelta(minutes=ups_minutes)
    # Each cut's measured dark start (None: never dark) and its basis, when there is evidence.
    measured: dict[Span, tuple[datetime | None, DarkBasis]] = {}
    for cut in cuts:
        inside = {other.id for other in power if cut[0] <= other.started_at and other.end_or(horizon) <= cut[1]}
        known = sorted((item for item in evidence if item.outage_id in inside),
                       key=lambda item: (STRENGTH[item.basis], item.dark_from is not None,
                                         item.dark_from or cut[0]))
        if known:
            dark_from = known[0].dark_from
            measured[cut] = (None if dark_from is None else min(max(dark_from, cut[0]), cut[1]), known[0].basis)
    for other in covering:
        start, end = other.started_at, other.end_or(horizon)
        if end <= start:
            bases[other.id] = DarkBasis.NETWORK if other.kind is not OutageKind.POWER else rated
            continue
        if other.kind is not OutageKind.POWER:
            bases[other.id] = DarkBasis.NETWORK
        else:
            cut = next(cut for cut in cuts if cut[0] <= start and end <= cut[1])
            dark_from, bases[other.id] = measured.get(cut, (cut[0] + bridge, rated))
            if dark_from is None:
                continue
            start = max(start, dark_from)
            if end <= start:
                continue
        found[other.id] = (start, end)
    return Darkened(found, bases)


@dataclass(frozen=True, slots=True)
class SessionDark:
    """One outage's darkness over one session: while it held a dark seat, while it ran there, and the first seat."""

    occupied: list[Span]
    active: list[Span]
    seat_id: str


def session_dark(darkness: SeatDarkness, position: Balance) -> dict[int, SessionDark]:
    """For each outage that darkened the session (its seats as ``position`` replays them), by outage id."""
    found: dict[int, SessionDark] = {}
    if len(position.occupancy) == 1:
        # A session that never left its seat: one span there, in which it ran in the (sorted,
        # disjoint, never touching) intervals the replay joined.
        stay = position.occupancy[0]
        held = [(stay.start, stay.end)]
        ran = [(interval.start, interval.end) for interval in position.intervals]
        for outage_id, seat_span in darkness.spans(stay.seat_id).items():
            parts = clip(held, seat_span)
            if parts:
                found[outage_id] = SessionDark(parts, clip(ran, seat_span), stay.seat_id)
        return found
    occupied, active = _by_seat(position.occupancy), _by_seat(position.intervals)
    first: dict[int, datetime] = {}
    for seat_id, spans in occupied.items():
        for outage_id, seat_span in darkness.spans(seat_id).items():
            parts = clip(spans, seat_span)
            if not parts:
                continue
            # The session only runs on a seat it occupies, so its active time needs no other cut.
            active_parts = clip(active.get(seat_id, ()), seat_span)
            known = found.get(outage_id)
            if known is None:
                found[outage_id] = SessionDark(parts, active_parts, seat_id)
                first[outage_id] = parts[0][0]
                continue
            seat = known.seat_id
            if parts[0][0] < first[outage_id]:
                seat, first[outage_id] = seat_id, parts[0][0]
            found[outage_id] = SessionDark(merge(known.occupied + parts), merge(known.active + active_parts), seat)
    return found


def _by_seat(intervals: tuple[Interval, ...]) -> dict[str, list[Span]]:
    """The intervals' time on each seat, as merged spans."""
    spans: dict[str, list[Span]] = {}
    for interval in intervals:
        spans.setdefault(interval.seat_id, []).append((interval.start, interval.end))
    return {seat_id: merge(items) for seat_id, items in spans.items()}


def ended_in_the_dark(mode: SessionMode, ended_at: datetime | None, dark_start: datetime, dark_end: datetime) -> bool:
    """Whether a session ended while its seat was dark, so the customer lost all the paid time left.

    Only a prepaid customer who leaves loses that time: the policy's rule, seen from the dark span.
    """
    return mode is SessionMode.PREPAID and ended_at is not None and dark_start <= ended_at <= dark_end
