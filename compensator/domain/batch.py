"""The compensations of one outage worked out together: sessions alike share the policy's work.

Every session compensated for one outage is seen against the same outages, at the same
instant, under the same policy, and ``SeatDarkness`` already works out once the darkness of
seats alike. A batch goes one step further: sessions that sat on seats dark alike (the same
dark spans, the same zone terms), never moved, and have the same history (mode, start, events,
the minutes bought or credited and when, and what they already received for other outages)
get the same result but for their seat, so the policy runs once for all of them. Venues that
start many sessions together (a class, a tournament, a night package) have many such; where
every session differs, it costs each one a dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from compensator.domain.breakdown import Breakdown
from compensator.domain.darkness import OutageFacts, SeatDarkness
from compensator.domain.intervals import Span
from compensator.domain.kinds import SessionEventKind
from compensator.domain.ledger import SessionFacts
from compensator.domain.policy import CompensationInput, CompensationResult, PriorCompensation, compensate
from compensator.domain.terms import PolicySettings, ZoneTerms


class CompensationBatch:
    """The policy applied to the sessions of one outage, once per distinct kind of session."""

    def __init__(self, outage: OutageFacts, outages: tuple[OutageFacts, ...], seat_terms: Mapping[str, ZoneTerms],
                 policy: PolicySettings, timezone: ZoneInfo, now: datetime) -> None:
        self.outage = outage
        self.outages = outages
        self.seat_terms = seat_terms
        self.policy = policy
        self.timezone = timezone
        self.now = now
        self.darkness = SeatDarkness(outage, outages, seat_terms, now)
        self._seats: dict[str, tuple[tuple[tuple[int, Span], ...], ZoneTerms | None]] = {}
        self._results: dict[tuple[object, ...], CompensationResult] = {}
        # By the breakdown's identity (each kept alive beside its text): a shared result's is worded once.
        self._explanations: dict[int, tuple[Breakdown, str]] = {}

    def compensate(self, session: SessionFacts, prior: tuple[PriorCompensation, ...]) -> CompensationResult:
        """The policy's result for ``session``, which already received ``prior`` for other outages."""
        key = self._key(session, prior)
        found = self._results.get(key) if key is not None else None
        if found is None:
            found = compensate(CompensationInput(
                session=session, outage=self.outage, outages=self.outages, prior=prior, seat_terms=self.seat_terms,
                policy=self.policy, timezone=self.timezone, now=self.now, darkness=self.darkness))
            if key is not None:
                self._results[key] = found
        elif found.seat_id is not None and found.seat_id != session.seat_id:
            # A session that never moved was dark on its own seat only.
            found = replace(found, seat_id=session.seat_id)
        return found

    def explanation(self, result: CompensationResult) -> str:
        """``result.explanation``, worded once for the sessions that share the result."""
        known = self._explanations.get(id(result.breakdown))
        if known is None:
            known = self._explanations[id(result.breakdown)] = (result.breakdown, result.explanation)
        return known[1]

    def _key(self, session: SessionFacts, prior: tuple[PriorCompensation, ...]) -> tuple[object, ...] | None:
        """What the policy's result depends on, but for the seat's name; None for a session that moved."""
        for event in session.events:
            if event.kind is SessionEventKind.MOVE:
                return None
        seat = self._seats.get(session.seat_id)
        if seat is None:
            seat = self._seats[session.seat_id] = (tuple(self.darkness.spans(session.seat_id).items()),
                                                   self.seat_terms.get(session.seat_id))
        # The policy reads the entries only through the replay of the paid time: when and how much.
        paid = tuple([(entry.created_at, entry.minutes) for entry in session.entries])
        return seat, session.mode, session.started_at, session.events, paid, prior
