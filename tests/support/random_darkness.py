"""An independent measure of dark, running, paid time, for the checks of the random simulation.

It works afresh from plain data (the outages and their revisions as the tables hold them, and a
session's ledger facts) rather than through the policy, so that ``tests.support.random_world`` can
bound and demand credited minutes without leaning on what it checks: UPS bridging per zone for
power, none for network.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from compensator.config import Settings
from compensator.domain.kinds import OutageKind, OutageStatus, ScopeKind, SessionMode
from compensator.domain.ledger import balance

MINUTE = timedelta(minutes=1)
ZERO = timedelta(0)
Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class OutageRow:
    """An outage as the table holds it now."""

    id: int
    kind: OutageKind
    scope_kind: ScopeKind
    scope_ids: tuple[str, ...]
    started_at: datetime
    ended_at: datetime | None
    status: OutageStatus


def merged(spans: Iterable[Span]) -> list[Span]:
    """The union of ``spans`` as sorted disjoint spans; spans that touch are joined."""
    result: list[Span] = []
    for start, end in sorted(span for span in spans if span[1] > span[0]):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(end, result[-1][1]))
        else:
            result.append((start, end))
    return result


def overlap(spans: Iterable[Span], others: Iterable[Span]) -> timedelta:
    """How long the union of ``spans`` and the union of ``others`` overlap."""
    others = merged(others)
    total = ZERO
    for start, end in merged(spans):
        for other_start, other_end in others:
            total += max(min(end, other_end) - max(start, other_start), ZERO)
    return total


def seats_of(settings: Settings, outage: OutageRow) -> set[str]:
    """The seats an outage covers."""
    if outage.scope_kind is ScopeKind.VENUE:
        return {seat.id for seat in settings.seats}
    if outage.scope_kind is ScopeKind.ZONES:
        return {seat.id for seat in settings.seats if seat.zone_id in outage.scope_ids}
    return set(outage.scope_ids)


@dataclass(frozen=True)
class Version:
    """An outage as one revision recorded it; ``until`` is when it stopped being ongoing (or now)."""

    kind: OutageKind
    seats: frozenset[str]
    started_at: datetime
    ended_at: datetime | None
    status: OutageStatus
    until: datetime


def versions_of(settings: Settings, outage_rows: list[OutageRow], revisions: list[tuple[Any, ...]],
                now: datetime) -> list[Version]:
    """Every version of every outage that the revisions recorded, oldest first."""
    by_id = {row.id: row for row in outage_rows}
    ended_at_moments: dict[int, datetime] = {}
    for outage_id, at, _started, _ended, status in revisions:
        if status is OutageStatus.ENDED:
            ended_at_moments.setdefault(outage_id, at)
    return [Version(by_id[outage_id].kind, frozenset(seats_of(settings, by_id[outage_id])), started_at, ended_at,
                    status, ended_at_moments.get(outage_id, now))
            for outage_id, _at, started_at, ended_at, status in revisions]


# Evidence as the table holds it: (seat, outage, basis, dark_from).
Evidence = Sequence[tuple[str, int, Any, datetime | None]]
# How long before a cut's recorded start a PC's last record may still belong to it (``sources.evidence``).
EARLY_SLACK = timedelta(minutes=2)


def dark_by_seat(settings: Settings, versions: list[Version], evidence: Evidence = ()) -> dict[str, list[Span]]:
    """When each seat was dark because of an outage in any of its versions, by policy rule 1 worked out afresh.

    Power cuts that overlap or touch on a seat are one cut, whose start the zone's UPS bridges
    once; an ongoing cut joins that cut until it ended, since the seat's UPS was draining all
    the same. A network failure is dark from its start. Suspected and dismissed outages darken
    nothing. Every recorded version counts, not only the current one: a correction recomputes
    the compensations of the outage corrected, while those of an overlapping outage keep the
    darkness they were computed with (the UPS bridged a merged cut from its old start).
    A seat's PC that reported going down in a cut may have been dark from then on, if earlier
    than the rating says (SPEC section 3, rule 1 amended): the measure takes the earlier.
    """
    dark: dict[str, list[Span]] = {}
    reported: dict[str, list[datetime]] = defaultdict(list)
    for seat_id, _outage_id, _basis, dark_from in evidence:
        if dark_from is not None:
            reported[seat_id].append(dark_from)
    for seat in settings.seats:
        bridge = timedelta(minutes=settings.zone(seat.zone_id).ups_minutes)
        covering = [item for item in versions if seat.id in item.seats]
        cuts = merged((item.started_at, item.ended_at or item.until) for item in covering
                      if item.kind is OutageKind.POWER and item.status in (OutageStatus.ONGOING, OutageStatus.ENDED))
        spans: list[Span] = []
        for item in covering:
            # An outage going on darkens its seats up to now: a customer who left in the dark was
            # compensated as they left (rule 2, amended).
            if item.status not in (OutageStatus.ENDED, OutageStatus.ONGOING):
                continue
            ended_at = item.ended_at if item.status is OutageStatus.ENDED else item.until
            assert ended_at is not None
            if ended_at <= item.started_at:
                continue  # A corrected outage may last no time at all: it darkens nothing.
            start = item.started_at
            if item.kind is OutageKind.POWER:
                cut_start, cut_end = next(cut for cut in cuts if cut[0] <= item.started_at and ended_at <= cut[1])
                went = [moment for moment in reported[seat.id] if cut_start - EARLY_SLACK <= moment <= cut_end]
                start = max(start, min([cut_start + bridge] + [max(moment, cut_start) for moment in went]))
            spans.append((start, ended_at))
        dark[seat.id] = merged(spans)
    return dark


def surely_dark_by_seat(settings: Settings, outage_rows: list[OutageRow],
                        evidence: Evidence = ()) -> dict[str, list[Span]]:
    """When each seat was surely dark because of an ended outage as it stands: the UPS bridged that cut's own start.

    Evidence for the seat in an outage overlapping it may say the seat went dark later than the
    rating (its PC's report), or never (its heartbeats): the measure takes the later, or nothing.
    """
    dark: dict[str, list[Span]] = defaultdict(list)
    rows = {row.id: row for row in outage_rows}
    for row in outage_rows:
        if row.status is not OutageStatus.ENDED:
            continue
        assert row.ended_at is not None
        for seat_id in seats_of(settings, row):
            bridge = timedelta(minutes=settings.zone(settings.seat(seat_id).zone_id).ups_minutes)
            start = row.started_at + bridge if row.kind is OutageKind.POWER else row.started_at
            near = [dark_from for seat, outage_id, _basis, dark_from in evidence if seat == seat_id
                    and outage_id in rows and _touch(rows[outage_id], row)]
            if row.kind is OutageKind.POWER and near:
                if any(moment is None for moment in near):
                    continue
                start = max([start] + [moment for moment in near if moment is not None])
            dark[seat_id].append((start, row.ended_at))
    return {seat_id: merged(spans) for seat_id, spans in dark.items()}


def _touch(one: OutageRow, other: OutageRow) -> bool:
    """Whether two outages overlap or touch in time (an outage going on reaches on)."""
    one_end, other_end = one.ended_at or datetime.max.replace(tzinfo=one.started_at.tzinfo), (
        other.ended_at or datetime.max.replace(tzinfo=other.started_at.tzinfo))
    return one.started_at <= other_end and other.started_at <= one_end


def running_paid(facts: Any, now: datetime) -> tuple[dict[str, list[Span]], timedelta, str]:
    """When a session ran with paid time left, by seat; the paid time it had left when it ended, and its last seat.

    The ledger gives the running intervals; the paid part is replayed here from the entries: a
    prepaid session uses its minutes while it runs, and an entry's minutes are there from its
    creation on. A postpaid session is paid for all the time it runs.
    """
    position = balance(facts, now)
    by_seat: dict[str, list[Span]] = defaultdict(list)
    if facts.mode is SessionMode.POSTPAID:
        for interval in position.intervals:
            by_seat[interval.seat_id].append((interval.start, interval.end))
        return by_seat, ZERO, position.seat_id
    entries = sorted((entry.created_at, entry.minutes) for entry in facts.entries)

    def credit_at(moment: datetime) -> timedelta:
        return sum((minutes * MINUTE for at, minutes in entries if at <= moment), ZERO)

    used = ZERO
    for interval in position.intervals:
        cursor = interval.start
        while cursor < interval.end:
            following = min([at for at, _ in entries if cursor < at < interval.end] + [interval.end])
            taken = min(following - cursor, max(credit_at(cursor) - used, ZERO))
            if taken > ZERO:
                by_seat[interval.seat_id].append((cursor, cursor + taken))
                used += taken
            cursor = following
    left = ZERO
    if position.ended_at is not None:
        left = max(credit_at(position.ended_at) - used, ZERO)
    return by_seat, left, position.seat_id
