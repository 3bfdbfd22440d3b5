"""A period's outages settled again in memory, through the real policy, under other terms (issue 25, item 2).

Settling an outage (``services.outages.settlement.settle``) runs ``CompensationBatch`` over the
sessions that held a seat during it, against the counted outages around it, with what each
session already received for the others, at the moment the outage was settled; then it
writes the credits, and a time credit moves the session's paid end, which the next outage
settled sees. ``replay`` does the same in memory, outage after outage in the order they were
settled, and writes nothing: the credits it would give are entries added to its own copy of
each session's facts (the real outage credits of the replayed outages taken out first).

What it keeps as it was: the sessions as they happened (when they started, paused, moved,
ended, what was bought and what vouchers were redeemed, even one the change would not have
given), the outages' times unless a generator shortens them, and what the sessions received
for outages outside the period. What it cannot know: a manager's decision
on a credit above the approval threshold (it counts what the policy owes, and gives no time
for it, as before approval). A customer who left in the dark is compensated at the outage's
end rather than as they left: the policy gives them the same (all the paid time they had left).

The equipment changes are for the venue's power: a generator shortens the power cuts of the
venue or of zones, and a zone's new UPS bridges them. An outage of single seats is a seat fault
(a PC's power supply, a tripped socket under the desk): a bigger UPS upstream or a generator
does not shorten it, so it is settled under the terms as they were; a policy change applies
to every outage alike.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from compensator.domain.batch import CompensationBatch
from compensator.domain.darkness import OutageFacts
from compensator.domain.figures import CompensationFigures
from compensator.domain.kinds import CompensationForm, EntryKind
from compensator.domain.ledger import EntryRecord, SessionFacts
from compensator.domain.records import record
from compensator.domain.stretches import PriorCompensation
from compensator.domain.terms import PolicySettings, ZoneTerms
from compensator.domain.venue_day import next_closing
from compensator.domain.whatif import Credits, restored_within


@record
class SettledOutage:
    """An outage of the period as it was: its facts, when it was settled, and whether it was a seat fault."""

    facts: OutageFacts
    settled_at: datetime
    seat_fault: bool


@record
class Received:
    """A compensation a session received for an outage outside the period, and when it was written."""

    session_id: int
    created_at: datetime
    prior: PriorCompensation


@dataclass(frozen=True)
class ReplayTerms:
    """The terms a replay settles under: the policy, each seat's terms as changed and as they were, a generator."""

    policy: PolicySettings
    seat_terms: Mapping[str, ZoneTerms]
    # A seat fault is settled under the equipment as it was.
    seat_terms_as_they_were: Mapping[str, ZoneTerms]
    restore_within_minutes: int | None
    timezone: ZoneInfo
    closing_time: time


def _as_changed(outage: SettledOutage, terms: ReplayTerms) -> tuple[OutageFacts, datetime]:
    """The outage under the change (a generator shortens a cut of the venue's power), and when it is settled."""
    facts = outage.facts
    assert facts.ended_at is not None
    settled_at = max(outage.settled_at, facts.ended_at)
    if outage.seat_fault:
        return facts, settled_at
    shortened = restored_within(facts, terms.restore_within_minutes)
    if shortened.ended_at != facts.ended_at:
        # The power came back earlier: the outage is settled then.
        assert shortened.ended_at is not None
        return shortened, shortened.ended_at
    return facts, settled_at


def _seen_at(outages: Sequence[OutageFacts], now: datetime) -> tuple[OutageFacts, ...]:
    """The outages as a settlement at ``now`` saw them: begun by then, one that ended later still going on."""
    return tuple(outage if outage.ended_at is None or outage.ended_at <= now else replace(outage, ended_at=None)
                 for outage in outages if outage.started_at <= now)


def _held_during(session: SessionFacts, outage: OutageFacts) -> bool:
    """Whether ``session`` held a seat at some time in the outage: the sessions its settlement looks at."""
    assert outage.ended_at is not None
    ended_at = session.ended_at
    return session.started_at < outage.ended_at and (ended_at is None or ended_at >= outage.started_at)


class SessionIndex:
    """The sessions by start, to find those that held a seat during an outage without looking at all of them.

    A session that held a seat during ``[start, end)`` began before ``end`` and no longer ago
    than the longest session before ``start`` (or is still open): a month of busy days is
    searched a day at a time, not whole for every outage.
    """

    def __init__(self, sessions: Mapping[int, SessionFacts]) -> None:
        ordered = sorted(sessions.items(), key=lambda item: (item[1].started_at, item[0]))
        self._starts = [session.started_at for _, session in ordered]
        self._ordered = ordered
        ended = [session.ended_at - session.started_at for _, session in ordered if session.ended_at is not None]
        self._longest = max(ended, default=timedelta(0))
        self._open = [(session_id, session) for session_id, session in ordered if session.ended_at is None]

    def held_during(self, outage: OutageFacts) -> list[int]:
        """The ids of the sessions that held a seat during ``outage`` (ended), in id order."""
        assert outage.ended_at is not None
        low = bisect_left(self._starts, outage.started_at - self._longest)
        high = bisect_left(self._starts, outage.ended_at)
        found = {session_id for session_id, session in self._ordered[low:high] if _held_during(session, outage)}
        found.update(session_id for session_id, session in self._open if _held_during(session, outage))
        return sorted(found)


def _given_entry(figures: CompensationFigures, minutes_past_closing: int, at: datetime,
                 entry_id: int) -> EntryRecord | None:
    """The ledger entry a credit adds to the session (time, or a bill reduction); None for a voucher."""
    if figures.form is CompensationForm.VOUCHER:
        return None
    minutes = figures.credit_minutes - minutes_past_closing
    return EntryRecord(entry_id, EntryKind.OUTAGE_CREDIT, minutes, at) if minutes > 0 else None


def replay(outages: Sequence[SettledOutage], around: Sequence[OutageFacts], sessions: Mapping[int, SessionFacts],
           received: Sequence[Received], terms: ReplayTerms) -> Credits:
    """The credits the policy gives for ``outages`` under ``terms``, settled again one after the other.

    ``around`` are the counted outages around them (themselves included, as they were),
    ``sessions`` the facts of every session that held a seat during one of them, without the
    credits their real settlement gave, and ``received`` what those sessions received for
    outages outside the period.
    """
    changed = {outage.facts.id: _as_changed(outage, terms) for outage in outages}
    faults = {outage.facts.id for outage in outages if outage.seat_fault}
    context = [changed[outage.id][0] if outage.id in changed else outage for outage in around]
    facts = dict(sessions)
    prior: dict[int, list[tuple[datetime, PriorCompensation]]] = defaultdict(list)
    for item in received:
        prior[item.session_id].append((item.created_at, item.prior))
    index = SessionIndex(sessions)
    credits = Credits()
    next_entry = -1
    for outage_id in sorted(changed, key=lambda key: (changed[key][1], key)):
        this, now = changed[outage_id]
        seat_terms = terms.seat_terms_as_they_were if outage_id in faults else terms.seat_terms
        batch = CompensationBatch(this, _seen_at(context, now), seat_terms, terms.policy, terms.timezone, now,
                                  closing=next_closing(now, terms.timezone, terms.closing_time))
        for session_id in index.held_during(this):
            session = facts[session_id]
            result = batch.compensate(session, tuple(item for at, item in prior[session_id] if at <= now))
            figures = result.figures
            if figures is None:
                continue
            credits = credits.plus(figures)
            prior[session_id].append((now, PriorCompensation(outage_id, figures.lost_minutes, figures.extras_minutes,
                                                             figures.opened_stretch)))
            delivery = result.breakdown.delivery
            past_closing = delivery.voucher_minutes if delivery is not None else 0
            entry = None if result.needs_approval else _given_entry(figures, past_closing, now, next_entry)
            if entry is not None:
                next_entry -= 1
                facts[session_id] = replace(session, entries=(*session.entries, entry))
    return credits
