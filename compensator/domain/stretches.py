"""A session's dark stretches: the interval machinery under SPEC section 3's rules 1 to 4.

The seat's dark periods during a session (``darkness.py`` works out the darkness itself) are
joined into *dark stretches*. Within one stretch, lost minutes are counted on the union of the
dark time of every compensated outage, so no minute is counted twice and splitting an outage in
two changes no total; ``policy.py`` gives the restart allowance, lost work and fixed goodwill
once per stretch. Time is measured in *usage* (running time since a moment), so that pauses in
the dark never count and the paid time left at a stretch's start caps what it loses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from compensator.domain.darkness import SeatDarkness, SessionDark, session_dark
from compensator.domain.intervals import Span, merge, subtract, touches, touching
from compensator.domain.ledger import ZERO, Balance
from compensator.domain.records import record

# Longer than any session: the end of usage that has none (a customer who left lost all of it).
FOREVER = timedelta(days=36500)


@record
class PriorCompensation:
    """What the session already received for another outage."""

    outage_id: int
    lost_minutes: int
    extras_minutes: int
    opened_stretch: bool


@dataclass(frozen=True, slots=True)
class DarkStretches:
    """When the session sat dark because of this outage, and the stretches it shares with compensated ones.

    The *group* is the stretches this outage darkened (a move to a seat whose UPS still holds
    makes more than one), with every already compensated outage sharing one of them, and that
    outage's other stretches too: its lost minutes are then taken off exactly what it counted.
    """

    own: SessionDark
    by_outage: dict[int, SessionDark]
    # Every dark stretch of the session, whichever outage made it.
    stretches: list[Span]
    group: list[Span]
    # The compensated outages sharing the group, by outage id, and what each already gave.
    counted: dict[int, PriorCompensation]
    # The session's running time, merged.
    active: list[Span]

    @property
    def start(self) -> datetime:
        """When this outage first darkened the session."""
        return self.own.occupied[0][0]

    @property
    def end(self) -> datetime:
        """When this outage last stopped darkening the session."""
        return self.own.occupied[-1][1]

    def counted_dark(self) -> list[SessionDark]:
        """This outage's darkness over the session, then that of each compensated outage in the group."""
        return [self.own, *(self.by_outage[outage_id] for outage_id in self.counted)]


def dark_stretches(outage_id: int, prior: Iterable[PriorCompensation], darkness: SeatDarkness,
                   position: Balance) -> DarkStretches | None:
    """Rule 1: when the session sat dark because of outage ``outage_id``, or None if it never did."""
    by_outage = session_dark(darkness, position)
    own = by_outage.get(outage_id)
    if own is None:
        return None
    # One outage's darkness over the session is merged already (``session_dark``).
    stretches = (list(own.occupied) if len(by_outage) == 1
                 else merge([span for dark in by_outage.values() for span in dark.occupied]))
    group = touching(stretches, own.occupied)
    counted: dict[int, PriorCompensation] = {}
    # Only the compensations received for outages that darkened this session can share its stretches.
    received = {item.outage_id: item for item in prior
                if item.outage_id != outage_id and item.outage_id in by_outage}
    grown = bool(received)
    while grown:
        grown = False
        for other_id, other in received.items():
            if other_id in counted:
                continue
            other_dark = by_outage[other_id].occupied
            if touching(other_dark, group):
                counted[other_id] = other
                group.extend([item for item in touching(stretches, other_dark) if item not in group])
                grown = True
    group.sort()
    active = merge([(item.start, item.end) for item in position.intervals])
    return DarkStretches(own, by_outage, stretches, group, counted, active)


def lost_in_stretch(dark: DarkStretches, stretch: Span, ended_at: datetime | None,
                     paid_left: timedelta | None) -> tuple[timedelta, bool]:
    """The time lost in one stretch, and whether the customer left in it (``ended_at`` given for prepaid only).

    Lost time is measured in "usage" (running time since the stretch began), so that the cap of
    the paid time left at its start (``paid_left``) applies whatever pauses happened while dark.
    """
    origin = stretch[0]
    lostusage: list[tuple[timedelta, timedelta]] = []
    left = False
    for part in dark.counted_dark():
        for start, end in part.active:
            if touches((start, end), stretch):
                lostusage.append((usage(dark.active, origin, start), usage(dark.active, origin, end)))
        if ended_at is not None and any(span[1] == ended_at for span in part.occupied) \
                and touches((ended_at, ended_at), stretch):
            # The customer gave up in the dark: all the paid time left is lost.
            left = True
            lostusage.append((usage(dark.active, origin, ended_at), FOREVER))
    window_end = paid_left if paid_left is not None else FOREVER
    lost = ZERO
    for usage_start, usage_end in merge(lostusage):
        lost += max(min(usage_end, window_end) - usage_start, ZERO)
    return lost, left


def shown_spans(dark: DarkStretches, cutoffs: list[tuple[Span, datetime | None]]) -> tuple[Span, ...]:
    """The spans to show: the running time this outage adds in each stretch, up to where the paid time ran out."""
    already = [span for outage_id in dark.counted for span in dark.by_outage[outage_id].active]
    # This outage's running time over the session is merged already (``session_dark``).
    adds = subtract(dark.own.active, already) if already else dark.own.active
    shown: list[Span] = []
    for stretch, cutoff in cutoffs:
        parts = [(start, end if cutoff is None else min(end, cutoff)) for start, end in adds
                 if touches((start, end), stretch) and (cutoff is None or start < cutoff)]
        if parts:
            shown.append((parts[0][0], parts[-1][1]))
    return tuple(shown) or ((dark.start, dark.end),)


def usage(active: list[Span], origin: datetime, moment: datetime) -> timedelta:
    """Active time between ``origin`` and ``moment``; ``active`` is merged (sorted, disjoint)."""
    total = ZERO
    if moment <= origin:
        return total
    for start, end in active:
        if start >= moment:
            break
        if end > origin:
            total += min(end, moment) - max(start, origin)
    return total


