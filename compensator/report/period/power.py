"""The period's power, counting a seat as the customer: each zone's cuts, when its seats were dark, and the margins.

Only the venue's power counts: power cuts of the whole venue or of zones, ongoing or ended (a
suspected or dismissed outage is no cut, and an outage of single seats is a seat fault, not the
mains'). For each zone, the cuts over it that overlap or touch are one cut, as its seats lived
them (``domain.darkness``): the UPS bridges its start once. A cut darkens the zone's seats from
the end of the UPS to the cut's end; a cut no longer than the UPS holds is bridged (momentary).

A cut is counted once in the period it overlaps, whatever days or edges it crosses, and its
minutes are clipped to the period: a sustained interruption when its dark part falls in the
period, a momentary one when the UPS bridged all of it. Restore times are full lengths, of the
cuts that ended by the period's end.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from compensator.domain.intervals import Span, clip, measure, merge
from compensator.domain.kinds import OutageKind
from compensator.domain.ledger import ceil_minutes
from compensator.report import power as day_power
from compensator.report.period.data import Margin, RestoreTimes
from compensator.report.rows import Catalog, DayOutage


@dataclass(frozen=True, slots=True)
class Cut:
    """One cut as a zone's seats lived it: its whole span (to the period's end while ongoing), ended or not."""

    start: datetime
    end: datetime
    ended: bool

    @property
    def length(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class ZonePower:
    """A zone's cuts in the period and what its seats lived of them."""

    cuts: tuple[Cut, ...]
    dark: tuple[Span, ...]
    interruptions: int
    momentary: int
    dark_minutes: int
    margin: Margin


def venue_cuts(outages: Iterable[DayOutage]) -> list[DayOutage]:
    """The power cuts of the venue's power among ``outages`` (already the counted ones)."""
    return [item for item in outages if item.kind is OutageKind.POWER and not day_power.is_seat_fault(item)]


def joined(cuts: Sequence[DayOutage], window: Span) -> tuple[Cut, ...]:
    """``cuts`` that overlap or touch as one cut each, an ongoing one up to the window's end."""
    end = window[1]
    spans = [(item.started_at, max(min(item.ended_at or end, end), item.started_at)) for item in cuts]
    # Every cut still going on at the window's end stops there: a joined cut ending there has not ended.
    going_on = any(item.ended_at is None or item.ended_at > end for item in cuts)
    return tuple(Cut(start, finish, not (going_on and finish == end)) for start, finish in merge(spans))


def zone_power(cuts: Sequence[DayOutage], zone: str, catalog: Catalog, window: Span) -> ZonePower:
    """What the seats of ``zone`` lived of the venue's ``cuts`` in ``window``."""
    ups = timedelta(minutes=catalog.ups_minutes.get(zone, 0))
    zone_cuts = joined([item for item in cuts if zone in catalog.zones_covered(item)], window)
    dark: list[Span] = []
    interruptions = momentary = 0
    for cut in zone_cuts:
        darkened = clip([(cut.start + ups, cut.end)], window)
        if darkened:
            interruptions += 1
            dark.extend(darkened)
        elif cut.ended and cut.length <= ups and clip([(cut.start, cut.end)], window):
            momentary += 1
    ended = [cut for cut in zone_cuts if cut.ended]
    margin = Margin(ups_minutes=catalog.ups_minutes.get(zone, 0),
                    median_restore_minutes=percentile([cut.length for cut in ended], 50),
                    short_cuts=sum(1 for cut in ended if cut.length > ups), cuts=len(ended))
    return ZonePower(zone_cuts, tuple(dark), interruptions, momentary, ceil_minutes(measure(dark)), margin)


def restore_times(cuts: Sequence[DayOutage], window: Span) -> RestoreTimes:
    """The median and 90th percentile of the lengths of the venue's cuts (joined) that ended in the period."""
    lengths = [cut.length for cut in joined(cuts, window) if cut.ended]
    return RestoreTimes(len(lengths), percentile(lengths, 50), percentile(lengths, 90))


def percentile(lengths: Sequence[timedelta], rank: int) -> int | None:
    """The nearest-rank ``rank``th percentile of ``lengths`` in minutes (a started minute counting), None without any.

    Nearest rank: the smallest length that at least ``rank`` per cent of them do not exceed,
    the ⌈rank × n / 100⌉-th shortest; always one of the lengths, never an average of two.
    """
    if not lengths:
        return None
    ordered = sorted(lengths)
    return ceil_minutes(ordered[max(math.ceil(rank * len(ordered) / 100), 1) - 1])


def cuts_in(cuts: Sequence[Cut], window: Span) -> list[Cut]:
    """The cuts that overlap ``window``."""
    return [cut for cut in cuts if cut.start < window[1] and cut.end > window[0]]
